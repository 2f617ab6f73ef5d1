/// Views of an interop record: outcomes per case and column (an implementation alone, or a
/// pair "binder>connector"), summarised over transports by the worst, and pass counts per area.
public struct Comparison {
    public let columns: [String]
    /// caseId -> column -> cells (one per transport).
    public let byCase: [String: [String: [CellResult]]]
    public let caseOrder: [String]

    public init(_ record: RunRecord) {
        var cols: [String] = []
        var table: [String: [String: [CellResult]]] = [:]
        var order: [String] = []
        for c in record.cells {
            if !cols.contains(c.column) { cols.append(c.column) }
            if table[c.caseId] == nil { order.append(c.caseId) }
            table[c.caseId, default: [:]][c.column, default: []].append(c)
        }
        // Implementations alone first, then pairs.
        let pairs = Set(record.cells.filter(\.isPair).map(\.column))
        columns = cols.filter { !pairs.contains($0) } + cols.filter { pairs.contains($0) }
        byCase = table
        caseOrder = order
    }

    /// True when the record compares implementations (more than one column).
    public var isComparison: Bool { columns.count > 1 }

    public func worst(_ caseId: String, _ column: String) -> Outcome? {
        byCase[caseId]?[column]?.map(\.outcome).max { $0.severity < $1.severity }
    }

    /// Cases whose summary differs between columns where both ran (UNSUPPORTED aside).
    public func differs(_ caseId: String) -> Bool {
        let seen = Set(columns.compactMap { worst(caseId, $0) }.filter { $0 != .UNSUPPORTED })
        return seen.count > 1
    }

    /// Every transport's outcome of a case in a column, counted: "5 PASS, 1 UNSUPPORTED"
    /// (no outcome hides another).
    public func tally(_ caseId: String, _ column: String) -> String {
        guard let cells = byCase[caseId]?[column], !cells.isEmpty else { return "" }
        let counts = Dictionary(grouping: cells, by: \.outcome).mapValues(\.count)
        return Outcome.allCases.compactMap { o in counts[o].map { "\($0) \(o.rawValue)" } }.joined(separator: ", ")
    }

    /// For each area, "passed/run" per column (UNSUPPORTED cells not counted as run).
    public func areaCounts(_ record: RunRecord) -> [(area: String, counts: [String: (pass: Int, run: Int)])] {
        var out: [String: [String: (pass: Int, run: Int)]] = [:]
        for c in record.cells where c.outcome != .UNSUPPORTED {
            var v = out[c.area, default: [:]][c.column] ?? (0, 0)
            v.run += 1
            if c.outcome == .PASS { v.pass += 1 }
            out[c.area, default: [:]][c.column] = v
        }
        return out.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
