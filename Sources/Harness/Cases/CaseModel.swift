/// How binding a clause is (RFC 2119). A violated MUST is FAIL, a SHOULD is NON-STRICT,
/// a MAY is INFORMATIONAL.
public enum Level: String, Codable, Sendable, CaseIterable {
    case MUST, SHOULD, MAY
}

/// One scripted conformance case, as loaded from a YAML file.
public struct CaseDefinition: Sendable {
    public var id: String
    public var title: String
    public var spec: String
    public var level: Level
    public var transports: [Transport]
    public var requires: [Requirement]
    public var timeoutMs: Int
    public var steps: [Step]
    public var file: String
    public var line: Int

    /// The spec area: the first component of the id (`reqrep.req.lockstep` -> `reqrep`).
    public var area: String { String(id.split(separator: ".").first ?? Substring(id)) }

    /// Harness features the steps need from a driver (see Capabilities.features).
    public var neededFeatures: Set<String> {
        var out: Set<String> = []
        for step in steps {
            switch step.kind {
            case .socket(let d) where d.monitor: out.insert("monitor")
            case .monitor, .awaitEvent, .noEvent, .awaitPeers: out.insert("monitor")
            case .zap, .expectZAP: out.insert("zap")
            case .proxy, .awaitProxyExit: out.insert("proxy")
            case .curveKeys: out.insert("curve_keypair")
            case .recv(_, _, _, _, let properties) where !properties.isEmpty: out.insert("properties")
            default: break
            }
        }
        return out
    }

    /// Socket options the steps set or read. The harness's own ipv6 (tcp6 cells) is not counted.
    public var neededOptions: Set<String> {
        var out: Set<String> = []
        for step in steps {
            switch step.kind {
            case .socket(let d): for (o, _) in d.options { out.insert(o.rawValue) }
            case .set(_, let o, _), .get(_, let o, _): out.insert(o.rawValue)
            default: break
            }
        }
        return out
    }

    /// Every socket name the case declares, in order.
    public var socketNames: [String] {
        steps.compactMap { if case .socket(let d) = $0.kind { return d.name } else { return nil } }
    }

    /// The hosts the case places sockets on, in order ("a", "b", "c"); empty for one host.
    public var hosts: [String] {
        Array(Set(steps.compactMap { if case .socket(let d) = $0.kind { return d.host } else { return nil } })).sorted()
    }

    /// Each socket's host label (sockets without one live on the first host).
    public var socketHosts: [String: String] {
        let first = hosts.first ?? "a"
        return Dictionary(steps.compactMap { if case .socket(let d) = $0.kind { return (d.name, d.host ?? first) } else { return nil } },
                          uniquingKeysWith: { a, _ in a })
    }

    /// Sockets that bind somewhere: in an interop cell they live in the binding implementation.
    public var binders: Set<String> {
        Set(steps.compactMap { if case .bind(let s, _, _, _) = $0.kind { return s } else { return nil } })
    }

    /// A case splits across two implementations when some socket binds, another socket
    /// connects, and nothing needs one process (a proxy).
    public var splittable: Bool {
        let connectors = Set(steps.compactMap { if case .connect(let s, _) = $0.kind { return s } else { return nil } })
        return !binders.isEmpty && !connectors.subtracting(binders).isEmpty && !neededFeatures.contains("proxy")
    }

    func socketTypes(of names: Set<String>) -> [SocketType] {
        var seen: [SocketType] = []
        for step in steps { if case .socket(let d) = step.kind, names.contains(d.name), !seen.contains(d.type) { seen.append(d.type) } }
        return seen
    }

    /// The socket types the case creates, in order of first use.
    public var socketTypes: [SocketType] {
        var seen: [SocketType] = []
        for step in steps { if case .socket(let d) = step.kind, !seen.contains(d.type) { seen.append(d.type) } }
        return seen
    }
}

/// Something a case needs from an implementation; missing -> UNSUPPORTED with the reason.
public enum Requirement: Sendable, Equatable, CustomStringConvertible {
    case mechanism(String)
    case symbol(String)
    case has(String)

    public var description: String {
        switch self {
        case .mechanism(let m): return "mechanism:\(m)"
        case .symbol(let s): return "symbol:\(s)"
        case .has(let h): return "has:\(h)"
        }
    }
}

public struct Step: Sendable {
    public var kind: StepKind
    public var line: Int
    /// When set, the step runs only on these transports (e.g. a monitor wait not on inproc).
    public var onlyOn: Set<Transport>?
    public var level: Level?
    /// What the step may end in: "ok" and/or errno names. Default: ["ok"].
    public var accept: [String]
}

/// A frame to send. `{i}` in text is replaced by the repeat counter.
public enum FrameSpec: Sendable {
    case text(String)
    case bytes([UInt8])
    case variable(String)
}

