/// The transports a cell can run over. `tcp6` is tcp on [::1]; `ipc-abstract` is an ipc
/// endpoint in Linux's abstract namespace (`ipc://@name`). pgm, epgm and norm are multicast:
/// they need real interfaces, so their cells run on hosts made of network namespaces.
public enum Transport: String, CaseIterable, Codable, Sendable, Comparable {
    case tcp, tcp6, ipc, ipcAbstract = "ipc-abstract", inproc, ws, pgm, epgm, norm, tipc, udp

    /// The zmq_has name of the underlying transport.
    public var scheme: String {
        switch self {
        case .tcp, .tcp6: return "tcp"
        case .ipc, .ipcAbstract: return "ipc"
        default: return rawValue
        }
    }

    /// Multicast transports: one group endpoint shared by every socket of a cell, each socket
    /// naming its own host's interface.
    public var isMulticast: Bool { self == .pgm || self == .epgm || self == .norm }

    /// What a case runs over when it does not say: every transport that works on one host.
    public static let singleHost: [Transport] = [.tcp, .tcp6, .ipc, .ipcAbstract, .inproc, .ws]

    public static func < (a: Transport, b: Transport) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
