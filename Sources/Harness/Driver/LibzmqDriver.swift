import CZeroMQ
import Foundation

/// Drives the libzmq this process is linked against, in process.
public final class LibzmqDriver: Driver {
    public let info: ImplementationInfo

    public init() {
        info = ImplementationInfo(
            name: "libzmq", version: ZMQLibrary.version,
            library: LibzmqProbe.libraryPath(), capabilities: LibzmqProbe.probe())
    }

    public func openSession() throws -> DriverSession { try LibzmqSession() }
}

/// Capability probing: ask zmq_has and dlsym, then try each socket type and transport.
enum LibzmqProbe {
    static let draftSymbols = [
        "zmq_join", "zmq_leave", "zmq_msg_set_routing_id", "zmq_msg_routing_id",
        "zmq_msg_set_group", "zmq_msg_group", "zmq_poller_new", "zmq_connect_peer",
        "zmq_socket_get_peer_state",
    ]

    /// The libzmq shared object this process mapped (Linux: /proc/self/maps).
    static func libraryPath() -> String {
        // procfs files report size 0, so read them as a stream.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/maps"), let data = try? handle.readToEnd() else { return "unknown" }
        let maps = String(decoding: data, as: UTF8.self)
        // A preloaded libzmq (zmq-agent --libzmq) resolves the symbols, though the linked one is mapped too.
        for preloaded in (ProcessInfo.processInfo.environment["LD_PRELOAD"] ?? "").split(whereSeparator: { $0 == ":" || $0 == " " })
        where preloaded.contains("libzmq") {
            let path = URL(fileURLWithPath: String(preloaded)).resolvingSymlinksInPath().path
            if maps.contains(path) { return path }
        }
        for line in maps.split(separator: "\n") {
            if let path = line.split(separator: " ").last, path.contains("libzmq") { return String(path) }
        }
        return "unknown"
    }

    static func probe() -> Capabilities {
        var has: [String: Bool] = [:]
        for name in ["ipc", "pgm", "tipc", "norm", "curve", "gssapi", "draft", "ws", "WS", "wss", "vmci"] {
            has[name] = ZMQLibrary.has(name)
        }
        var mechanisms = ["NULL", "PLAIN"]
        if has["curve"] == true { mechanisms.append("CURVE") }
        if has["gssapi"] == true { mechanisms.append("GSSAPI") }
        let handle = dlopen(nil, RTLD_NOW)
        var symbols: [String: Bool] = [:]
        for s in draftSymbols { symbols[s] = dlsym(handle, s) != nil }

        guard let context = try? Context() else {
            return Capabilities(socketTypes: [], transports: [:], mechanisms: mechanisms, draftSymbols: symbols, zmqHas: has)
        }
        defer { context.terminate() }
        var types: [String] = []
        for type in SocketType.allCases {
            if let s = try? Socket(context: context, type: type) { types.append(type.rawValue); s.close() }
        }
        var transports: [String: String?] = [:]
        for transport in Transport.allCases {
            transports.updateValue(tryBind(transport, context: context), forKey: transport.rawValue)
        }
        var capabilities = Capabilities(socketTypes: types, transports: transports, mechanisms: mechanisms, draftSymbols: symbols, zmqHas: has)
        // The draft steps need the draft API functions: a build without them does not offer it.
        if symbols["zmq_join"] != true { capabilities.features.removeAll { $0 == Feature.draftAPI.rawValue } }
        return capabilities
    }

    /// nil when a PAIR socket (for udp: a DISH, the only kind of socket that binds it) can bind
    /// the transport, else why not.
    private static func tryBind(_ transport: Transport, context: Context) -> String? {
        // Multicast cannot bind on loopback (EINVAL): ask the library; the runner adds hosts.
        // zmq_has knows "pgm" (which covers epgm too) and "norm".
        if transport.isMulticast {
            let name = transport == .norm ? "norm" : "pgm"
            return ZMQLibrary.has(name) ? nil : "zmq_has(\"\(name)\") is false"
        }
        let type: SocketType = transport == .udp ? .DISH : .PAIR
        let s: Socket
        do { s = try Socket(context: context, type: type) } catch let e as ZMQError {
            return "cannot create a \(type.rawValue) socket to probe \(transport.rawValue): \(e.name)"
        } catch { return "cannot create a socket: \(error)" }
        defer { try? s.set(.linger, .int(0)); s.close() }
        let endpoints = EndpointAllocator(cellTag: "probe")
        defer { endpoints.cleanup() }
        do {
            if transport == .tcp6 { try s.set(.ipv6, .int(1)) }
            try s.bind(endpoints.bindEndpoint(for: transport))
            return nil
        } catch let e as ZMQError {
            let asked = transport == .ws ? " (zmq_has(\"ws\") = \(ZMQLibrary.has("ws")))" : ""
            return "binding \(transport.rawValue) failed: \(e.name)\(asked)"
        } catch {
            return "binding \(transport.rawValue) failed: \(error)"
        }
    }
}
