import CZeroMQ

/// The suite as a ZMTP peer on the wire (RFC 23, 37, 24, 25/26): open a connection to a socket
/// under test or take one from it, greet, handshake, and send anything, right or wrong. What
/// the implementation does back is judged by the `wire_expect_*` steps (WireExpectSteps.swift).
enum WireSteps {
    static let all: [any StepAction.Type] =
        [
            WireConnectStep.self, WireListenStep.self, WireCurveKeysStep.self, WireGreetingStep.self, WireHandshakeStep.self,
            WireSendStep.self, WireCloseStep.self,
        ] + WireExpectSteps.all
}

struct WireConnectStep: StepAction {
    static let name = "wire_connect"
    static let keys = ["name", "to", "within"]
    static let summary = "Opens the suite's ZMTP peer on a connection to a bound socket's endpoint (tcp or ipc), under a name."
    var peer: String
    var to: EndpointRef
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let n = try a.string("name")
        scope.wirePeers.insert(n)
        return Self(peer: n, to: try scope.endpointRef(a), withinMs: try a.within())
    }

    var pinsEndpoint: Bool { true }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let transcript = cell.newTranscript(peer)
        do {
            cell.wirePeers[peer] = WirePeer(connection: try WireConnection.connect(to: try cell.endpoint(to), timeoutMs: withinMs, transcript: transcript))
        } catch let e as WireError {
            // Not a verdict on the protocol: the endpoint the bind answered is not one the
            // wire peer reaches (JeroMQ's ipc, for one, is TCP underneath).
            throw StepProblem.error("the wire peer cannot reach the endpoint the socket bound: \(e.description)")
        }
    }
}

/// The socket under test connects out to the peer: `connect: { socket: s, to: NAME }` after it.
struct WireListenStep: StepAction {
    static let name = "wire_listen"
    static let keys = ["name"]
    static let summary =
        "Makes the ZMTP peer listen on the cell's transport under a name; a socket then connects `to:` that name, and the next step on the peer takes the connection."
    var peer: String

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let n = try a.string("name")
        scope.wirePeers.insert(n)
        scope.endpoints.insert(n)
        return Self(peer: n)
    }

    var pinsEndpoint: Bool { true }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let requested: String
        if let fixed = (cell.sessions.first as? WireTargetSession)?.listenEndpoint {
            requested = fixed
        } else {
            switch cell.transport {
            case .tcp: requested = "tcp://127.0.0.1:0"
            case .tcp6: requested = "tcp://[::1]:0"
            case .ipc: requested = cell.endpoints.bindEndpoint(for: .ipc)
            default: throw StepProblem.error("the wire peer listens on tcp, tcp6 and ipc, not \(cell.transport.rawValue)")
            }
        }
        let transcripts = cell.transcriptFactory(peer)
        do {
            let listener = try WireListener(endpoint: requested, transcript: transcripts)
            cell.wireListeners[peer] = listener
            cell.bound[peer] = listener.endpoint
        } catch let e as WireError {
            throw StepProblem.error(e.description)
        }
    }
}

/// A CURVE key pair made by the suite (libsodium), so no implementation needs curve_keypair.
struct WireCurveKeysStep: StepAction {
    static let name = "wire_curve_keys"
    static let keys = ["name"]
    static let summary = "Makes a CURVE key pair with the suite's own libsodium under a name, for the peer and for `{curve_public: name}` options."
    var keyName: String

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let k = try a.string("name")
        scope.keys.insert(k)
        return Self(keyName: k)
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        var pair = CurveCrypto.keyPair()
        // In `zmqsuite wire`, the pair the case gives its CURVE server is the target's own.
        if keyName == cell.targetServerKeyName, let known = cell.wireSecurity.serverPublicKey {
            pair = CurveCrypto.KeyPair(publicKey: known, secretKey: cell.wireSecurity.serverSecretKey ?? Array(repeating: 0, count: CurveCrypto.keySize))
        }
        cell.wireKeys[keyName] = pair
        cell.keys[keyName] = CurveKeyPair(publicKey: z85(pair.publicKey), secretKey: z85(pair.secretKey))
    }

    private func z85(_ key: [UInt8]) -> String {
        var out = [CChar](repeating: 0, count: 41)
        _ = zmq_z85_encode(&out, key, key.count)
        return String(cString: out)
    }
}

