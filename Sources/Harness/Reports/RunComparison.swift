/// What changed between two run records: implementations and versions, cells whose outcome
/// changed, cells only in one of them. Used by `zmqsuite compare`.
public struct RunComparison {
    public struct Change { public let key: String; public let before: Outcome; public let after: Outcome; public let detail: String }

    public let versionChanges: [String]
    public let changes: [Change]
    public let added: [String]
    public let removed: [String]

    public init(before: RunRecord, after: RunRecord) {
        let impls = { (r: RunRecord) in Dictionary(r.environment.implementations.map { ($0.name, "\($0.version) \($0.library)") }, uniquingKeysWith: { a, _ in a }) }
        let b = impls(before), a = impls(after)
        versionChanges = Set(b.keys).union(a.keys).sorted().compactMap { name in
            b[name] == a[name] ? nil : "\(name): \(b[name] ?? "absent") -> \(a[name] ?? "absent")"
        }
        let key = { (c: CellResult) in "\(c.key)#\(c.column)" }
        let old = Dictionary(before.cells.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        let new = Dictionary(after.cells.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        changes = new.keys.sorted().compactMap { k in
            guard let o = old[k], let n = new[k], o.outcome != n.outcome else { return nil }
            return Change(key: k, before: o.outcome, after: n.outcome, detail: n.outcome == .PASS ? "" : n.detail)
        }
        added = new.keys.filter { old[$0] == nil }.sorted()
        removed = old.keys.filter { new[$0] == nil }.sorted()
    }

    /// A cell that passed before and does not now.
    public var regressions: [Change] { changes.filter { $0.before == .PASS } }
}
