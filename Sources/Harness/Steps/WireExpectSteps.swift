/// What the suite's ZMTP peer must see from the implementation: its greeting, a command, a
/// message, a close, or a connection kept open. Each reads within its bound and records what
/// it saw in the wire log.
enum WireExpectSteps {
    static let all: [any StepAction.Type] = [
        WireExpectGreetingStep.self, WireExpectCommandStep.self, WireExpectMessageStep.self, WireExpectClosedStep.self,
        WireExpectOpenStep.self,
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
    static let keys = ["peer", "expect", "within"]
    static let summary = "Reads the next message on the wire (frames up to one without MORE; heartbeats skipped) and matches it as `recv` does."
    var peer: String
    var expect: [FrameMatcher]
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(peer: try scope.wirePeer(a), expect: try scope.matchers(a.required("expect")), withinMs: try a.within())
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
    }
}

/// RFC 23/37: bad input closes the connection, and an ERROR command before the close is a
/// SHOULD; both endings are accepted here (unless `error: true`) and the one seen is recorded.
struct WireExpectClosedStep: StepAction {
    static let name = "wire_expect_closed"
    static let keys = ["peer", "error", "within"]
    static let summary =
        "The implementation closes the connection within the bound; anything before the close is read and recorded (an ERROR command's reason); `error: true` requires an ERROR command first."
    var peer: String
    var requireError: Bool
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(peer: try scope.wirePeer(a), requireError: try a.bool("error"), withinMs: try a.within(default: 3000))
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let p = try cell.wirePeer(peer, withinMs: withinMs)
        let (before, closed) = p.connection.awaitClose(timeoutMs: withinMs)
        let reason = Self.errorReason(in: before)
        if !before.isEmpty { p.transcript.record(.fromPeer, reason.map { "ERROR \"\($0)\" before the close" } ?? "octets before the close", before) }
        guard closed else {
            throw StepProblem.mismatch(expected: "the connection closed within \(withinMs) ms", seen: "still open" + (before.isEmpty ? "" : " after \(before.count) octets \(wireHex(before))"))
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
