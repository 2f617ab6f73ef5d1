/// How binding a clause is (RFC 2119). A violated MUST is FAIL, a SHOULD is NON-STRICT,
/// a MAY is INFORMATIONAL.
public enum Level: String, Codable, Sendable, CaseIterable {
    case MUST, SHOULD, MAY

    /// MUST 2, SHOULD 1, MAY 0.
    public var strictness: Int {
        switch self {
        case .MUST: return 2
        case .SHOULD: return 1
        case .MAY: return 0
        }
    }
}

/// One scripted conformance case, as loaded from a YAML file.
public struct CaseDefinition: Sendable {
    public var id: String
    public var title: String
    /// The clause as written in the case (one line).
    public var spec: String
    /// The clause, structured: document, section, requirement, RFC or man page.
    public var specKey: SpecKey
    public var level: Level
    public var transports: [Transport]
    public var requires: [Requirement]
    public var timeoutMs: Int
    public var steps: [Step]
    public var file: String
    public var line: Int
    /// The YAML text the case was read from (its whole file), so a worker process can parse
    /// the very same case, wherever it came from.
    public var source: String
    /// The public bug report(s) the case reproduces, e.g. "libzmq #916".
    public var bug: String? = nil

    /// The spec area: the first component of the id (`reqrep.req.lockstep` -> `reqrep`).
    public var area: String { String(id.split(separator: ".").first ?? Substring(id)) }

    /// Harness features the steps need from a driver (see Capabilities.features).
    public var neededFeatures: Set<Feature> { steps.reduce(into: []) { $0.formUnion($1.action.neededFeatures) } }

    /// Some step reaches the implementation's endpoint itself (the wire peer, a fault relay):
    /// it needs the transport as it really is, not carried over another one.
    public var usesWirePeer: Bool { firstStep(ofAny: WireSteps.all + [FaultRelayStep.self]) != nil }

    /// The first step that opens a connection from the suite itself (a wire peer, a raw
    /// connection, a relay): its endpoints are this machine's, so the implementation must run
    /// here too.
    public var firstSuiteSideStep: Step? { firstStep(ofAny: WireSteps.all + RawSteps.all + RelaySteps.all + [FaultRelayStep.self]) }

    /// The first step whose action is one of `types`.
    func firstStep(ofAny types: [any StepAction.Type]) -> Step? {
        steps.first { step in types.contains { ObjectIdentifier($0) == ObjectIdentifier(type(of: step.action)) } }
    }

    /// A step takes a host's link down: the cell must have its hosts to itself.
    public var partitionsHosts: Bool { steps.contains { $0.action is PartitionStep } }

    /// Socket options the steps set or read. The harness's own ipv6 (tcp6 cells) is not counted.
    public var neededOptions: Set<String> { Set(steps.flatMap { $0.action.optionsUsed.map(\.rawValue) }) }

    /// The sockets the case declares, in order.
    var declarations: [SocketDecl] { steps.compactMap { ($0.action as? SocketStep)?.declaration } }

    /// Every socket name the case declares, in order.
    public var socketNames: [String] { declarations.map(\.name) }

    /// The hosts the case places sockets on, in order ("a", "b", "c"); empty for one host.
    public var hosts: [String] { Array(Set(declarations.compactMap(\.host))).sorted() }

    /// Each socket's host label (sockets without one live on the first host).
    public var socketHosts: [String: String] {
        let first = hosts.first ?? "a"
        return Dictionary(declarations.map { ($0.name, $0.host ?? first) }, uniquingKeysWith: { a, _ in a })
    }

    /// Sockets that bind somewhere: in an interop cell they live in the binding implementation.
    public var binders: Set<String> { Set(steps.compactMap { ($0.action as? BindStep)?.socket }) }

    /// A case splits across two implementations when some socket binds, another socket
    /// connects, and nothing needs one process (a proxy).
    public var splittable: Bool {
        let connectors = Set(steps.compactMap { ($0.action as? ConnectStep)?.socket })
        return !binders.isEmpty && !connectors.subtracting(binders).isEmpty && !neededFeatures.contains(.proxy)
    }

    /// Some step names an endpoint the runner did not allocate (it cannot cross hosts).
    public var pinsEndpoints: Bool { steps.contains { $0.action.pinsEndpoint } }

    func socketTypes(of names: Set<String>) -> [SocketType] {
        var seen: [SocketType] = []
        for d in declarations where names.contains(d.name) && !seen.contains(d.type) { seen.append(d.type) }
        return seen
    }

    /// The socket types the case creates, in order of first use.
    public var socketTypes: [SocketType] {
        var seen: [SocketType] = []
        for d in declarations where !seen.contains(d.type) { seen.append(d.type) }
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
    /// What the step does: one of StepRegistry's types.
    var action: any StepAction
    /// The step's name in YAML and in reports.
    public var name: String { action.name }
    public var line: Int
    /// When set, the step runs only on these transports (e.g. a monitor wait not on inproc).
    public var onlyOn: Set<Transport>?
    public var level: Level?
    /// What the step may end in: "ok" and/or errno names, or "any" (any error: where an RFC
    /// says "an error" without naming one). Default: ["ok"].
    public var accept: [String]

    /// Whether the step may end in `outcome` ("ok" or an errno name).
    public func accepts(_ outcome: String) -> Bool { accept.contains(outcome) || (outcome != "ok" && accept.contains("any")) }

    /// The step records what it ended in when several endings are allowed.
    var recordsOutcome: Bool { accept.count > 1 || accept.contains("any") }

    /// What the step may end in, for failure texts.
    var acceptText: String { accept.map { $0 == "any" ? "any error" : $0 }.joined(separator: " or ") }
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
    /// Any frame but the one a variable holds (a new routing id after a reconnection).
    case notVariable(String)
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
    /// `process: own`: the socket lives in a process of its own (an agent of the same
    /// implementation), so that a `kill` step can kill -9 it without touching the others.
    public var ownProcess = false
}

public struct EndpointRef: Sendable {
    /// An endpoint alias or a socket name (its last bound endpoint).
    public var ref: String?
    /// A literal endpoint, used as written (for bad-endpoint and fixed-name cases).
    public var literal: String?
}

public enum GroupBy: String, Sendable, CaseIterable { case socket, prefix }
