import Foundation

/// The checks every agent must pass: hello and its claims, the core ops, value forms, bounds,
/// errors and bad input, sessions.
extension AgentCheck {
    func checkHello() -> Bool {
        guard let h = call(.hello, waitMs: 20000).reply else {
            record(AgentOp.hello.rawValue, false, "no valid answer to {\"op\":\"hello\"} within 20 s")
            return false
        }
        hello = h
        let complete = h.name != nil && h.version != nil && h.capabilities != nil
        switch h.protocol {
        case AgentWire.protocolVersion?:
            record(AgentOp.hello.rawValue, complete, "protocol 2 with name, version and capabilities")
        case AgentWire.oldestVersion?:
            record(
                AgentOp.hello.rawValue, complete,
                "protocol 1 with name, version and capabilities (version 1 still works; agents/PROTOCOL.md section 7 says what version 2 adds)")
        default:
            record(AgentOp.hello.rawValue, false, "protocol must be 1 or 2; got \(h.protocol.map(String.init) ?? "none")")
            return false
        }
        return complete
    }

    /// What hello claims is true: each socket type can be created, each transport bound.
    func checkClaims() {
        let types = caps.socketTypes ?? []
        let unknown = types.filter { SocketType(rawValue: $0) == nil } + (caps.transports ?? []).filter { Transport(rawValue: $0) == nil }
        record(
            "capabilities", types.contains("PAIR") && (caps.transports ?? []).contains("tcp") && unknown.isEmpty,
            unknown.isEmpty ? "socket_types lists PAIR and transports tcp" : "names outside the protocol: \(unknown)")
        guard let session = openSession("the claims") else { return }
        defer { closeSession(session) }
        var failed: [String] = []
        for name in types {
            let r = call(.socket) {
                $0.session = session; $0.type = name
            }
            guard let s = r.reply?.socket else { failed.append("socket \(name): \(r)"); continue }
            _ = call(.close) { $0.socket = s }
        }
        record(
            "socket types", failed.isEmpty, failed.isEmpty ? "created each of \(types.count) claimed types" : "claimed but not created: " + failed.joined(separator: "; ")
        )
        failed = []
        let endpoints = EndpointAllocator(cellTag: "agent-check")
        defer { endpoints.cleanup() }
        let bindable = (caps.transports ?? []).compactMap(Transport.init).filter { !$0.isMulticast }
        for t in bindable {
            let type: SocketType = t == .udp ? .DISH : .PAIR
            guard let s = socket(session, type) else { failed.append("\(t.rawValue): no \(type.rawValue) socket"); continue }
            if t == .tcp6 { _ = set(s, .ipv6, .int(1)) }
            var endpoint = endpoints.bindEndpoint(for: t)
            var r = call(.bind) {
                $0.socket = s; $0.endpoint = endpoint
            }
            // A fresh endpoint already in use is a collision, not a missing transport (JeroMQ
            // maps an ipc path to a TCP port by hash, which something else may hold): one
            // more fresh endpoint decides.
            if r.errorName == "EADDRINUSE" {
                endpoint = endpoints.bindEndpoint(for: t)
                r = call(.bind) {
                    $0.socket = s; $0.endpoint = endpoint
                }
            }
            if !r.isOK { failed.append("bind \(endpoint): \(r)") }
            _ = call(.close) { $0.socket = s }
        }
        record(
            "transports", failed.isEmpty,
            failed.isEmpty ? "bound each of \(bindable.count) claimed transports" : "claimed but not bound: " + failed.joined(separator: "; "))
    }

    func checkCore() {
        guard let session = openSession("the core ops") else { return }
        defer { closeSession(session) }
        guard let a = socket(session, .PAIR), let b = socket(session, .PAIR), a != b else {
            record(AgentOp.socket.rawValue, false, "two PAIR sockets need two integer handles")
            return
        }
        let bindRequest = request(.bind) {
            $0.socket = a; $0.endpoint = "tcp://127.0.0.1:*"
        }
        let bound = call(bindRequest)
        guard let endpoint = bound.reply?.endpoint, !endpoint.hasSuffix(":*"), !endpoint.hasSuffix(":0") else {
            expect(AgentOp.bind.rawValue, bindRequest, false, "must answer the real endpoint (port resolved); got \(bound)")
            return
        }
        record(AgentOp.bind.rawValue, true, endpoint)
        record(AgentOp.connect.rawValue, connect(b, endpoint), "connect to \(endpoint)")
        let frames = [[UInt8]("hello".utf8), [0, 255, 10], []]
        let sent = send(b, frames)
        record(AgentOp.send.rawValue, sent.isOK, "a 3-frame message (text, binary with a newline byte, empty): \(sent)")
        let got = receive(a)
        let back = got.reply?.frames?.map(\.bytes) ?? []
        record(AgentOp.recv.rawValue, back == frames, "frames must come back intact in base64; got \(got.isOK ? describeFrames(back) : got.description)")

        checkValueForms(session)
        checkBounds(session, a)
        checkPoll(a, b)
        let twice = request(.bind) {
            $0.socket = a; $0.endpoint = endpoint
        }
        let again = call(twice)
        expect("errno names", twice, again.errorName == "EADDRINUSE", "binding an endpoint twice must answer the errno name EADDRINUSE; got \(again)")
    }

