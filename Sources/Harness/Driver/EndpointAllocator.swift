import Foundation

/// Fresh endpoints for one cell, so cells can run in parallel: wildcard tcp ports (read back
/// through LAST_ENDPOINT), unique ipc paths in a private temporary directory, unique abstract
/// and inproc names.
public final class EndpointAllocator: @unchecked Sendable {
    private static let counter = AtomicCounter()
    private let tag: String
    private var directory: String?

    public init(cellTag: String) {
        tag = "\(getpid())-\(Self.counter.next())-" + cellTag.filter { $0.isLetter || $0.isNumber }.prefix(20)
    }

    public func bindEndpoint(for transport: Transport) -> String {
        let n = Self.counter.next()
        switch transport {
        case .tcp: return "tcp://127.0.0.1:*"
        case .tcp6: return "tcp://[::1]:*"
        case .ws: return "ws://127.0.0.1:*"
        case .inproc: return "inproc://zs-\(tag)-\(n)"
        case .ipcAbstract: return "ipc://@zs-\(tag)-\(n)"
        case .ipc:
            if directory == nil {
                let d = FileManager.default.temporaryDirectory.appendingPathComponent("zs-\(tag)").path
                try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
                directory = d
            }
            return "ipc://\(directory!)/\(n).sock"
        case .pgm, .epgm, .norm: return multicastEndpoint(for: transport, interface: "127.0.0.1")
        case .tipc: return "tipc://{\(Self.tipcBase + n % 10000),0,0}"
        // udp has no wildcard port: a port the kernel just gave out, released at once.
        case .udp: return "udp://127.0.0.1:\(freeUDPPort() ?? UInt16(30000 + n % 20000))"
        }
    }

    private static let tipcBase = 40000 + Int(getpid() % 20) * 10000

    /// This cell's multicast group and port, the same for every socket of the cell: a group in
    /// the organisation-local 239.192/14 block and a port, both unique per cell in this process.
    private lazy var group: String = {
        let n = Self.counter.next()
        return "239.192.\(Int(getpid()) % 200 + 1).\(n % 250 + 1):\(20000 + (Int(getpid()) * 7 + n) % 20000)"
    }()

    /// The cell's group endpoint as seen from one host: `epgm://10.213.0.2;239.192.5.7:23456`.
    public func multicastEndpoint(for transport: Transport, interface: String) -> String {
        "\(transport.scheme)://\(interface);\(group)"
    }

    /// A concrete endpoint nothing is bound to yet, for connect-before-bind cases. For tcp and
    /// ws the kernel picks a free port, which is released at once (a small, accepted race).
    public func reserve(for transport: Transport) -> String? {
        switch transport {
        case .inproc, .ipc, .ipcAbstract, .pgm, .epgm, .norm, .tipc: return bindEndpoint(for: transport)
        case .tcp, .ws: return freePort(v6: false).map { "\(transport.scheme)://127.0.0.1:\($0)" }
        case .tcp6: return freePort(v6: true).map { "tcp://[::1]:\($0)" }
        case .udp: return bindEndpoint(for: transport)
        }
    }

    private func freeUDPPort() -> UInt16? {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &a) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        return ok ? UInt16(bigEndian: a.sin_port) : nil
    }

    private func freePort(v6: Bool) -> UInt16? {
        guard v6 else {
            guard let (fd, port) = loopbackTCPSocket(listening: false) else { return nil }
            close(fd)
            return port
        }
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var a = sockaddr_in6()
        a.sin6_family = sa_family_t(AF_INET6)
        a.sin6_addr = in6addr_loopback
        var len = socklen_t(MemoryLayout<sockaddr_in6>.size)
        let ok = withUnsafeMutablePointer(to: &a) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        return ok ? UInt16(bigEndian: a.sin6_port) : nil
    }

    public func cleanup() {
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// Removes the ipc directories a process made and could not remove itself (it crashed).
    public static func removeLeftovers(ofProcess pid: Int32) {
        let tmp = FileManager.default.temporaryDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: tmp.path) else { return }
        for name in names where name.hasPrefix("zs-\(pid)-") {
            try? FileManager.default.removeItem(at: tmp.appendingPathComponent(name))
        }
    }
}

public final class AtomicCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    public init() {}
    public func next() -> Int {
        lock.lock(); defer { lock.unlock() }
        value += 1
        return value
    }
}
