/// The transports a cell can run over. `tcp6` is tcp on [::1]; `ipc-abstract` is an ipc
/// endpoint in Linux's abstract namespace (`ipc://@name`).
public enum Transport: String, CaseIterable, Codable, Sendable, Comparable {
    case tcp, tcp6, ipc, ipcAbstract = "ipc-abstract", inproc, ws

    /// The zmq_has name of the underlying transport.
    public var scheme: String {
        switch self {
        case .tcp, .tcp6: return "tcp"
        case .ipc, .ipcAbstract: return "ipc"
        case .inproc: return "inproc"
        case .ws: return "ws"
        }
    }

    public static func < (a: Transport, b: Transport) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
