/// What the suite's ZMTP peer must see from the implementation: its greeting, a command, a
/// message, a close, or a connection kept open. Each reads within its bound and records what
/// it saw in the wire log.
enum WireExpectSteps {
    static let all: [any StepAction.Type] = [
        WireExpectGreetingStep.self, WireExpectCommandStep.self, WireExpectMessageStep.self, WireExpectClosedStep.self,
        WireExpectOpenStep.self, WireAcceptStep.self, WireExpectNoConnectionStep.self,
    ]
}

struct WireExpectGreetingStep: StepAction {
    static let name = "wire_expect_greeting"
    static let keys = ["peer", "version", "mechanism", "as_server", "within"]
    static let summary =
        "Reads the implementation's greeting and checks `version` (\"3\" any 3.x, \"3.0\", \"3.1\"), `mechanism` and `as_server`; a ZMTP/2.0 or 1.0 greeting makes the cell UNSUPPORTED, quoting it, unless `version` asks for it."
    var peer: String
    var version: String
    var mechanism: String?
    var asServer: Int?
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let v = try a["version"]?.string("version") ?? "3"
        guard ["3", "3.0", "3.1", "2.0", "1.0"].contains(v) else { throw try a.required("version").fail("version '\(v)': expected 3, 3.0, 3.1, 2.0 or 1.0") }
        return Self(
            peer: try scope.wirePeer(a), version: v, mechanism: try a["mechanism"]?.string("mechanism"), asServer: try a.octet("as_server"),
            withinMs: try a.within())
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let p = try cell.wirePeer(peer, withinMs: withinMs)
        if version == "2.0" || version == "1.0" { return try legacyAnswer(p, step, cell) }
        let seen: WirePeer.GreetingSeen
        do { seen = try p.readGreeting(timeoutMs: withinMs) } catch let s as WirePeer.Shortfall {
            throw StepProblem.mismatch(expected: "a greeting within \(withinMs) ms", seen: s.description)
        }
        switch seen {
        case .legacy(let v, let octets):
            if v.hasPrefix("ZMTP/" + version) {
                cell.observations.append("line \(step.line) \(Self.name): \(v)")
                return
            }
            throw StepProblem.unsupported("the implementation greeted as \(v), not ZMTP 3.x: \(wireHex(octets))")
        case .zmtp3(let g):
            cell.observations.append("line \(step.line) \(Self.name): ZMTP \(g.major).\(g.minor) \(g.mechanismName)")
            if version.hasPrefix("1") || version.hasPrefix("2") {
                throw StepProblem.mismatch(expected: "a ZMTP/\(version) greeting", seen: g.summary)
            }
            guard g.major == 3 else { throw StepProblem.mismatch(expected: "major version 3", seen: g.summary) }
            if version.count == 3, "3.\(g.minor)" != version { throw StepProblem.mismatch(expected: "ZMTP \(version)", seen: g.summary) }
            if let mechanism, g.mechanism != ZMTPGreeting.mechanismField(mechanism) {
                throw StepProblem.mismatch(expected: "mechanism \(mechanism), null-padded to 20 octets", seen: "\(g.summary): \(wireHex(g.mechanism))")
            }
            if let asServer, Int(g.asServer) != asServer { throw StepProblem.mismatch(expected: "as-server \(asServer)", seen: g.summary) }
        }
    }
}

extension WireExpectGreetingStep {
    /// After the suite greeted as ZMTP/2.0 or 1.0: the answer RFC 37's backwards
    /// interoperability describes (a 3.x implementation answers in the older framing).
    func legacyAnswer(_ p: WirePeer, _ step: Step, _ cell: CellExecutor) throws {
        do {
            if version == "2.0" {
                let a = try p.readZMTP20Answer(timeoutMs: withinMs)
                cell.observations.append("line \(step.line) \(Self.name): ZMTP/2.0 answer, version octet \(a.revision), socket type \(a.socketType)")
            } else {
                _ = try p.readZMTP10Answer(timeoutMs: withinMs)
                cell.observations.append("line \(step.line) \(Self.name): ZMTP/1.0 identity frame")
            }
        } catch let s as WirePeer.Shortfall {
            throw StepProblem.mismatch(expected: "an answer in ZMTP/\(version) (RFC 37 Backwards Interoperability)", seen: s.description)
        }
    }
}

