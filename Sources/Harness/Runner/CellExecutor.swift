/// Runs one case on one transport against one driver session, step by step.
/// Every wait has a bound; the first step that goes wrong ends the cell.
final class CellExecutor {
    let definition: CaseDefinition
    let transport: Transport
    /// The implementations of the cell: one, or two in an interop cell.
    let sessions: [DriverSession]
    /// Which session each socket lives in (by name); unlisted sockets live in the first.
    let assignment: [String: Int]
    private let endpoints: EndpointAllocator
    /// On hosts: each session's interface address (index-aligned with sessions); else empty.
    let hostAddresses: [String]
    var sockets: [String: SocketRef] = [:]
    var socketTypes: [String: SocketType] = [:]
    var bound: [String: String] = [:]
    var proxies: [String: (DriverSession, Int)] = [:]
    var keys: [String: CurveKeyPair] = [:]
    var raws: [String: RawConnection] = [:]
    var variables: [String: [UInt8]] = [:]
    var counters: [String: Int] = [:]
    /// Monitored sockets by name; kept after close, since the monitor reports the close.
    var monitorIDs: [String: SocketRef] = [:]
    var relays: [String: TCPRelay] = [:]
    var events: [String: [ObservedEvent]] = [:]
    /// What steps with several acceptable outcomes actually did, for the record.
    var observations: [String] = []