/// A wire step that may name the mechanism its peer speaks; one that does not speaks NULL, or
/// in `zmqsuite wire` the target's own mechanism.
protocol WireMechanismNaming {
    var namesMechanism: Bool { get }
}

extension WireGreetingStep: WireMechanismNaming { var namesMechanism: Bool { mechanism != nil } }
extension WireHandshakeStep: WireMechanismNaming { var namesMechanism: Bool { mechanism != nil } }
extension WireExpectGreetingStep: WireMechanismNaming { var namesMechanism: Bool { mechanism != nil } }

/// A greeting with any field chosen: the peer's way to say the wrong thing first.
struct WireGreetingStep: StepAction {
    static let name = "wire_greeting"
    static let keys = ["peer", "version", "mechanism", "as_server", "signature", "octets", "socket_type", "identity", "within"]
    static let summary =
        "Sends a greeting: `version` 3.1 (default), 3.0, 2.0 or 1.0 (the older ones with `socket_type`/`identity`), any `mechanism` text, `as_server`, a `signature` ({hex}), or only its first `octets`."
    var peer: String
    var version: String
    /// nil: NULL, or the target's mechanism in `zmqsuite wire` (see WireMechanismNaming).
    var mechanism: String?
    var asServer: Int
    var signature: [UInt8]?
    var octets: Int?
    var socketType: String
    var identity: [UInt8]
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let version = try a["version"]?.string("version") ?? "3.1"
        guard ["3.1", "3.0", "2.0", "1.0"].contains(version) || version.hasPrefix("3.") || version.hasPrefix("4.") else {
            throw try a.required("version").fail("version '\(version)': expected 3.1, 3.0, 3.N, 4.N, 2.0 or 1.0")
        }
        let type = try a["socket_type"]?.string("socket_type") ?? "DEALER"
        if version == "2.0", LegacyGreeting.zmtp20Types[type] == nil {
            throw try a.required("socket_type").fail("a ZMTP/2.0 greeting names one of \(LegacyGreeting.zmtp20Types.keys.sorted().joined(separator: ", "))")
        }
        return Self(
            peer: try scope.wirePeer(a), version: version, mechanism: try a["mechanism"]?.string("mechanism"), asServer: try a.octet("as_server") ?? 0,
            signature: try a["signature"].map { try scope.literalBytes($0) }, octets: try a.positive("octets"), socketType: type,
            identity: Array(try a["identity"]?.string("identity").utf8 ?? "".utf8), withinMs: try a.within())
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let p = try cell.wirePeer(peer, withinMs: withinMs)
        switch version {
        case "2.0":
            try p.sendLegacy(
                LegacyGreeting.zmtp20(socketType: LegacyGreeting.zmtp20Types[socketType]!, identity: identity), label: "ZMTP/2.0 greeting \(socketType)",
                timeoutMs: withinMs)
        case "1.0":
            try p.sendLegacy(LegacyGreeting.zmtp10(identity: identity), label: "ZMTP/1.0 greeting (identity frame)", timeoutMs: withinMs)
        default:
            let parts = version.split(separator: ".").compactMap { UInt8($0) }
            var g = ZMTPGreeting(mechanism: mechanism ?? cell.wireSecurity.mechanism.rawValue, major: parts[0], minor: parts.count > 1 ? parts[1] : 0)
            g.asServer = UInt8(truncatingIfNeeded: asServer)
            if let signature { g.signature = signature }
            if let legacy = try p.sendGreeting(g, octets: octets ?? ZMTPGreeting.size, timeoutMs: withinMs) {
                // Its own bytes say it speaks an older ZMTP: a case about 3.x does not judge it.
                throw StepProblem.unsupported("the implementation greeted as \(legacy), not ZMTP 3.x; this case is about ZMTP 3.x")
            }
        }
    }
}