struct WireExpectCommandStep: StepAction {
    static let name = "wire_expect_command"
    static let keys = ["peer", "command", "data", "properties", "within"]
    static let summary =
        "Reads the next frame: a command named `command`, with `data` (octets) or READY-style `properties` (`null` for absent) when given; PINGs are skipped unless PING is expected."
    var peer: String
    var command: String
    var data: [UInt8]?
    var properties: [(String, String?)]
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(
            peer: try scope.wirePeer(a), command: try a.string("command"), data: try a["data"].map { try scope.literalBytes($0) },
            properties: try a["properties"]?.optionalStringPairs("properties") ?? [], withinMs: try a.within())
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let p = try cell.wirePeer(peer, withinMs: withinMs)
        let deadline = monotonicMs() + Double(withinMs)
        var c: ZMTPCommand
        repeat {
            do { c = try p.readCommand(timeoutMs: max(0, Int(deadline - monotonicMs()))) } catch let s as WirePeer.Shortfall {
                throw StepProblem.mismatch(expected: "a \(command) command within \(withinMs) ms", seen: s.description)
            }
        } while c.name == "PING" && command != "PING"
        guard c.name == command else { throw StepProblem.mismatch(expected: "a \(command) command", seen: c.summary) }
        if let data, c.data != data { throw StepProblem.mismatch(expected: "\(command) data \(describeFrame(data))", seen: "\(command) data \(describeFrame(c.data))") }
        guard !properties.isEmpty else { return }
        guard let props = ZMTPMetadata.decode(c.data) else { throw StepProblem.mismatch(expected: "well-formed properties", seen: wireHex(c.data)) }
        for (name, want) in properties {
            let got = ZMTPMetadata.value(name, in: props)
            if let want, got != Array(want.utf8) {
                throw StepProblem.mismatch(expected: "property \(name) = \"\(want)\"", seen: c.summary)
            }
            if want == nil, got != nil { throw StepProblem.mismatch(expected: "no property \(name)", seen: c.summary) }
        }
    }
}

struct WireExpectMessageStep: StepAction {
    static let name = "wire_expect_message"
    static let keys = ["peer", "expect", "encrypted", "within"]
    static let summary =
        "Reads the next message on the wire (frames up to one without MORE; heartbeats skipped) and matches it as `recv` does; `encrypted: true` also checks that no frame's text crossed the wire in clear."
    var peer: String
    var expect: [FrameMatcher]
    var encrypted: Bool
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(peer: try scope.wirePeer(a), expect: try scope.matchers(a.required("expect")), encrypted: try a.bool("encrypted"), withinMs: try a.within())
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let p = try cell.wirePeer(peer, withinMs: withinMs)
        let parts: [[UInt8]]
        do { parts = try p.readMessage(timeoutMs: withinMs) } catch let s as WirePeer.Shortfall {
            throw StepProblem.mismatch(expected: "a message \(cell.describe(expect, counter: 0)) within \(withinMs) ms", seen: s.description)
        }
        guard cell.matches(expect, parts, counter: 0) else {
            throw StepProblem.mismatch(expected: cell.describe(expect, counter: 0), seen: describeFrames(parts))
        }
        if encrypted, let clear = parts.first(where: { $0.count >= 4 && p.octetsRead.contains(subsequence: $0) }) {
            throw StepProblem.mismatch(expected: "no message text in clear on the wire", seen: "\(describeFrame(clear)) in the octets received")
        }
    }
}

