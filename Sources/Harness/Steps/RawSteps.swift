/// The wire below ZeroMQ: a plain TCP peer of the suite's own that writes and reads bytes,
/// greets in ZMTP, and sees closes. What it sees is evidence any implementation can give.
enum RawSteps {
    static let all: [any StepAction.Type] = [
        RawConnectStep.self, RawSendStep.self, RawGreetStep.self, RawExpectGreetingStep.self, RawRecvStep.self,
        RawExpectClosedStep.self, RawCloseStep.self,
    ]
}

struct RawConnectStep: StepAction {
    static let name = "raw_connect"
    static let keys = ["name", "to"]
    static let summary = "Opens a plain TCP connection to an endpoint, under a name: a peer below ZeroMQ for STREAM and ZMTP wire cases."
    var rawName: String
    var to: EndpointRef

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let n = try a.string("name")
        scope.raws.insert(n)
        return Self(rawName: n, to: try scope.endpointRef(a))
    }

    var pinsEndpoint: Bool { true }

    func run(_ step: Step, in cell: CellExecutor) throws {
        cell.raws[rawName] = try RawConnection(endpoint: try cell.endpoint(to), timeoutMs: CaseLoader.defaultWithinMs)
    }
}

struct RawSendStep: StepAction {
    static let name = "raw_send"
    static let keys = ["raw", "data"]
    static let summary = "Writes bytes (`data:` strings and `{hex: ...}` pieces) on a raw connection."
    var rawName: String
    var data: [UInt8]

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(rawName: try scope.rawName(a), data: try scope.literalBytes(a.required("data")))
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        try cell.raw(rawName).send(data, timeoutMs: CaseLoader.defaultWithinMs)
    }
}

/// A ZMTP 3.x NULL handshake's first half, as bytes: the greeting (RFC 23 3.2) and a READY
/// command (3.5) with the properties given.
struct RawGreetStep: StepAction {
    static let name = "raw_greet"
    static let keys = ["raw", "socket_type", "version", "identity"]
    static let summary =
        "Writes a ZMTP greeting (NULL mechanism, `version` 3.0 or 3.1, default 3.1) and a READY command with `socket_type` (any name, valid or not) and an optional `identity` on a raw connection."
    var rawName: String
    var socketType: String
    var minor: UInt8
    var identity: String?

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let type = try a.string("socket_type")
        guard !type.isEmpty, type.utf8.count < 256 else { throw try a.required("socket_type").fail("socket_type must be 1 to 255 bytes") }
        let version = try a["version"]?.string("version") ?? "3.1"
        guard let minor = ["3.0": UInt8(0), "3.1": 1][version] else { throw try a.required("version").fail("version '\(version)': expected 3.0 or 3.1") }
        return Self(rawName: try scope.rawName(a), socketType: type, minor: minor, identity: try a["identity"]?.string("identity"))
    }

    /// Signature, version, "NULL" padded to 20 octets, as-server 0, filler (64 octets).
    var greeting: [UInt8] {
        // The last padding octet is 1, as libzmq sends it: a ZMTP/1.0 peer reads it as an identity length.
        [0xFF] + [UInt8](repeating: 0, count: 7) + [1, 0x7F, 3, minor] + Array("NULL".utf8) + [UInt8](repeating: 0, count: 16) + [0]
            + [UInt8](repeating: 0, count: 31)
    }

    var ready: [UInt8] {
        var body: [UInt8] = [5] + Array("READY".utf8)
        var properties = [("Socket-Type", socketType)]
        if let identity { properties.append(("Identity", identity)) }
        for (name, value) in properties {
            body += [UInt8(name.utf8.count)] + Array(name.utf8)
            body += withUnsafeBytes(of: UInt32(value.utf8.count).bigEndian, Array.init) + Array(value.utf8)
        }
        // A command frame: flag 0x04, short size, or 0x06 with an 8-octet size.
        if body.count < 256 { return [0x04, UInt8(body.count)] + body }
        return [0x06] + withUnsafeBytes(of: UInt64(body.count).bigEndian, Array.init) + body
    }

    /// Sends the signature first and looks at the peer's before the rest, as RFC 23 asks of a
    /// peer that wants to detect older ones: a ZMTP/2.0 peer closes on a 3.x version octet,
    /// so it is recognised by its own greeting first.
    func run(_ step: Step, in cell: CellExecutor) throws {
        let raw = try cell.raw(rawName)
        let bytes = greeting + ready
        try raw.send(Array(bytes[0..<10]), timeoutMs: CaseLoader.defaultWithinMs)
        let theirs = raw.peek(count: 11, timeoutMs: CaseLoader.defaultWithinMs)
        if theirs.count == 11, theirs[0] == 0xFF, theirs[9] & 1 == 1, theirs[10] < 3 {
            throw StepProblem.unsupported("the peer greeted in ZMTP/2.0 (revision \(theirs[10])), not ZMTP 3.x: \(describeFrame(theirs))")
        }
        try raw.send(Array(bytes[10...]), timeoutMs: CaseLoader.defaultWithinMs)
    }
}