/// A whole handshake, right or with one fault: greeting, then NULL, PLAIN or CURVE.
struct WireHandshakeStep: StepAction {
    static let name = "wire_handshake"
    static let keys = [
        "peer", "socket_type", "identity", "properties", "mechanism", "as_server", "version", "username", "password", "keys", "server_key",
        "fault", "expect", "expect_properties", "within",
    ]
    static let summary =
        "Greets (unless `wire_greeting` did) and runs the `mechanism` handshake (NULL, PLAIN, CURVE; `as_server`) with READY's `socket_type`, `identity` and `properties`; `expect: ready` (default; `expect_properties` checked, `null` for absent) or `refused` (an ERROR, a close, or no READY within the bound; which one is recorded)."
    var peer: String
    var socketType: String?
    var identity: String?
    var properties: [(String, String)]
    /// nil: NULL, or the target's mechanism and credentials in `zmqsuite wire`.
    var mechanism: WireHandshake.Mechanism?
    var asServer: Bool
    var minor: UInt8
    var username: String
    var password: String
    var keys: String?
    var serverKey: String?
    var fault: WireHandshake.Fault?
    var expectReady: Bool
    var expectProperties: [(String, String?)]
    var withinMs: Int

    /// How long a refusal may follow the implementation's READY.
    static let closeAfterReadyMs = 500

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let version = try a["version"]?.string("version") ?? "3.1"
        guard version == "3.1" || version == "3.0" else { throw try a.required("version").fail("version '\(version)': expected 3.1 or 3.0") }
        func keyName(_ k: String) throws -> String? {
            guard let r = a[k] else { return nil }
            let n = try r.string(k)
            guard scope.keys.contains(n) else { throw r.fail("key pair '\(n)' used before a wire_curve_keys step makes it") }
            return n
        }
        let expect = try a["expect"]?.string("expect") ?? "ready"
        guard ["ready", "refused"].contains(expect) else { throw try a.required("expect").fail("expect '\(expect)': expected ready or refused") }
        let mechanism = try a["mechanism"]?.enumValue("mechanism", WireHandshake.Mechanism.self)
        let s = Self(
            peer: try scope.wirePeer(a), socketType: try a["socket_type"]?.string("socket_type"), identity: try a["identity"]?.string("identity"),
            properties: try a["properties"]?.stringPairs("properties") ?? [], mechanism: mechanism, asServer: try a.bool("as_server"),
            minor: version == "3.0" ? 0 : 1, username: try a["username"]?.string("username") ?? "",
            password: try a["password"]?.string("password") ?? "", keys: try keyName("keys"), serverKey: try keyName("server_key"),
            fault: try a["fault"]?.enumValue("fault", WireHandshake.Fault.self), expectReady: expect == "ready",
            expectProperties: try a["expect_properties"]?.optionalStringPairs("expect_properties") ?? [], withinMs: try a.within())
        if mechanism == .CURVE, s.keys == nil { throw a.fail("a CURVE handshake names its `keys` (a wire_curve_keys pair)") }
        if mechanism == .CURVE, !s.asServer, s.serverKey == nil { throw a.fail("a CURVE client handshake names the `server_key` pair") }
        return s
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let p = try cell.wirePeer(peer, withinMs: withinMs)
        var h = WireHandshake()
        h.mechanism = mechanism ?? .NULL
        h.asServer = asServer
        h.minor = minor
        if let socketType { h.properties.append(("Socket-Type", Array(socketType.utf8))) }
        if let identity { h.properties.append(("Identity", Array(identity.utf8))) }
        h.properties += properties.map { ($0.0, Array($0.1.utf8)) }
        h.username = Array(username.utf8)
        h.password = Array(password.utf8)
        if let keys { h.curveKeys = try cell.wireKeyPair(keys) }
        if let serverKey { h.serverKey = try cell.wireKeyPair(serverKey).publicKey }
        h.fault = fault
        if mechanism == nil { try cell.wireSecurity.apply(to: &h) }
        let mechanism = h.mechanism
        let username = String(decoding: h.username, as: UTF8.self)
        let password = String(decoding: h.password, as: UTF8.self)
        let end: HandshakeEnd
        do { end = try p.handshake(h, timeoutMs: withinMs) } catch let s as WirePeer.Shortfall {
            throw StepProblem.mismatch(expected: expectReady ? "a completed \(mechanism) handshake" : "the handshake refused", seen: s.description)
        }
        if case .legacy(let v) = end {
            throw StepProblem.unsupported("the implementation greeted as \(v), not ZMTP 3.x; this case is about ZMTP 3.x")
        }
        if case .stalled = end { return }
        if mechanism == .PLAIN, asServer, case .ready = end, let got = p.plainCredentials, !(username.isEmpty && password.isEmpty),
            got.username != Array(username.utf8) || got.password != Array(password.utf8)
        {
            throw StepProblem.mismatch(
                expected: "HELLO with username \"\(username)\" and password \"\(password)\"",
                seen: "username \(ZMTPMetadata.show(got.username)), password \(ZMTPMetadata.show(got.password))")
        }
        if !expectReady {
            guard case .ready = end else {
                cell.observations.append("line \(step.line) \(Self.name): refused: \(end.summary)")
                return
            }
            // NULL lets both sides send READY at once: a refusal may come after the
            // implementation's own READY, as the close that follows it.
            let (after, closed) = p.connection.awaitClose(timeoutMs: Self.closeAfterReadyMs)
            let reason = WireExpectClosedStep.errorReason(in: after)
            if !after.isEmpty { p.transcript.record(.fromPeer, reason.map { "ERROR \"\($0)\"" } ?? "octets before the close", after) }
            guard closed else {
                throw StepProblem.mismatch(
                    expected: "the handshake refused (an ERROR command, or a close)",
                    seen: "\(end.summary), and the connection still open after \(Self.closeAfterReadyMs) ms")
            }
            cell.observations.append("line \(step.line) \(Self.name): refused: \(end.summary), then " + (reason.map { "ERROR \"\($0)\" and a close" } ?? "a close"))
            return
        }
        guard case .ready(let props) = end else {
            throw StepProblem.mismatch(expected: "a completed \(mechanism) handshake", seen: end.summary)
        }
        for (name, want) in expectProperties {
            let got = ZMTPMetadata.value(name, in: props)
            if let want, got != Array(want.utf8) {
                throw StepProblem.mismatch(
                    expected: "property \(name) = \"\(want)\"", seen: got.map { "\(name) = \(ZMTPMetadata.show($0))" } ?? "no \(name) in \(end.summary)")
            }
            if want == nil, let got { throw StepProblem.mismatch(expected: "no property \(name)", seen: "\(name) = \(ZMTPMetadata.show(got))") }
        }
    }
}

