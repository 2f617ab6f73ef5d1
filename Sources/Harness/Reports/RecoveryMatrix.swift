/// What each implementation (and pair) survives: the recovery cases as rows, one column per
/// implementation or pair, each entry split by transport so that no transport's outcome hides
/// another's. Reports show it as a section of its own when a run has recovery cells.
public struct RecoveryMatrix {
    public static let area = "recovery"
    public let columns: [String]
    public let transports: [String]
    /// caseId -> column -> transport -> outcome.
    public let entries: [(caseId: String, title: String, byColumn: [String: [String: Outcome]])]

    /// Nil when the record has no recovery cells.
    public init?(_ record: RunRecord) {
        let cells = record.cells.filter { $0.area == Self.area }
        guard !cells.isEmpty else { return nil }
        let comparison = Comparison(record)
        columns = comparison.columns.filter { col in cells.contains { $0.column == col } }
        transports = Transport.allCases.map(\.rawValue).filter { t in cells.contains { $0.transport == t } }
        var rows: [(String, String, [String: [String: Outcome]])] = []
        for id in comparison.caseOrder {
            let mine = cells.filter { $0.caseId == id }
            guard let first = mine.first else { continue }
            var byColumn: [String: [String: Outcome]] = [:]
            for c in mine { byColumn[c.column, default: [:]][c.transport] = c.outcome }
            rows.append((id, first.title, byColumn))
        }
        entries = rows.map { (caseId: $0.0, title: $0.1, byColumn: $0.2) }
    }

    /// "passed/run" per column over every transport (UNSUPPORTED cells are not run).
    public func survived(_ column: String) -> (pass: Int, run: Int) {
        let all = entries.flatMap { ($0.byColumn[column] ?? [:]).values }.filter { $0 != .UNSUPPORTED }
        return (all.filter { $0 == .PASS }.count, all.count)
    }

    /// One entry as text: "tcp PASS, ipc FAIL".
    public func text(_ row: [String: Outcome]) -> String {
        transports.compactMap { t in row[t].map { "\(t) \($0.rawValue)" } }.joined(separator: ", ")
    }

    public var markdown: String {
        var md = "## Recovery matrix: what each implementation survives (passed/run; UNSUPPORTED not run)\n\n"
        md += "| case | " + columns.joined(separator: " | ") + " |\n|---|" + columns.map { _ in "---" }.joined(separator: "|") + "|\n"
        md +=
            "| **survived** | "
            + columns.map {
                let s = survived($0); return "**\(s.pass)/\(s.run)**"
            }.joined(separator: " | ") + " |\n"
        for e in entries {
            md += "| `\(e.caseId)` | " + columns.map { text(e.byColumn[$0] ?? [:]) }.joined(separator: " | ") + " |\n"
        }
        return md + "\n"
    }

    public var html: String {
        var h = "<h2 id=recovery>Recovery matrix: what each implementation survives</h2>\n"
        h += "<p class=spec>One row per recovery case; in each column, one entry per transport. survived = passed/run (UNSUPPORTED is not run).</p>\n"
        h += "<table><thead><tr><th>case</th>" + columns.map { "<th>\(xml($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        h +=
            "<tr><td><b>survived</b></td>"
            + columns.map {
                let s = survived($0); return "<td><b>\(s.pass)/\(s.run)</b></td>"
            }.joined() + "</tr>\n"
        for e in entries {
            h += "<tr data-area=\"\(Self.area)\"><td>\(xml(e.caseId))<div class=spec>\(xml(e.title))</div></td>"
            for col in columns {
                let row = e.byColumn[col] ?? [:]
                h +=
                    "<td>"
                    + transports.compactMap { t in row[t].map { "<span class=\"o \($0.rawValue)\" title=\"\(xml(t)): \($0.rawValue)\">\(xml(t)) \($0.rawValue)</span>" } }
                    .joined(separator: " ") + "</td>"
            }
            h += "</tr>\n"
        }
        return h + "</tbody></table>\n"
    }
}
