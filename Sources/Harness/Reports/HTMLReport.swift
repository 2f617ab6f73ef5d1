import Foundation

/// A self-contained HTML page (no network): the case x transport matrix, filters by outcome
/// and area, and the details of every cell that did not pass.
public enum HTMLReport {
    public static func render(_ record: RunRecord) -> String {
        let comparison = Comparison(record)
        // A comparison shows implementations and pairs as columns (worst over transports);
        // a single implementation shows transports.
        let transports =
            comparison.isComparison
            ? comparison.columns
            : Transport.allCases.map(\.rawValue).filter { t in record.cells.contains { $0.transport == t } }
        let byCase = Dictionary(grouping: record.cells, by: \.caseId)
        let caseIds = record.cells.map(\.caseId).reduce(into: [String]()) { if $0.last != $1 && !$0.contains($1) { $0.append($1) } }
        let areas = Array(Set(record.cells.map(\.area))).sorted()
        let env = record.environment
        var h = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>zmqsuite \(xml(record.kind))</title>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
            table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}
            th{background:#f4f4f4;position:sticky;top:0}
            .o{text-align:center;font-size:12px;font-weight:600;cursor:default}
            .PASS{background:#d8f5d0}.FAIL{background:#f8c4c4}.ERROR{background:#f0a0f0}
            .NON-STRICT{background:#fbe7b0}.INFORMATIONAL{background:#cfe3fb}.UNSUPPORTED{background:#e6e6e6;color:#666}
            .spec{color:#666;font-size:12px}.bar span{display:inline-block;padding:2px 8px;margin-right:4px;border-radius:3px}
            details{margin:4px 0}pre{white-space:pre-wrap;background:#fafafa;padding:6px;margin:4px 0}
            </style></head><body>
            <h1>zmqsuite \(xml(record.kind))</h1>
            <p>\(env.implementations.map { "<b>\(xml($0.name)) \(xml($0.version))</b> <code>\(xml($0.library))</code>" }.joined(separator: ", "))<br>
            \(xml(env.os)), kernel \(xml(env.kernel)), \(xml(env.cpu)) x\(env.cores); suite \(xml(env.suiteVersion)), revision <code>\(xml(env.gitRevision))</code><br>
            \(iso(env.startTime)) to \(iso(env.endTime))\(record.summary.interrupted ? " <b>(interrupted: \(record.summary.finished) of \(record.summary.planned) cells)</b>" : "")</p>
            \(scoresTable(record.summary))
            <p class="bar">\(Outcome.allCases.map { "<span class=\"\($0.rawValue)\">\($0.rawValue) \(record.summary.outcomes[$0.rawValue] ?? 0)</span>" }.joined())</p>
            <p>Show outcome: \(Outcome.allCases.map { "<label><input type=checkbox class=fo value=\"\($0.rawValue)\" checked> \($0.rawValue)</label>" }.joined(separator: " "))
            <br>Area: <select id=fa><option value="">all</option>\(areas.map { "<option>\(xml($0))</option>" }.joined())</select></p>
            <p class=spec>\(comparison.isComparison ? "Columns: each implementation alone, then each pair binder&gt;connector; a cell shows the worst outcome over the transports (hover for each). Rows outlined in red differ between columns." : "A blank cell: the case does not apply to that transport.") Hover a cell for its detail; a linked case has details below.</p>
            <table id=m><thead><tr><th>case</th><th>level</th>\(transports.map { "<th>\(xml($0))</th>" }.joined())</tr></thead><tbody>

            """
        for id in caseIds {
            let cells = byCase[id]!
            let first = cells[0]
            let outcomes = Set(cells.map(\.outcome.rawValue)).joined(separator: " ")
            let name = cells.contains { $0.outcome != .PASS } ? "<a href=\"#d-\(xml(id))\">\(xml(id))</a>" : xml(id)
            let marker = comparison.isComparison && comparison.differs(id) ? " style=\"outline:2px solid #c00\"" : ""
            h +=
                "<tr data-area=\"\(xml(first.area))\" data-o=\"\(outcomes)\"\(marker)><td>\(name)<div class=spec>\(xml(first.spec))</div></td><td>\(first.level.rawValue)</td>"
            for t in transports {
                let inColumn = comparison.isComparison ? cells.filter { $0.column == t } : cells.filter { $0.transport == t }
                if let worst = inColumn.max(by: { $0.outcome.severity < $1.outcome.severity }) {
                    let title = inColumn.map { "\($0.transport): \($0.outcome.rawValue) \($0.detail)" }.joined(separator: "\n")
                    h += "<td class=\"o \(worst.outcome.rawValue)\" title=\"\(xml(title))\">\(worst.outcome.rawValue)</td>"
                } else {
                    h += "<td></td>"
                }
            }
            h += "</tr>\n"
        }
        h += "</tbody></table>\n"
        if let recovery = RecoveryMatrix(record) { h += recovery.html }
        h += "<h2>Cells that did not pass</h2>\n"
        for c in record.cells where c.outcome != .PASS {
            h +=
                "<details id=\"d-\(xml(c.caseId))\" data-area=\"\(xml(c.area))\" data-o=\"\(c.outcome.rawValue)\"><summary><span class=\"\(c.outcome.rawValue)\">\(c.outcome.rawValue)</span> \(xml(c.caseId)) [\(xml(c.transport))] \(xml(c.column))</summary>"
            h += "<div class=spec>\(c.level.rawValue): \(xml(c.spec)) &mdash; \(xml(c.file)):\(c.line)</div>"
            if let bug = c.bug { h += "<div class=spec>reproduces: \(xml(bug))</div>" }
            if let f = c.failure {
                h +=
                    "<pre>step \(f.step) (\(xml(f.stepName)), line \(f.line)) after \(String(format: "%.1f", f.elapsedMs)) ms\nexpected: \(xml(f.expected))\nseen:     \(xml(f.seen))</pre>"
            } else {
                h += "<pre>\(xml(c.detail))</pre>"
            }
            h += wireLog(c) + "</details>\n"
        }
        let passingOnWire = record.cells.filter { $0.outcome == .PASS && $0.wire != nil }
        if !passingOnWire.isEmpty {
            h += "<h2>Wire exchanges of the cells that passed</h2>\n"
            for c in passingOnWire {
                h +=
                    "<details data-area=\"\(xml(c.area))\" data-o=\"PASS\"><summary><span class=PASS>PASS</span> \(xml(c.caseId)) [\(xml(c.transport))] \(xml(c.column))</summary>"
                h += wireLog(c) + "</details>\n"
            }
        }
        h += """
            <script>
            function apply(){var on=[...document.querySelectorAll('.fo:checked')].map(e=>e.value),a=document.getElementById('fa').value;
            document.querySelectorAll('#m tbody tr, details').forEach(r=>{var os=r.dataset.o.split(' ');
            r.style.display=(os.some(o=>on.includes(o))&&(!a||r.dataset.area==a))?'':'none'})}
            document.querySelectorAll('.fo').forEach(e=>e.onchange=apply);document.getElementById('fa').onchange=apply;
            </script></body></html>

            """
        return h
    }

    /// Passed/run per implementation in each dimension, protocol and API apart.
    static func scoresTable(_ s: RunSummary) -> String {
        guard let scores = s.scores, !scores.isEmpty else { return "" }
        var columns: [String] = []
        for x in scores where !columns.contains(x.column) { columns.append(x.column) }
        var h = "<table><thead><tr><th>implementation</th>" + Dimension.allCases.map { "<th>\(xml($0.title))</th>" }.joined() + "</tr></thead><tbody>"
        for col in columns {
            h +=
                "<tr><td>\(xml(col))</td>" + Dimension.allCases.map { d in "<td>\(scores.first { $0.column == col && $0.dimension == d }?.text ?? "")</td>" }.joined()
                + "</tr>"
        }
        return h + "</tbody></table>"
    }

    /// The wire peer's decoded exchange of a cell, as Autobahn shows its wire log.
    private static func wireLog(_ c: CellResult) -> String {
        guard let lines = c.wire, !lines.isEmpty else { return "" }
        return
            "<div class=spec>wire log (→ sent by the suite's peer, or on a traced connection by the connecting socket; ← the other way)</div><pre>\(xml(lines.joined(separator: "\n")))</pre>"
    }
}