/// One thing sent after (or instead of) a handshake, right or wrong.
struct WireSendStep: StepAction {
    static let name = "wire_send"
    static let keys = ["peer", "message", "command", "data", "ping", "subscribe", "cancel", "frame", "bytes", "reuse_nonce", "corrupt", "within"]
    static let summary =
        "Sends one thing: a `message` (frames), a `command` with `data`, a `ping` ({ttl, context}), `subscribe`/`cancel` commands, a `frame` ({flags, body, size, long}: a lie when size differs), or raw `bytes`; `reuse_nonce` replays a CURVE nonce, `corrupt` spoils a CURVE box."
    enum What {
        case message([FrameSpec])
        case command(String, [UInt8])
        case frame(flags: UInt8, body: [UInt8], size: UInt64?, long: Bool)
        case bytes([UInt8])
    }
    var peer: String
    var what: What
    var reuseNonce: Bool
    var corrupt: Bool
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let kinds = ["message", "command", "ping", "subscribe", "cancel", "frame", "bytes"].filter { a[$0] != nil }
        guard kinds.count == 1 else { throw a.fail("wire_send takes exactly one of message, command, ping, subscribe, cancel, frame, bytes") }
        let what: What
        switch kinds[0] {
        case "message": what = .message(try scope.frames(a.required("message")))
        case "command":
            what = .command(try a.string("command"), try a["data"].map { try scope.literalBytes($0) } ?? [])
        case "ping":
            let m = try a.required("ping").mapping("ping", allowed: ["ttl", "context"])
            let ttl = try m.first { $0.key == "ttl" }?.value.int("ttl") ?? 0
            let context = try m.first { $0.key == "context" }.map { try scope.literalBytes($0.value) } ?? []
            what = .command("PING", ZMTPCommand.ping(ttl: UInt16(clamping: ttl), context: context).data)
        case "subscribe": what = .command("SUBSCRIBE", try scope.literalBytes(a.required("subscribe")))
        case "cancel": what = .command("CANCEL", try scope.literalBytes(a.required("cancel")))
        case "frame":
            let r = try a.required("frame")
            let m = try r.mapping("frame", allowed: ["flags", "body", "size", "long"])
            func v(_ k: String) -> YAMLReader? { m.first { $0.key == k }?.value }
            let flags = try v("flags")?.int("flags") ?? 0
            guard (0...255).contains(flags) else { throw r.fail("flags must be an octet (0 to 255)") }
            let size = try v("size").map { s -> UInt64 in
                guard let n = UInt64(try s.string("size")) else { throw s.fail("size must be an unsigned integer") }
                return n
            }
            what = .frame(flags: UInt8(flags), body: try v("body").map { try scope.literalBytes($0) } ?? [], size: size, long: try v("long")?.bool("long") ?? false)
        default: what = .bytes(try scope.literalBytes(a.required("bytes")))
        }
        return Self(peer: try scope.wirePeer(a), what: what, reuseNonce: try a.bool("reuse_nonce"), corrupt: try a.bool("corrupt"), withinMs: try a.within())
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let p = try cell.wirePeer(peer, withinMs: withinMs)
        do {
            switch what {
            case .message(let specs):
                let parts = try cell.frames(specs, counter: 0)
                for f in ZMTPFrame.message(parts) { try p.send(f, reuseNonce: reuseNonce, corrupt: corrupt, timeoutMs: withinMs) }
            case .command(let name, let data):
                try p.send(ZMTPCommand(name: name, data: data).frame, label: ZMTPCommand(name: name, data: data).summary, reuseNonce: reuseNonce, timeoutMs: withinMs)
            case .frame(let flags, let body, let size, let long):
                let f = ZMTPFrame(flags: flags, body: body)
                let encoded = f.encode(forceLong: long, size: size)
                let lie = size.map { $0 != UInt64(body.count) } ?? false
                try p.send(
                    f, encoded: encoded, label: "frame flags 0x\(hex([flags][...])) \(lie ? "announcing \(size!) octets with \(body.count)" : "\(body.count) octets")",
                    timeoutMs: withinMs)
            case .bytes(let b): try p.connection.write(b, as: "raw octets", timeoutMs: withinMs)
            }
        } catch let e as WireError {
            throw StepProblem.error(e.description)
        }
    }
}

struct WireCloseStep: StepAction {
    static let name = "wire_close"
    static let keys = ["peer"]
    static let summary = "Closes the peer's connection."
    var peer: String

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self { Self(peer: try scope.wirePeer(a)) }

    func run(_ step: Step, in cell: CellExecutor) throws {
        cell.wirePeers[peer]?.connection.close()
        cell.wirePeers[peer] = nil
    }
}
