import Foundation

/// A Markdown summary fit for a job summary or a pull-request comment.
public enum MarkdownReport {
    public static func render(_ record: RunRecord) -> String {
        var md = "# zmqsuite \(record.kind)\n\n"
        let env = record.environment
        for i in env.implementations { md += "- **\(i.name) \(i.version)** (`\(i.library)`)\n" }
        md += "- \(env.os), kernel \(env.kernel), \(env.cpu) x\(env.cores)\n"
        md += "- suite \(env.suiteVersion), revision `\(env.gitRevision)`\n"
        md += "- \(iso(env.startTime)) to \(iso(env.endTime))\n\n"
        let s = record.summary
        if s.interrupted { md += "> **Interrupted**: \(s.finished) of \(s.planned) cells finished.\n\n" }
        md += "| outcome | cells |\n|---|---:|\n"
        for o in Outcome.allCases { md += "| \(o.rawValue) | \(s.outcomes[o.rawValue] ?? 0) |\n" }
        md += "| **total** | **\(s.finished)** |\n\n"
        md += s.mustNotPassed == 0 ? "Every MUST cell passed.\n\n" : "**\(s.mustNotPassed) MUST cell(s) did not pass.**\n\n"
        if !s.scoresTable.isEmpty {
            md += "## Protocol and API, apart (passed/run; UNSUPPORTED not run)\n\n" + s.scoresTable + "\n"
        }

        let comparison = Comparison(record)
        if comparison.isComparison {
            md +=
                "## By area: passed/run per implementation and pair (binder>connector; UNSUPPORTED not run)\n\n| area | " + comparison.columns.joined(separator: " | ")
                + " |\n|---|"
            md += comparison.columns.map { _ in "---" }.joined(separator: "|") + "|\n"
            for (area, counts) in comparison.areaCounts(record) {
                md += "| \(area) | " + comparison.columns.map { col in counts[col].map { "\($0.pass)/\($0.run)" } ?? "" }.joined(separator: " | ") + " |\n"
            }
            md += "\n"
            let differing = comparison.caseOrder.filter(comparison.differs)
            if !differing.isEmpty {
                md += "\n## Cases where implementations differ\n\n| case | " + comparison.columns.joined(separator: " | ") + " |\n|---|"
                md += comparison.columns.map { _ in "---" }.joined(separator: "|") + "|\n"
                for id in differing {
                    md += "| `\(id)` | " + comparison.columns.map { comparison.tally(id, $0) }.joined(separator: " | ") + " |\n"
                }
                md += "\n"
            }
        }
        if let recovery = RecoveryMatrix(record) { md += recovery.markdown }
        let transports = Transport.allCases.map(\.rawValue).filter { t in record.cells.contains { $0.transport == t } }
        // The same denominator as the table per implementation: UNSUPPORTED is not run.
        md += "## By area and transport: passed/run (UNSUPPORTED not run)\n\n| area | " + transports.joined(separator: " | ") + " |\n|---|"
        md += transports.map { _ in "---" }.joined(separator: "|") + "|\n"
        for (area, cells) in Dictionary(grouping: record.cells, by: \.area).sorted(by: { $0.key < $1.key }) {
            md +=
                "| \(area) | "
                + transports.map { t in
                    let inT = cells.filter { $0.transport == t && $0.outcome != .UNSUPPORTED }
                    let pass = inT.filter { $0.outcome == .PASS }.count
                    return inT.isEmpty ? "" : "\(pass)/\(inT.count)"
                }.joined(separator: " | ") + " |\n"
        }
        let notPass = record.cells.filter { $0.outcome != .PASS }
        if !notPass.isEmpty {
            md += "\n## Cells that did not pass\n\n| outcome | case | transport | implementation | level | detail |\n|---|---|---|---|---|---|\n"
            for c in notPass.sorted(by: { ($0.outcome.rawValue, $0.caseId) < ($1.outcome.rawValue, $1.caseId) }) {
                md += "| \(c.outcome.rawValue) | `\(c.caseId)` | \(c.transport) | \(c.column) | \(c.level.rawValue) | \(cell(c.detail)) |\n"
            }
        }
        return md
    }

    /// Text for a table cell: pipes and newlines would break the row, and `<...>` would be
    /// read as HTML by GitHub (`static_cast<int>`, `[<any>, "early"]`).
    public static func cell(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}

func iso(_ d: Date) -> String { ISO8601DateFormatter().string(from: d) }