    /// Each kind of option value, set and read back in the form the option table gives.
    func checkValueForms(_ session: Int) {
        guard let s = socket(session, .DEALER) else { return record("value forms", false, "no DEALER socket") }
        var problems: [String] = []
        // Bytes that are not text have a form from version 2 on; a version 1 agent gets text.
        let routingId: [UInt8] = version >= 2 ? [0, 255, 10, 1] : Array("rid".utf8)
        let samples: [(SocketOption, OptionValue)] = [
            (.sndhwm, .int(1234)), (.immediate, .int(1)), (.routing_id, version >= 2 ? .bytes(routingId) : .string("rid")),
            (.plain_username, .string("alice")), (.affinity, .int(3)),
        ]
        for (option, value) in samples where claims(option) {
            let put = request(.set) {
                $0.socket = s; $0.option = option.rawValue; $0.value = AgentValue(value, for: option, version: version)
            }
            let setAnswer = call(put)
            // NOT_IMPLEMENTED is an answer the protocol allows (the cell is then UNSUPPORTED).
            if setAnswer.errorName == AgentWire.ErrorName.notImplemented { continue }
            guard setAnswer.isOK else { problems.append("\(AgentWire.line(put)) answered \(setAnswer)"); continue }
            let read = call(.get) {
                $0.socket = s; $0.option = option.rawValue
            }
            if read.errorName == AgentWire.ErrorName.notImplemented { continue }
            // Read back in the table's form (version 1 agents answer binary values either way).
            let wanted = option == .routing_id ? OptionValue.bytes(routingId) : value
            guard let v = read.reply?.value?.value, v == wanted || (version < 2 && v == value) else {
                problems.append("get \(option.rawValue) after setting \(value) answered \(read) (expected the form of the option table)")
                continue
            }
        }
        // Binary subscriptions that are not text have a form from version 2 on.
        if version >= 2, claims(.SUB), let sub = socket(session, .SUB) {
            for bytes in [[UInt8](), [0xff, 0x00, 0x0a]] {
                let put = request(.set) {
                    $0.socket = sub; $0.option = SocketOption.subscribe.rawValue; $0.value = AgentValue(.bytes(bytes))
                }
                let r = call(put)
                if !r.isOK { problems.append("\(AgentWire.line(put)) answered \(r)") }
            }
        }
        let unknown = request(.set) {
            $0.socket = s; $0.option = "no_such_option"; $0.value = AgentValue(.int(1))
        }
        let u = call(unknown)
        if u.errorName != "EINVAL" { problems.append("an option outside the table must answer EINVAL: \(AgentWire.line(unknown)) answered \(u)") }
        record(
            "value forms", problems.isEmpty,
            problems.isEmpty ? "integer, boolean, bytes ({\"base64\"}), text, 64-bit; binary subscriptions; unknown option EINVAL" : problems.joined(separator: "; "))
    }

