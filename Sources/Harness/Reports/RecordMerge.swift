import Foundation

/// Shard records (`--shard K/N` runs of one plan) joined into one record: the same cells and
/// outcomes as one unsharded run, its environment spanning them all.
public enum RecordMerge {
    public static func merge(_ records: [(path: String, record: RunRecord)]) throws -> RunRecord {
        guard let first = records.first?.record else { throw MergeError("nothing to merge: name the shard records (report.json)") }
        var seen: [String: String] = [:]
        var cells: [CellResult] = []
        var implementations = first.environment.implementations
        for (path, r) in records {
            guard r.kind == first.kind else { throw MergeError("\(path) is a \(r.kind) record and \(records[0].path) a \(first.kind) one") }
            for c in r.cells {
                let key = "\(c.key)#\(c.column)"
                if let other = seen[key] { throw MergeError("\(key) is in both \(other) and \(path): shards of one plan never share a cell") }
                seen[key] = path
                cells.append(c)
            }
            for i in r.environment.implementations where !implementations.contains(where: { $0.name == i.name }) { implementations.append(i) }
        }
        var env = first.environment
        env.implementations = implementations
        env.startTime = records.map(\.record.environment.startTime).min() ?? env.startTime
        env.endTime = records.map(\.record.environment.endTime).max() ?? env.endTime
        return RunRecord(
            kind: first.kind, environment: env, cells: cells, planned: records.reduce(0) { $0 + $1.record.summary.planned },
            interrupted: records.contains { $0.record.summary.interrupted })
    }
}

public struct MergeError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}
