/// A plain TCP peer below ZeroMQ that writes and reads bytes and sees closes: STREAM's peer.
/// ZMTP itself is spoken by the wire peer (WireSteps.swift).
enum RawSteps {
    static let all: [any StepAction.Type] = [
        RawConnectStep.self, RawSendStep.self, RawRecvStep.self, RawExpectClosedStep.self, RawCloseStep.self,
    ]
}

struct RawConnectStep: StepAction {
    static let name = "raw_connect"
    static let keys = ["name", "to"]
    static let summary = "Opens a plain TCP connection to an endpoint, under a name: a peer below ZeroMQ for STREAM cases (ZMTP itself is the wire peer's, `wire_*`)."
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