    /// timeout_ms, the socket's own RCVTIMEO, and dontwait are honoured.
    func checkBounds(_ session: Int, _ pair: Int) {
        /// The request must answer EAGAIN, no sooner than `atLeast` and sooner than `before` ms.
        func eagain(_ name: String, _ r: AgentRequest, atLeast: Double = 0, before: Double, _ rule: String) {
            let start = monotonicMs()
            let a = call(r, waitMs: 8000)
            let took = monotonicMs() - start
            expect(name, r, a.errorName == "EAGAIN" && took >= atLeast && took < before, "\(rule); got \(a) after \(Int(took)) ms")
        }
        eagain(
            "recv timeout",
            request(.recv) {
                $0.socket = pair; $0.timeoutMs = 300
            }, atLeast: 250, before: 1800,
            "recv with nothing queued and timeout_ms 300 must answer EAGAIN after about 300 ms")
        if let s = socket(session, .PAIR), claims(.rcvtimeo), set(s, .rcvtimeo, .int(100)).isOK, bind(s, "tcp://127.0.0.1:*") != nil {
            eagain(
                "socket rcvtimeo",
                request(.recv) {
                    $0.socket = s; $0.timeoutMs = 4000
                }, before: 1500,
                "after set rcvtimeo 100, a recv with timeout_ms 4000 must end at the socket's 100 ms")
        }
        if claims(.PUSH), let push = socket(session, .PUSH) {
            let send = { (dontwait: Bool, ms: Int) in
                self.request(.send) {
                    $0.socket = push; $0.frames = [AgentBytes([1])]; $0.dontwait = dontwait; $0.timeoutMs = ms
                }
            }
            eagain("dontwait", send(true, 4000), before: 1500, "a PUSH with no peer, send with dontwait must answer EAGAIN at once")
            eagain(
                "send timeout", send(false, 300), atLeast: 250, before: 1800,
                "a PUSH with no peer, send with timeout_ms 300 must answer EAGAIN after about 300 ms")
        }
    }

    func checkPoll(_ a: Int, _ b: Int) {
        let idle = request(.poll) {
            $0.items = [AgentPollItem(socket: a, events: .pollIn)]; $0.timeoutMs = 200
        }
        let none = call(idle)
        expect(AgentOp.poll.rawValue, idle, none.reply?.revents.map { $0 == [[]] } ?? false, "nothing to read: revents must be [[]]; got \(none)")
        guard send(b, [[7]]).isOK else { return }
        let ready = request(.poll) {
            $0.items = [AgentPollItem(socket: a, events: .pollIn)]; $0.timeoutMs = 2000
        }
        let got = call(ready, waitMs: 7000)
        expect("poll ready", ready, got.reply?.revents.map { $0 == [["in"]] } ?? false, "a message waiting: revents must be [[\"in\"]]; got \(got)")
        _ = receive(a)
    }

    /// Bad requests are answered PROTOCOL and the agent keeps serving.
    func checkBadInput() {
        let teleport = AgentRequest(op: "teleport")
        let unknownOp = call(teleport)
        expect("unknown op", teleport, unknownOp.errorName == AgentWire.ErrorName.protocolError, "an unknown op must answer error PROTOCOL; got \(unknownOp)")
        let stranger = request(.close) { $0.socket = 999_999 }
        let unknownSocket = call(stranger)
        expect(
            "unknown handle", stranger, unknownSocket.errorName == AgentWire.ErrorName.protocolError, "an unknown handle must answer error PROTOCOL; got \(unknownSocket)"
        )
        let bare = request(.sessionClose)
        let missing = call(bare)
        expect(
            "missing argument", bare, missing.errorName == AgentWire.ErrorName.protocolError,
            "a request without a required argument must answer error PROTOCOL; got \(missing)")
        _ = process.write("this is not json\n")
        let junk = awaitAnswer(id: nil, waitMs: 5000)
        record("bad JSON", junk.errorName == AgentWire.ErrorName.protocolError, "a line that is not JSON must answer ok false, error PROTOCOL, id null; got \(junk)")
        let alive = call(.hello, waitMs: 10000)
        record("alive after bad input", alive.isOK, "the agent must keep serving after bad requests; hello answered \(alive)")
    }

    /// session_close answers clean, and the session's endpoints are free afterwards.
    func checkSessionsClose() {
        guard let first = openSession("closing"), let s = socket(first, .PAIR), let endpoint = bind(s, "tcp://127.0.0.1:*") else { return }
        let close = request(.sessionClose) {
            $0.session = first; $0.timeoutMs = 2000
        }
        let closed = call(close, waitMs: 8000)
        expect(AgentOp.sessionClose.rawValue, close, closed.reply?.clean == true, "closing a session with a bound socket must answer clean true; got \(closed)")
        guard let second = openSession("rebinding") else { return }
        defer { closeSession(second) }
        guard let t = socket(second, .PAIR) else { return }
        let rebind = request(.bind) {
            $0.socket = t; $0.endpoint = endpoint
        }
        let again = call(rebind)
        expect("session really closed", rebind, again.isOK, "after session_close, its endpoint must be free to bind again; got \(again)")
        let old = request(.close) { $0.socket = s }
        let stale = call(old)
        expect(
            "closed session's handles", old, stale.errorName == AgentWire.ErrorName.protocolError,
            "a socket of a closed session is an unknown handle (PROTOCOL); got \(stale)")
    }
}
