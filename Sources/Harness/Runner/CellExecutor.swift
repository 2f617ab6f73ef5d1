import NIOConcurrencyHelpers

/// Runs one case on one transport against one driver session, step by step.
/// Every wait has a bound; the first step that goes wrong ends the cell.
final class CellExecutor {
    let definition: CaseDefinition
    let transport: Transport
    /// The implementations of the cell: one, or two in an interop cell.
    let sessions: [DriverSession]
    /// Which session each socket lives in (by name); unlisted sockets live in the first.
    let assignment: [String: Int]
    let endpoints: EndpointAllocator
    /// On hosts: each session's interface address (index-aligned with sessions); else empty.
    let hostAddresses: [String]
    /// On hosts: the hosts by label, for faults of the network itself (partition).
    var hosts: [String: NamespaceHost] = [:]
    /// Hosts whose link a partition took down and has not brought up yet.
    var partitioned: Set<String> = []
    var sockets: [String: SocketRef] = [:]
    var socketTypes: [String: SocketType] = [:]
    var bound: [String: String] = [:]
    var proxies: [String: (DriverSession, Int)] = [:]
    var keys: [String: CurveKeyPair] = [:]
    var raws: [String: RawConnection] = [:]
    var variables: [String: [UInt8]] = [:]
    var counters: [String: Int] = [:]
    /// Routing ids captured by draft steps, by name.
    var routingIds: [String: UInt32] = [:]
    /// Monitored sockets by name; kept after close, since the monitor reports the close.
    var monitorIDs: [String: SocketRef] = [:]
    var relays: [String: TCPRelay] = [:]
    /// `process: own` sockets' processes, by socket name, and the sockets a `kill` ended.
    var ownSessions: [String: ProcessSession] = [:]
    var killed: Set<String> = []
    /// `--trace`: connecting sockets go through a decoding relay, one per target endpoint.
    var trace = false
    var traceRelays: [String: ZMTPRelay] = [:]
    /// Relays that do faults, by name (fault_relay).
    var faultRelays: [String: ZMTPRelay] = [:]
    /// The suite's ZMTP peers and listeners, by name, and every connection's transcript.
    var wirePeers: [String: WirePeer] = [:]
    var wireListeners: [String: WireListener] = [:]
    var wireKeys: [String: CurveCrypto.KeyPair] = [:]
    /// In `zmqsuite wire`: how the target is secured, and the key pair name that stands for its
    /// own CURVE server keys in a case about a CURVE server.
    var wireSecurity = WireSecurity()
    var targetServerKeyName: String?
    private let transcripts = NIOLockedValueBox<[WireTranscript]>([])
    var events: [String: [ObservedEvent]] = [:]
    /// What steps with several acceptable outcomes actually did, for the record.
    var observations: [String] = []

    init(
        definition: CaseDefinition, transport: Transport, sessions: [DriverSession], assignment: [String: Int] = [:],
        endpoints: EndpointAllocator, hostAddresses: [String] = []
    ) {
        self.definition = definition
        self.transport = transport
        self.sessions = sessions
        self.assignment = assignment
        self.endpoints = endpoints
        self.hostAddresses = hostAddresses
    }

    /// The interface address of the host a socket lives on, when the cell runs on hosts.
    private func hostAddress(of socket: String) -> String? {
        let i = assignment[socket] ?? 0
        return i < hostAddresses.count ? hostAddresses[i] : nil
    }

    /// Where a socket binds when the step names no endpoint. Multicast: the cell's group on the
    /// socket's own interface. On hosts, tcp and ws bind the host's address, not loopback.
    func allocatedEndpoint(for socket: String) throws -> String {
        if transport.isMulticast {
            guard let address = hostAddress(of: socket) else {
                throw StepProblem.unsupported("\(transport.rawValue) needs hosts with real interfaces (multicast does not work over loopback)")
            }
            return endpoints.multicastEndpoint(for: transport, interface: address)
        }
        if let address = hostAddress(of: socket), transport == .tcp || transport == .ws {
            return "\(transport.scheme)://\(address):*"
        }
        return endpoints.bindEndpoint(for: transport)
    }