/// RFC 23/37: bad input closes the connection, and an ERROR command before the close is a
/// SHOULD; both endings are accepted here (unless `error: true`) and the one seen is recorded.
struct WireExpectClosedStep: StepAction {
    static let name = "wire_expect_closed"
    static let keys = ["peer", "error", "allow_open", "within"]
    static let summary =
        "The implementation closes the connection within the bound; anything before the close is read and recorded (an ERROR command's reason); `error: true` requires an ERROR command first; `allow_open: true` also accepts a connection still open (where the spec allows both), recording which."
    var peer: String
    var requireError: Bool
    var allowOpen: Bool
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(peer: try scope.wirePeer(a), requireError: try a.bool("error"), allowOpen: try a.bool("allow_open"), withinMs: try a.within(default: 3000))
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let p = try cell.wirePeer(peer, withinMs: withinMs)
        let (before, closed) = p.connection.awaitClose(timeoutMs: withinMs)
        let reason = Self.errorReason(in: before)
        if !before.isEmpty { p.transcript.record(.fromPeer, reason.map { "ERROR \"\($0)\" before the close" } ?? "octets before the close", before) }
        if !closed, allowOpen {
            cell.observations.append("line \(step.line) \(Self.name): still open after \(withinMs) ms")
            return
        }
        guard closed else {
            throw StepProblem.mismatch(
                expected: "the connection closed within \(withinMs) ms", seen: "still open" + (before.isEmpty ? "" : " after \(before.count) octets \(wireHex(before))"))
        }
        let how = reason.map { "closed after ERROR \"\($0)\"" } ?? (before.isEmpty ? "closed without an ERROR command" : "closed after \(before.count) other octets")
        cell.observations.append("line \(step.line) \(Self.name): \(how)")
        if requireError, reason == nil { throw StepProblem.mismatch(expected: "an ERROR command before the close", seen: how) }
    }

    /// The reason of an ERROR command among the octets (clear text: before any CURVE box).
    static func errorReason(in bytes: [UInt8]) -> String? {
        var rest = bytes[...]
        while let (frame, length) = ZMTPFrameReader.frame(in: rest) {
            rest = rest.dropFirst(length)
            if frame.isCommand, let c = ZMTPCommand(body: frame.body), c.name == "ERROR" { return c.errorReason ?? "" }
        }
        return nil
    }
}

struct WireExpectOpenStep: StepAction {
    static let name = "wire_expect_open"
    static let keys = ["peer", "within"]
    static let summary = "The connection stays open for the whole bound (what arrives meanwhile is left to read)."
    var peer: String
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(peer: try scope.wirePeer(a), withinMs: try a.within(default: 300))
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let p = try cell.wirePeer(peer, withinMs: withinMs)
        let seen = p.connection.peek(Int.max, timeoutMs: withinMs)
        if p.connection.isClosedByPeer {
            throw StepProblem.mismatch(expected: "the connection open for \(withinMs) ms", seen: "closed" + (seen.bytes.isEmpty ? "" : " after \(wireHex(seen.bytes))"))
        }
    }
}

/// The listening peer takes the next connection from the socket under test (a reconnection),
/// and the steps after it talk on that one.
struct WireAcceptStep: StepAction {
    static let name = "wire_accept"
    static let keys = ["peer", "within"]
    static let summary = "A listening peer takes the next connection (a reconnection) within the bound; later steps on the peer use it."
    var peer: String
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(peer: try scope.wirePeer(a), withinMs: try a.within(default: 3000))
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        guard cell.wireListeners[peer] != nil else { throw StepProblem.error("wire peer '\(peer)' does not listen (use wire_listen)") }
        cell.wirePeers[peer]?.connection.close()
        cell.wirePeers[peer] = nil
        _ = try cell.wirePeer(peer, withinMs: withinMs)
    }
}

/// RFC 37 Error Handling: after an ERROR command the peer does not reconnect with the same
/// credentials; this step sees that no new connection arrives.
struct WireExpectNoConnectionStep: StepAction {
    static let name = "wire_expect_no_connection"
    static let keys = ["peer", "within"]
    static let summary = "No new connection reaches the listening peer within the bound."
    var peer: String
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(peer: try scope.wirePeer(a), withinMs: try a.within(default: 1000))
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        guard let listener = cell.wireListeners[peer] else { throw StepProblem.error("wire peer '\(peer)' does not listen (use wire_listen)") }
        if let c = listener.accept(timeoutMs: withinMs) {
            c.transcript.note("accepted an unexpected connection")
            c.close()
            throw StepProblem.mismatch(expected: "no new connection within \(withinMs) ms", seen: "the socket under test connected again")
        }
    }
}
