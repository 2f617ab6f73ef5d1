/// A cell's verdict (README, "Reading the reports").
public enum Outcome: String, Codable, Sendable, CaseIterable {
    case PASS, FAIL, NON_STRICT = "NON-STRICT", INFORMATIONAL, UNSUPPORTED, ERROR

    /// How bad an outcome is, to summarise several cells by the worst.
    public var severity: Int {
        switch self {
        case .PASS: return 0
        case .UNSUPPORTED: return 1
        case .INFORMATIONAL: return 2
        case .NON_STRICT: return 3
        case .FAIL: return 4
        case .ERROR: return 5
        }
    }

    /// The verdict for a violated expectation at this level.
    public static func violated(_ level: Level) -> Outcome {
        switch level {
        case .MUST: return .FAIL
        case .SHOULD: return .NON_STRICT
        case .MAY: return .INFORMATIONAL
        }
    }
}

/// Why a cell did not pass: where, what was expected, what was seen.
public struct CellFailure: Codable, Sendable, Error {
    public var step: Int
    public var line: Int
    public var stepName: String
    public var expected: String
    public var seen: String
    public var elapsedMs: Double
}

/// How a cell ended, before it becomes a CellResult.
struct CellVerdict: Sendable {
    var outcome: Outcome = .PASS
    /// The step that did not hold, for any outcome but PASS (and a teardown-only ERROR).
    var failure: CellFailure?
    /// What steps that allow several behaviours actually did.
    var observations: [String] = []
    /// The wire peer's decoded exchange, when the cell used it.
    var wire: [String] = []
    /// Set when closing the cell's sockets and sessions did not finish (the outcome is then ERROR).
    var teardownProblem: String?
}

/// How a step ended when it went wrong.
enum StepProblem: Error {
    /// The implementation did something the case does not accept.
    case mismatch(expected: String, seen: String)
    /// The same, judged at another level than the case's: the connection ran a protocol
    /// version whose own clause is weaker (ZMTP/2.0's socket-type rule is a SHOULD).
    case mismatchAt(Level, expected: String, seen: String)
    /// The harness could not finish the step (an operation outlived its bound, a setup failed).
    case error(String)
    /// The implementation lacks something the step needs.
    case unsupported(String)
}