    init(definition: CaseDefinition, transport: Transport, sessions: [DriverSession], assignment: [String: Int] = [:],
         endpoints: EndpointAllocator, hostAddresses: [String] = []) {
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
    private func allocatedEndpoint(for socket: String) throws -> String {
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

    /// Runs the steps; returns nil when all held, else the outcome and failure.
    func run() -> (Outcome, CellFailure)? {
        let start = monotonicMs()
        for (index, step) in definition.steps.enumerated() {
            if let only = step.onlyOn, !only.contains(transport) { continue }
            do {
                try execute(step)
            } catch {
                let level = step.level ?? definition.level
                let failure = { (expected: String, seen: String) in
                    CellFailure(step: index + 1, line: step.line, stepName: step.kind.name,
                                expected: expected, seen: seen, elapsedMs: monotonicMs() - start)
                }
                switch error {
                case StepProblem.mismatch(let expected, let seen): return (.violated(level), failure(expected, seen))
                case StepProblem.unsupported(let why): return (.UNSUPPORTED, failure("support for this step", why))
                case StepProblem.error(let why): return (.ERROR, failure("the step to finish", why))
                default: return (.ERROR, failure("the step to finish", "\(error)"))
                }
            }
        }
        return nil
    }

    func closeRaw() {
        for r in raws.values { r.close() }
        for r in relays.values { r.stop() }
    }

    // MARK: outcomes of operations

    /// Runs an operation and checks its ending against the step's acceptable outcomes.
    private func expectOutcome(_ step: Step, _ what: String, _ body: () throws -> Void) throws {
        var seen = "ok"
        do { try body() } catch let e as ZMQError { seen = e.name }
        guard step.accept.contains(seen) else {
            if seen == "EAGAIN", step.kind.isBlockingSend {
                throw StepProblem.error("\(what) did not complete within its bound (EAGAIN)")
            }
            throw StepProblem.mismatch(expected: "\(what): \(step.accept.joined(separator: " or "))", seen: seen)
        }
        if step.accept.count > 1 { observations.append("line \(step.line) \(what): \(seen)") }
    }

    func id(_ name: String) throws -> SocketRef {
        guard let s = sockets[name] else { throw StepProblem.error("socket '\(name)' is not open") }
        return s
    }

    private func endpoint(_ ref: EndpointRef) throws -> String {
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

    private func optionValue(_ spec: OptionValueSpec) throws -> OptionValue {
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
            case .text(let t): return Array(t.replacingOccurrences(of: "{i}", with: String(counter)).utf8)
            case .bytes(let b): return b
            case .variable(let v):
                guard let value = variables[v] else { throw StepProblem.error("variable '\(v)' was never captured") }
                return value
            }
        }
    }

    /// Sockets that need IPv6 on for tcp6 get it before their first bind or connect.
    private func prepare(_ name: String) throws {
        if transport == .tcp6 { try id(name).set(.ipv6, .int(1)) }
    }

    // MARK: steps

    private func execute(_ step: Step) throws {
        switch step.kind {
        case .socket(let decl):
            let owner = sessions[assignment[decl.name] ?? 0]
            let s = SocketRef(session: owner, id: try wrap("zmq_socket(\(decl.type.rawValue))") { try owner.socket(decl.type) })
            sockets[decl.name] = s
            socketTypes[decl.name] = decl.type
            for (option, value) in decl.options {
                let v = try optionValue(value)
                try expectOutcome(step, "set \(option.rawValue)=\(v)") { try setOption(s, option, v, step) }
            }
            if decl.monitor {
                try wrap("monitor") { try s.monitor() }
                monitorIDs[decl.name] = s
            }
        case .set(let name, let option, let value):
            let v = try optionValue(value)
            try expectOutcome(step, "set \(option.rawValue)=\(v)") { try setOption(try id(name), option, v, step) }
        case .get(let name, let option, let expected):
            var got: OptionValue?
            try expectOutcome(step, "get \(option.rawValue)") { got = try id(name).get(option) }
            if let expected, let got, !Self.same(expected, got) {
                throw StepProblem.mismatch(expected: "\(option.rawValue) = \(expected)", seen: "\(got)")
            }
        case .reserve(let alias):
            guard let ep = endpoints.reserve(for: transport) else { throw StepProblem.error("could not reserve a \(transport.rawValue) endpoint") }
            bound[alias] = ep
        case .bind(let name, let alias, let literal, let reserved):
            try prepare(name)
            let ep = try literal ?? reserved.map { try endpoint(EndpointRef(ref: $0, literal: nil)) } ?? allocatedEndpoint(for: name)
            try expectOutcome(step, "bind \(ep)") {
                let real = try id(name).bind(ep)
                bound[name] = real
                if let alias { bound[alias] = real }
            }
        case .connect(let name, let ref):
            try prepare(name)
            // Multicast has no binder to reach: every socket joins the group on its own interface.
            var ep = transport.isMulticast && ref.literal == nil ? try allocatedEndpoint(for: name) : try endpoint(ref)
            // tipc binds a name sequence {type,lower,upper} and connects to a name {type,instance}@zone.
            if transport == .tipc, ref.literal == nil, let close = ep.lastIndex(of: ","), ep.hasSuffix("}") {
                ep = String(ep[..<close]) + "}@0.0.0"
            }
            try expectOutcome(step, "connect \(ep)") { try id(name).connect(ep) }
        case .disconnect(let name, let ref):
            let ep = try endpoint(ref)
            try expectOutcome(step, "disconnect \(ep)") { try id(name).disconnect(ep) }
        case .unbind(let name, let ref):
            let ep = try endpoint(ref)
            try expectOutcome(step, "unbind \(ep)") { try id(name).unbind(ep) }
        case .send(let name, let specs, let dontWait, let count, let within, let retryOn):
            let s = try id(name)
            let deadline = monotonicMs() + Double(within)
            for i in 0..<count {
                let f = try frames(specs, counter: i)
                try expectOutcome(step, count > 1 ? "send #\(i)" : "send") {
                    // retry_on: errors that mean "not yet" (a route still being attached), retried within the bound.
                    while true {
                        do {
                            return try s.send(f, dontWait: dontWait, timeoutMs: within)
                        } catch let e as ZMQError where retryOn.contains(e.name) && monotonicMs() < deadline {
                            _ = try? poll([(s, .pollIn)], timeoutMs: 5)
                        }
                    }
                }
            }
        case .recv(let name, let expect, let count, let within, let properties):
            try receive(step, name, expect, count, within, properties)
        case .noRecv(let name, let within):
            do {
                let m = try id(name).receive(timeoutMs: within)
                throw StepProblem.mismatch(expected: "nothing on \(name) within \(within) ms", seen: describeFrames(m.frames))
            } catch let e as ZMQError {
                if e.name != "EAGAIN" { throw StepProblem.mismatch(expected: "nothing on \(name) within \(within) ms (EAGAIN)", seen: e.name) }
            }
        case .poll(let items, let expect, let within):
            let ids = try items.map { (try id($0.0), $0.1) }
            var got: [PollEvents] = []
            try expectOutcome(step, "poll") { got = try poll(ids, timeoutMs: within) }
            for (i, item) in items.enumerated() {
                let want = expect[item.0] ?? []
                if got.isEmpty { continue }
                let seen = got[i].intersection(item.1)
                if seen != want {
                    throw StepProblem.mismatch(expected: "\(item.0) ready for \(Self.describe(want)) within \(within) ms",
                                               seen: "ready for \(Self.describe(seen))")
                }
            }
        case .monitor(let name):
            try wrap("monitor") { try id(name).monitor() }
            monitorIDs[name] = try id(name)
        case .noEvent(let name, let event, let within):
            do {
                try awaitEvents(name, count: 1, within: within) { $0.event == event }
                throw StepProblem.mismatch(expected: "no \(event.rawValue) on \(name) within \(within) ms", seen: event.rawValue)
            } catch StepProblem.mismatch(let expected, _) where expected.hasPrefix("1 matching") {}
        case .awaitEvent(let name, let event, let count, let within, let value):
            try awaitEvents(name, count: count, within: within) { $0.event == event && (value == nil || Int($0.value) == value) }
        case .drain(let name, let quiet, let within, let minCount, let maxCount, let expectCount):
            var low = minCount, high = maxCount
            if let expectCount, let n = counters[expectCount] { (low, high) = (n, n) }
            try drain(name, quietMs: quiet, withinMs: within, minCount: low, maxCount: high)
        case .awaitPeers(let name, let count, let within):
            // inproc connections are complete when connect returns: libzmq emits no handshake events for them.
            if transport == .inproc { return }
            try awaitEvents(name, count: count, within: within) { $0.event == .HANDSHAKE_SUCCEEDED }
        case .close(let name):
            try expectOutcome(step, "close") { try id(name).close() }
            sockets[name] = nil
        case .proxy(let name, let fe, let be, let capture, let control):
            let refs = try [fe, be].map(id) + (try [capture, control].compactMap { $0 }.map(id))
            let owner = refs[0].session
            guard refs.allSatisfy({ $0.session === owner }) else {
                throw StepProblem.unsupported("a proxy's sockets must live in one implementation")
            }
            let p = try wrap("proxy") {
                try owner.startProxy(frontend: try id(fe).id, backend: try id(be).id,
                                     capture: try capture.map { try id($0).id }, control: try control.map { try id($0).id })
            }
            proxies[name] = (owner, p)
        case .awaitProxyExit(let name, let within):
            guard let p = proxies[name] else { throw StepProblem.error("no proxy '\(name)'") }
            let (returned, error) = p.0.waitProxy(p.1, timeoutMs: within)
            guard returned else { throw StepProblem.mismatch(expected: "proxy \(name) to return within \(within) ms", seen: "still running") }
            let seen = error ?? "ok"
            guard step.accept.contains(seen) else {
                throw StepProblem.mismatch(expected: "proxy return: \(step.accept.joined(separator: " or "))", seen: seen)
            }
        case .zap(let script):
            // Every implementation of the cell gets the handler: the server may be in any.
            for s in sessions { try wrap("install ZAP handler") { try s.installZAP(script) } }
        case .expectZAP(let count, let mechanism, let domain, let credentials, let status):
            try expectZAP(count: count, mechanism: mechanism, domain: domain, credentials: credentials, status: status)
        case .curveKeys(let name):
            do { keys[name] = try sessions[0].curveKeyPair() } catch let e as ZMQError {
                throw StepProblem.unsupported("zmq_curve_keypair: \(e.name)")
            }
        case .collect(let from, let count, let within, let first, let groupBy, let groups, let tolerance):
            try collect(from: from, count: count, within: within, first: first, groupBy: groupBy, groups: groups, tolerance: tolerance)
        case .awaitSubscription(let pub, let subs, let topic, let within):
            try awaitSubscription(pub: pub, subs: subs, topic: topic, within: within)
        case .sendUntilBlocked(let name, let specs, let max, let minCount, let maxCount, let settle, let countAs, let within):
            let s = try id(name)
            var sent = 0
            let deadline = monotonicMs() + Double(within)
            while sent < max {
                guard monotonicMs() < deadline else {
                    throw StepProblem.mismatch(expected: "sends to block (EAGAIN and no POLLOUT) within \(within) ms",
                                               seen: "\(sent) sent; the socket kept reporting POLLOUT while refusing with EAGAIN")
                }
                do {
                    try s.send(try frames(specs, counter: sent), dontWait: true, timeoutMs: 0)
                    sent += 1
                } catch let e as ZMQError {
                    guard e.name == "EAGAIN" else { throw StepProblem.mismatch(expected: "ok or EAGAIN", seen: e.name) }
                    // Blocked means still not writable after the I/O thread had time to move the queue on
                    // (settle 0: the first EAGAIN is final).
                    if settle == 0 { break }
                    let ready = try? poll([(s, .pollOut)], timeoutMs: settle)
                    if ready?.first?.contains(.pollOut) != true { break }
                }
            }
            if let countAs { counters[countAs] = sent }
            observations.append("line \(step.line) send_until_blocked: \(sent) messages accepted")
            guard sent >= minCount && sent <= maxCount else {
                throw StepProblem.mismatch(expected: "between \(minCount) and \(maxCount == Int.max ? "any" : String(maxCount)) messages before EAGAIN",
                                           seen: sent == max ? "\(sent) (never blocked)" : "\(sent)")
            }
        case .rawConnect(let name, let ref):
            raws[name] = try RawConnection(endpoint: try endpoint(ref), timeoutMs: CaseLoader.defaultWithinMs)
        case .rawSend(let name, let data):
            try raws[name]!.send(data, timeoutMs: CaseLoader.defaultWithinMs)
        case .rawRecv(let name, let expect, let size, let within):
            let want = size ?? expect?.count ?? 1
            let (got, closed) = raws[name]!.receive(count: want, timeoutMs: within)
            if let expect, Array(got.prefix(expect.count)) != expect {
                throw StepProblem.mismatch(expected: describeFrame(expect), seen: describeFrame(got) + (closed ? " then close" : ""))
            }
            if got.count < want {
                throw StepProblem.mismatch(expected: "\(want) bytes within \(within) ms", seen: "\(got.count) bytes" + (closed ? " then close" : ""))
            }
        case .rawExpectClosed(let name, let within):
            let (got, closed) = raws[name]!.receive(count: 1 << 20, timeoutMs: within)
            guard closed else {
                throw StepProblem.mismatch(expected: "the connection closed within \(within) ms", seen: "still open after \(got.count) bytes")
            }
        case .relay(let name, let ref):
            let r = try TCPRelay(to: try endpoint(ref))
            r.start()
            relays[name] = r
            bound[name] = r.endpoint
        case .relayExpect(let name, let absent, let present):
            let seen = relays[name]!.seen
            if let absent, seen.contains(subsequence: absent) {
                throw StepProblem.mismatch(expected: "\(describeFrame(absent)) never on the wire", seen: "it is, in \(seen.count) relayed bytes")
            }
            if let present, !seen.contains(subsequence: present) {
                throw StepProblem.mismatch(expected: "\(describeFrame(present)) on the wire", seen: "not in \(seen.count) relayed bytes")
            }
        case .rawClose(let name):
            raws[name]?.close()
            raws[name] = nil
        }
    }

    /// Sets an option; a draft option the build refuses (EINVAL) is UNSUPPORTED, unless the
    /// step itself expects EINVAL.
    private func setOption(_ s: SocketRef, _ option: SocketOption, _ value: OptionValue, _ step: Step) throws {
        do { try s.set(option, value) } catch let e as ZMQError where e.name == "EINVAL" && option.isDraft && !step.accept.contains("EINVAL") {
            throw StepProblem.unsupported("option \(option.rawValue) is draft API and this build refuses it (EINVAL)")
        }
    }

    private func wrap<T>(_ what: String, _ body: () throws -> T) throws -> T {
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

extension StepKind {
    /// A send that waits (no DONTWAIT): running out of its bound is a harness timeout.
    var isBlockingSend: Bool {
        if case .send(_, _, let dontWait, _, _, _) = self { return !dontWait }
        return false
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
