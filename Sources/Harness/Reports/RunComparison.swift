/// What changed between two run records: implementations and versions, cells whose outcome
/// changed, cells only in one of them. Used by `zmqsuite compare` and the gate.
///
/// Cells line up by case, transport and column (implementation or pair) when the records
/// share their implementations (two runs of one), and by case and transport alone when
/// `columns` names one column of each side (implementation A against implementation B).
public struct RunComparison {
    public struct Change { public let key: String; public let before: Outcome; public let after: Outcome; public let detail: String }

    public let versionChanges: [String]
    public let changes: [Change]
    public let added: [String]
    public let removed: [String]

    /// The two columns compared (A's in `before`, B's in `after`), when implementations are compared.
    public let columns: (String, String)?

    public init(before: RunRecord, after: RunRecord, columns: (String, String)? = nil) {
        self.columns = columns
        let impls = { (r: RunRecord) in Dictionary(r.environment.implementations.map { ($0.name, "\($0.version) \($0.library)") }, uniquingKeysWith: { a, _ in a }) }
        let b = impls(before), a = impls(after)
        versionChanges = Set(b.keys).union(a.keys).sorted().compactMap { name in
            b[name] == a[name] ? nil : "\(name): \(b[name] ?? "absent") -> \(a[name] ?? "absent")"
        }
        let key = { (c: CellResult) in columns == nil ? "\(c.key)#\(c.column)" : "\(c.caseId)@\(c.transport)" }
        let beforeCells = columns.map { a, _ in before.cells.filter { Self.side($0) == a } } ?? before.cells
        let afterCells = columns.map { _, b in after.cells.filter { Self.side($0) == b } } ?? after.cells
        let old = Dictionary(beforeCells.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        let new = Dictionary(afterCells.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        changes = new.keys.sorted().compactMap { k in
            guard let o = old[k], let n = new[k], o.outcome != n.outcome else { return nil }
            return Change(key: k, before: o.outcome, after: n.outcome, detail: n.outcome == .PASS ? "" : n.detail)
        }
        added = new.keys.filter { old[$0] == nil }.sorted()
        removed = old.keys.filter { new[$0] == nil }.sorted()
    }

    /// A cell that passed before and does not now.
    public var regressions: [Change] { changes.filter { $0.before == .PASS } }

    /// Which side of a comparison a cell is on: its pair in interop records ("zmq-agent>jeromq"),
    /// else its implementation, wherever it ran (a cell placed on a namespace host is still
    /// libzmq's, though its column reads "libzmq@a").
    public static func side(_ c: CellResult) -> String {
        c.isPair ? c.column : String(c.implementations.first?.split(separator: " ").first?.split(separator: "@").first ?? "")
    }

    /// The sides each record has (implementations, and pairs in interop records).
    public static func columns(of r: RunRecord) -> [String] {
        var seen: [String] = []
        for c in r.cells where !seen.contains(side(c)) { seen.append(side(c)) }
        return seen
    }

    /// Which columns to compare when none are named: two records of different single
    /// implementations are compared with each other (pyzmq against zmq-agent), by case and
    /// transport; records that share implementations, column by column.
    public static func defaultColumns(_ before: RunRecord, _ after: RunRecord) -> (String, String)? {
        let b = columns(of: before), a = columns(of: after)
        guard b.count == 1, a.count == 1, b != a else { return nil }
        return (b[0], a[0])
    }
}