    /// Runs the steps until one does not hold.
    func run() -> CellVerdict {
        let start = monotonicMs()
        for (index, step) in definition.steps.enumerated() {
            if let only = step.onlyOn, !only.contains(transport) { continue }
            do {
                try step.action.run(step, in: self)
            } catch {
                let level = step.level ?? definition.level
                let failure = { (expected: String, seen: String) in
                    CellFailure(
                        step: index + 1, line: step.line, stepName: step.name,
                        expected: expected, seen: seen, elapsedMs: monotonicMs() - start)
                }
                let (outcome, cause): (Outcome, CellFailure)
                switch error {
                case StepProblem.mismatch(let expected, let seen): (outcome, cause) = (.violated(level), failure(expected, seen))
                case StepProblem.mismatchAt(let weaker, let expected, let seen):
                    // Never stricter than the case itself.
                    (outcome, cause) = (.violated(weaker.strictness < level.strictness ? weaker : level), failure(expected, seen))
                case StepProblem.unsupported(let why): (outcome, cause) = (.UNSUPPORTED, failure("support for this step", why))
                case StepProblem.error(let why): (outcome, cause) = (.ERROR, failure("the step to finish", why))
                default: (outcome, cause) = (.ERROR, failure("the step to finish", "\(error)"))
                }
                return CellVerdict(outcome: outcome, failure: cause, observations: observations)
            }
        }
        return CellVerdict(observations: observations)
    }

    func closeRaw() {
        for r in raws.values { r.close() }
        for r in relays.values { r.stop() }
        for p in wirePeers.values { p.connection.close() }
        for l in wireListeners.values { l.close() }
    }

    // MARK: the wire peer

    /// A transcript for a connection of peer `name`, kept for the cell's wire log.
    func newTranscript(_ name: String) -> WireTranscript {
        let t = WireTranscript(name: name)
        transcripts.withLockedValue { $0.append(t) }
        return t
    }

    /// Makes transcripts for the connections a listener accepts (on the event loop).
    func transcriptFactory(_ name: String) -> @Sendable () -> WireTranscript {
        let box = transcripts
        return {
            let t = WireTranscript(name: name)
            box.withLockedValue { $0.append(t) }
            return t
        }
    }

    /// The same for numbered connections ("trace 1.2": relay 1's second connection).
    func numberedTranscripts(_ prefix: String) -> @Sendable (Int) -> WireTranscript {
        let box = transcripts
        return { n in
            let t = WireTranscript(name: "\(prefix).\(n)")
            box.withLockedValue { $0.append(t) }
            return t
        }
    }

    /// The cell's wire log: every connection's lines, connection by connection.
    var wireLog: [String] { transcripts.withLockedValue { $0 }.flatMap(\.text) }

    /// The peer by name; a listening peer takes its next connection, waiting up to the bound.
    func wirePeer(_ name: String, withinMs: Int) throws -> WirePeer {
        if let p = wirePeers[name] { return p }
        guard let listener = wireListeners[name] else { throw StepProblem.error("wire peer '\(name)' is not open") }
        guard let c = listener.accept(timeoutMs: withinMs) else {
            throw StepProblem.mismatch(expected: "the socket under test to connect to the wire peer within \(withinMs) ms", seen: "no connection")
        }
        c.transcript.note("accepted a connection on \(listener.endpoint)")
        let p = WirePeer(connection: c)
        wirePeers[name] = p
        return p
    }

    func wireKeyPair(_ name: String) throws -> CurveCrypto.KeyPair {
        guard let k = wireKeys[name] else { throw StepProblem.error("key pair '\(name)' was not made by wire_curve_keys") }
        return k
    }

    // MARK: outcomes of operations

    /// Runs an operation and checks its ending against the step's acceptable outcomes.
    /// `blocking`: the operation waits (no DONTWAIT), so EAGAIN means it outlived its bound.
    func expectOutcome(_ step: Step, _ what: String, blocking: Bool = false, _ body: () throws -> Void) throws {
        var seen = "ok"
        do { try body() } catch let e as ZMQError { seen = e.name }
        guard step.accepts(seen) else {
            if seen == "EAGAIN", blocking {
                throw StepProblem.error("\(what) did not complete within its bound (EAGAIN)")
            }
            throw StepProblem.mismatch(expected: "\(what): \(step.acceptText)", seen: seen)
        }
        if step.recordsOutcome { observations.append("line \(step.line) \(what): \(seen)") }
    }