/// The peer's greeting, read as far as its version: ZMTP 3.x goes on; a ZMTP/2.0 or 1.0 peer
/// has said, in its own bytes, that it does not speak the version a wire case is about.
struct RawExpectGreetingStep: StepAction {
    static let name = "raw_expect_greeting"
    static let keys = ["raw", "whole", "within"]
    static let summary =
        "Reads the peer's ZMTP greeting up to its version (`whole: true`: all 64 octets) and checks the signature and major version 3; a peer that greets in ZMTP/2.0 or 1.0 makes the cell UNSUPPORTED, quoting its bytes."
    var rawName: String
    var whole: Bool
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(rawName: try scope.rawName(a), whole: try a.bool("whole"), withinMs: try a.within())
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let raw = try cell.raw(rawName)
        let (head, closed) = raw.receive(count: 12, timeoutMs: withinMs)
        let seen = describeFrame(head) + (closed ? " then close" : "")
        // RFC 15: a ZMTP/1.0 peer starts with its identity length, not 0xFF; a ZMTP/2.0 peer's
        // 11th octet is its revision (1), where a ZMTP 3.x peer puts its major version.
        if let first = head.first, first != 0xFF {
            throw StepProblem.unsupported("the peer greeted in ZMTP/1.0 (no 0xFF signature): \(seen)")
        }
        if head.count >= 11, head[9] & 1 == 1, head[10] < 3 {
            throw StepProblem.unsupported("the peer greeted in ZMTP/2.0 (revision \(head[10])), not ZMTP 3.x: \(seen)")
        }
        guard head.count == 12, head[9] == 0x7F, head[10] >= 3 else {
            throw StepProblem.mismatch(expected: "a ZMTP 3.x greeting: 0xFF, 8 padding octets, 0x7F, major 3, minor", seen: seen)
        }
        cell.observations.append("line \(step.line) \(Self.name): ZMTP \(head[10]).\(head[11])")
        guard whole else { return }
        let (rest, restClosed) = raw.receive(count: 52, timeoutMs: withinMs)
        if rest.count < 52 {
            throw StepProblem.mismatch(expected: "the rest of the greeting (52 octets)", seen: "\(rest.count) octets" + (restClosed ? " then close" : ""))
        }
    }
}

struct RawRecvStep: StepAction {
    static let name = "raw_recv"
    static let keys = ["raw", "expect", "size", "within"]
    static let summary = "Reads `size` bytes (or as many as `expect` has) within the bound and compares them with `expect`."
    var rawName: String
    var expect: [UInt8]?
    var size: Int?
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(
            rawName: try scope.rawName(a), expect: try a["expect"].map { try scope.literalBytes($0) },
            size: try a.positive("size"), withinMs: try a.within())
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let want = size ?? expect?.count ?? 1
        let (got, closed) = try cell.raw(rawName).receive(count: want, timeoutMs: withinMs)
        if let expect, Array(got.prefix(expect.count)) != expect {
            throw StepProblem.mismatch(expected: describeFrame(expect), seen: describeFrame(got) + (closed ? " then close" : ""))
        }
        if got.count < want {
            throw StepProblem.mismatch(expected: "\(want) bytes within \(withinMs) ms", seen: "\(got.count) bytes" + (closed ? " then close" : ""))
        }
    }
}

struct RawExpectClosedStep: StepAction {
    static let name = "raw_expect_closed"
    static let keys = ["raw", "within"]
    static let summary = "The peer closes the raw connection within the bound (bytes before the close are allowed)."
    var rawName: String
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(rawName: try scope.rawName(a), withinMs: try a.within())
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let (got, closed) = try cell.raw(rawName).receive(count: 1 << 20, timeoutMs: withinMs)
        guard closed else {
            throw StepProblem.mismatch(expected: "the connection closed within \(withinMs) ms", seen: "still open after \(got.count) bytes")
        }
    }
}

struct RawCloseStep: StepAction {
    static let name = "raw_close"
    static let keys = ["raw"]
    static let summary = "Closes a raw connection."
    var rawName: String

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(rawName: try scope.rawName(a))
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        cell.raws[rawName]?.close()
        cell.raws[rawName] = nil
    }
}
