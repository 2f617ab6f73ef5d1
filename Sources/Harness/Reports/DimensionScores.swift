/// What a verdict is about: the protocol the RFCs define, or the API libzmq's man pages
/// document. An implementation can conform to the first and differ from the second.
public enum Dimension: String, Codable, Sendable, CaseIterable {
    case protocolConformance = "protocol"
    case apiCompatibility = "api"

    public init(_ source: SpecKey.Source) {
        self = source == .rfc ? .protocolConformance : .apiCompatibility
    }

    /// How reports title it.
    public var title: String { self == .protocolConformance ? "protocol conformance (RFCs)" : "libzmq API compatibility (man pages)" }
}

/// Passed and run cells of one column (an implementation alone, or a pair) in one dimension.
/// UNSUPPORTED cells are not run; everything else is, and only PASS passes.
public struct DimensionScore: Codable, Sendable, Equatable {
    public var column: String
    public var dimension: Dimension
    public var passed: Int
    public var run: Int

    /// One score per column and dimension, in the order columns first appear.
    public static func scores(_ cells: [CellResult]) -> [DimensionScore] {
        var order: [String] = []
        var table: [String: [Dimension: (Int, Int)]] = [:]
        for c in cells {
            guard let d = c.dimension else { continue }
            if table[c.column] == nil { order.append(c.column) }
            var v = table[c.column, default: [:]][d] ?? (0, 0)
            if c.outcome != .UNSUPPORTED { v.1 += 1 }
            if c.outcome == .PASS { v.0 += 1 }
            table[c.column, default: [:]][d] = v
        }
        return order.flatMap { col in
            Dimension.allCases.compactMap { d in table[col]?[d].map { DimensionScore(column: col, dimension: d, passed: $0.0, run: $0.1) } }
        }
    }

    public var text: String { "\(passed)/\(run)" }
}