    func raw(_ name: String) throws -> RawConnection {
        guard let r = raws[name] else { throw StepProblem.error("raw connection '\(name)' is not open") }
        return r
    }

    func id(_ name: String) throws -> SocketRef {
        guard let s = sockets[name] else { throw StepProblem.error("socket '\(name)' is not open") }
        return s
    }

    func endpoint(_ ref: EndpointRef) throws -> String {
        if let literal = ref.literal { return try expandPorts(literal) }
        guard let r = ref.ref, let e = bound[r] else { throw StepProblem.error("endpoint '\(ref.ref ?? "")' was never bound") }
        return e
    }

    /// `{port:NAME}` in a literal endpoint becomes the port NAME is bound to (e.g. to reach
    /// a wildcard bind through another address, such as localhost).
    private func expandPorts(_ text: String) throws -> String {
        var out = text
        while let open = out.range(of: "{port:"), let close = out[open.upperBound...].firstIndex(of: "}") {
            let name = String(out[open.upperBound..<close])
            guard let ep = bound[name], let colon = ep.lastIndex(of: ":") else {
                throw StepProblem.error("{port:\(name)}: '\(name)' is not bound")
            }
            out.replaceSubrange(open.lowerBound...close, with: ep[ep.index(after: colon)...])
        }
        return out
    }

    func optionValue(_ spec: OptionValueSpec) throws -> OptionValue {
        switch spec {
        case .value(let v): return v
        case .curvePublic(let k): return .string(try keyPair(k).publicKey)
        case .curveSecret(let k): return .string(try keyPair(k).secretKey)
        }
    }

    private func keyPair(_ name: String) throws -> CurveKeyPair {
        guard let k = keys[name] else { throw StepProblem.error("no curve key pair '\(name)'") }
        return k
    }

    func frames(_ specs: [FrameSpec], counter: Int) throws -> [[UInt8]] {
        try specs.map { spec in
            switch spec {
            case .text(let t):
                // `{port:NAME}` in a frame: a DGRAM's address frame names a bound socket's port.
                let text = t.replacingOccurrences(of: "{i}", with: String(counter))
                return Array((text.contains("{port:") ? try expandPorts(text) : text).utf8)
            case .bytes(let b): return b
            case .variable(let v):
                guard let value = variables[v] else { throw StepProblem.error("variable '\(v)' was never captured") }
                return value
            }
        }
    }

    /// Sockets that need IPv6 on for tcp6 get it before their first bind or connect.
    func prepare(_ name: String) throws {
        if transport == .tcp6 { try id(name).set(.ipv6, .int(1)) }
    }

    /// Sets an option; a draft option the build refuses (EINVAL) is UNSUPPORTED, unless the
    /// step itself expects EINVAL.
    func setOption(_ s: SocketRef, _ option: SocketOption, _ value: OptionValue, _ step: Step) throws {
        do { try s.set(option, value) } catch let e as ZMQError where e.name == "EINVAL" && option.isDraft && !step.accepts("EINVAL") {
            throw StepProblem.unsupported(
                "setting \(option.rawValue) (ZMQ_\(option.rawValue.uppercased()), \(option.zmqValue)) answered EINVAL: a draft option it does not have")
        }
    }

    func wrap<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as ZMQError { throw StepProblem.error("\(what) failed: \(e.name)") }
    }

    static func same(_ a: OptionValue, _ b: OptionValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.string(let x), .bytes(let y)), (.bytes(let y), .string(let x)): return Array(x.utf8) == y
        case (.bytes(let x), .bytes(let y)): return x == y
        default: return false
        }
    }

    static func describe(_ e: PollEvents) -> String {
        var parts: [String] = []
        if e.contains(.pollIn) { parts.append("in") }
        if e.contains(.pollOut) { parts.append("out") }
        return parts.isEmpty ? "nothing" : parts.joined(separator: "+")
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        for i in 0...(count - needle.count) where self[i] == needle[0] && Array(self[i..<(i + needle.count)]) == needle {
            return true
        }
        return false
    }
}