/// What a received frame must be.
public enum FrameMatcher: Sendable {
    case text(String)
    case bytes([UInt8])
    case size(Int)
    case prefix([UInt8])
    case any
    case variable(String)
    case capture(String)
    case uint64(UInt64)
}

public enum OptionValueSpec: Sendable {
    case value(OptionValue)
    case curvePublic(String)
    case curveSecret(String)
}

public struct SocketDecl: Sendable {
    public var name: String
    public var type: SocketType
    public var options: [(SocketOption, OptionValueSpec)]
    public var monitor: Bool
    /// The host the socket lives on ("a", "b", ...) in cases that need several hosts.
    public var host: String?
}

public struct EndpointRef: Sendable {
    /// An endpoint alias or a socket name (its last bound endpoint).
    public var ref: String?
    /// A literal endpoint, used as written (for bad-endpoint and fixed-name cases).
    public var literal: String?
}

public enum GroupBy: String, Sendable, CaseIterable { case socket, prefix }

public enum StepKind: Sendable {
    case socket(SocketDecl)
    case set(socket: String, option: SocketOption, value: OptionValueSpec)
    case get(socket: String, option: SocketOption, expect: OptionValue?)
    case bind(socket: String, alias: String?, literal: String?, reserved: String?)
    case reserve(alias: String)
    case connect(socket: String, to: EndpointRef)
    case disconnect(socket: String, from: EndpointRef)
    case unbind(socket: String, from: EndpointRef)
    case send(socket: String, frames: [FrameSpec], dontWait: Bool, repeatCount: Int, withinMs: Int, retryOn: [String])
    case recv(socket: String, expect: [FrameMatcher]?, repeatCount: Int, withinMs: Int, properties: [String: String])
    case noRecv(socket: String, withinMs: Int)
    case poll(items: [(String, PollEvents)], expect: [String: PollEvents], withinMs: Int)
    case monitor(socket: String)
    case awaitEvent(socket: String, event: MonitorEvent, count: Int, withinMs: Int, value: Int?)
    case drain(socket: String, quietMs: Int, withinMs: Int, minCount: Int, maxCount: Int, expectCount: String?)
    case awaitPeers(socket: String, count: Int, withinMs: Int)
    case noEvent(socket: String, event: MonitorEvent, withinMs: Int)
    case close(socket: String)
    case proxy(name: String, frontend: String, backend: String, capture: String?, control: String?)
    case awaitProxyExit(name: String, withinMs: Int)
    case zap(ZAPScript)
    case expectZAP(count: Int, mechanism: String?, domain: String?, credentials: [[UInt8]]?, status: String?)
    case curveKeys(name: String)
    case collect(from: [String], count: Int, withinMs: Int, first: Int?, groupBy: GroupBy, groups: [String: Int], tolerance: Int)
    case awaitSubscription(pub: String, subs: [String], topic: [UInt8], withinMs: Int)
    case sendUntilBlocked(socket: String, frames: [FrameSpec], max: Int, minCount: Int, maxCount: Int, settleMs: Int, countAs: String?, withinMs: Int)
    case rawConnect(name: String, to: EndpointRef)
    case rawSend(raw: String, data: [UInt8])
    case rawRecv(raw: String, expect: [UInt8]?, size: Int?, withinMs: Int)
    case rawExpectClosed(raw: String, withinMs: Int)
    case rawClose(raw: String)
    case relay(name: String, to: EndpointRef)
    case relayExpect(name: String, absent: [UInt8]?, present: [UInt8]?)

    /// The name people read in reports.
    public var name: String {
        switch self {
        case .socket: return "socket"
        case .set: return "set"
        case .get: return "get"
        case .bind: return "bind"
        case .reserve: return "reserve"
        case .connect: return "connect"
        case .disconnect: return "disconnect"
        case .unbind: return "unbind"
        case .send: return "send"
        case .recv: return "recv"
        case .noRecv: return "no_recv"
        case .poll: return "poll"
        case .monitor: return "monitor"
        case .awaitEvent: return "await_event"
        case .drain: return "drain"
        case .awaitPeers: return "await_peers"
        case .noEvent: return "no_event"
        case .close: return "close"
        case .proxy: return "proxy"
        case .awaitProxyExit: return "await_proxy_exit"
        case .zap: return "zap"
        case .expectZAP: return "expect_zap"
        case .curveKeys: return "curve_keys"
        case .collect: return "collect"
        case .awaitSubscription: return "await_subscription"
        case .sendUntilBlocked: return "send_until_blocked"
        case .rawConnect: return "raw_connect"
        case .rawSend: return "raw_send"
        case .rawRecv: return "raw_recv"
        case .rawExpectClosed: return "raw_expect_closed"
        case .rawClose: return "raw_close"
        case .relay: return "relay"
        case .relayExpect: return "relay_expect"
        }
    }
}
