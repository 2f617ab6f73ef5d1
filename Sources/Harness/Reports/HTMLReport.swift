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
        let allTransports = Transport.allCases.map(\.rawValue).filter { t in record.cells.contains { $0.transport == t } }
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
            .chips span{display:inline-block;font-size:11px;font-weight:600;padding:1px 4px;margin:1px;border-radius:3px}.dim{opacity:.25}
            </style></head><body>
            <h1>zmqsuite \(xml(record.kind))</h1>
            <p>\(env.implementations.map { "<b>\(xml($0.name)) \(xml($0.version))</b> <code>\(xml($0.library))</code>" }.joined(separator: ", "))<br>
            \(xml(env.os)), kernel \(xml(env.kernel)), \(xml(env.cpu)) x\(env.cores); suite \(xml(env.suiteVersion)), revision <code>\(xml(env.gitRevision))</code><br>
            \(iso(env.startTime)) to \(iso(env.endTime))\(record.summary.interrupted ? " <b>(interrupted: \(record.summary.finished) of \(record.summary.planned) cells)</b>" : "")</p>
            \(scoresTable(record.summary))
            <p class="bar">\(Outcome.allCases.map { "<span class=\"\($0.rawValue)\">\($0.rawValue) \(record.summary.outcomes[$0.rawValue] ?? 0)</span>" }.joined())</p>
            <p>Show outcome: \(Outcome.allCases.map { "<label><input type=checkbox class=fo value=\"\($0.rawValue)\" checked> \($0.rawValue)</label>" }.joined(separator: " "))
            <br>Area: <select id=fa><option value="">all</option>\(areas.map { "<option>\(xml($0))</option>" }.joined())</select>
            Level: <select id=fl><option value="">all</option>\(Level.allCases.map { "<option>\($0.rawValue)</option>" }.joined())</select>
            Transport: <select id=ft><option value="">all</option>\(allTransports.map { "<option>\(xml($0))</option>" }.joined())</select>
            Search: <input id=fq type=search placeholder="case id or spec"></p>
            <p class=spec>\(comparison.isComparison ? "Columns: each implementation alone, then each pair binder&gt;connector; each cell lists every transport's outcome. Rows outlined in red differ between columns." : "A blank cell: the case does not apply to that transport.") Filters apply to every transport's outcome; a case's link opens its details (its clause, every outcome, failures and wire logs).</p>
            <table id=m><thead><tr><th>case</th><th>level</th>\(transports.map { "<th>\(xml($0))</th>" }.joined())</tr></thead><tbody>

            """
        for id in caseIds {
            let cells = byCase[id]!
            let first = cells[0]
            let outcomes = Set(cells.map(\.outcome.rawValue)).sorted().joined(separator: " ")
            let inTransports = Set(cells.map(\.transport)).sorted().joined(separator: " ")
            let marker = comparison.isComparison && comparison.differs(id) ? " style=\"outline:2px solid #c00\"" : ""
            h += "<tr id=\"row-\(anchor(id))\" data-area=\"\(xml(first.area))\" data-level=\(first.level.rawValue) data-t=\"\(xml(inTransports))\" "
            h += "data-q=\"\(xml((id + " " + first.spec).lowercased()))\" data-o=\"\(outcomes)\"\(marker)>"
            h += "<td><a href=\"#case-\(anchor(id))\">\(xml(id))</a><div class=spec>\(xml(first.spec))</div></td><td>\(first.level.rawValue)</td>"
            for t in transports {
                if comparison.isComparison {
                    // Every transport's own outcome: none hides another (no "worst of").
                    let inColumn = cells.filter { $0.column == t }
                    h += inColumn.isEmpty ? "<td></td>" : "<td class=chips>" + inColumn.map(chip).joined() + "</td>"
                } else if let c = cells.first(where: { $0.transport == t }) {
                    h +=
                        "<td class=\"o \(c.outcome.rawValue)\" data-t=\"\(xml(c.transport))\" data-o=\(c.outcome.rawValue) title=\"\(xml(c.detail))\">\(c.outcome.rawValue)</td>"
                } else {
                    h += "<td></td>"
                }
            }
            h += "</tr>\n"
        }
        h += "</tbody></table>\n"
        if let recovery = RecoveryMatrix(record) { h += recovery.html }
        h += "<h2>Cases</h2>\n"
        // Each case file is read once, however many of its cases the run has.
        var files: [String: [String]] = [:]
        for id in caseIds {
            let file = byCase[id]![0].file
            if files[file] == nil { files[file] = (try? String(contentsOfFile: file, encoding: .utf8))?.components(separatedBy: "\n") ?? [] }
            h += caseDetails(byCase[id]!, fileLines: files[file]!)
        }
        h += """
            <script>
            // Filters: outcome, area, level, transport and search, also from the address
            // (report.html?outcome=FAIL&transport=ipc&q=req), so a filtered view can be linked.
            const $=id=>document.getElementById(id), chips=r=>[...r.querySelectorAll('[data-o][data-t]')];
            function apply(){const on=[...document.querySelectorAll('.fo:checked')].map(e=>e.value),a=$('fa').value,l=$('fl').value,t=$('ft').value,q=$('fq').value.toLowerCase();
            document.querySelectorAll('#m tbody tr').forEach(r=>{const cs=chips(r);
            cs.forEach(c=>c.classList.toggle('dim',!!t&&c.dataset.t!==t));
            const hit=cs.some(c=>on.includes(c.dataset.o)&&(!t||c.dataset.t===t));
            r.style.display=(hit&&(!a||r.dataset.area===a)&&(!l||r.dataset.level===l)&&(!q||r.dataset.q.includes(q)))?'':'none'})}
            function openTarget(){const d=location.hash&&document.getElementById(location.hash.slice(1));if(d&&d.tagName==='DETAILS'){d.open=true;d.scrollIntoView()}}
            const p=new URLSearchParams(location.search);
            if(p.get('outcome')){const want=p.get('outcome').split(',');document.querySelectorAll('.fo').forEach(e=>e.checked=want.includes(e.value))}
            for(const [k,id] of [['area','fa'],['level','fl'],['transport','ft'],['q','fq']])if(p.get(k))$(id).value=p.get(k);
            document.querySelectorAll('.fo').forEach(e=>e.onchange=apply);['fa','fl','ft'].forEach(i=>$(i).onchange=apply);$('fq').oninput=apply;
            window.addEventListener('hashchange',openTarget);apply();openTarget();
            </script></body></html>

            """
        return h
    }

    /// One transport's outcome in a comparison cell: "tcp PASS", with its detail on hover.
    static func chip(_ c: CellResult) -> String {
        "<span class=\"\(c.outcome.rawValue)\" data-t=\"\(xml(c.transport))\" data-o=\(c.outcome.rawValue) title=\"\(xml(c.detail))\">\(xml(c.transport)) \(c.outcome.rawValue)</span>"
    }

    /// An id fragment safe in any attribute and URL: case ids are dotted words already.
    static func anchor(_ id: String) -> String {
        String(id.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? $0 : "-" })
    }

    /// One case's details (one per case, so ids are unique): its clause, its YAML, every
    /// outcome by column and transport, and each failure with its wire log.
    static func caseDetails(_ cells: [CellResult], fileLines: [String]) -> String {
        let first = cells[0]
        let worstFirst = cells.contains { $0.outcome != .PASS }
        var h =
            "<details id=\"case-\(anchor(first.caseId))\" data-area=\"\(xml(first.area))\"><summary>\(worstFirst ? "<b>" : "")\(xml(first.caseId))\(worstFirst ? "</b>" : "") "
        h += cells.map(chip).joined() + "</summary>"
        h += "<div class=spec>\(first.level.rawValue): \(xml(first.spec)) &mdash; \(xml(first.file)):\(first.line)</div>"
        if let clause = first.clause { h += "<blockquote class=spec>\(xml(clause.text))</blockquote>" }
        if let bug = first.bug { h += "<div class=spec>reproduces: \(xml(bug))</div>" }
        if let yaml = caseSource(fileLines, line: first.line) { h += "<pre class=yaml>\(xml(yaml))</pre>" }
        h += "<table><tr><th>column</th><th>transport</th><th>outcome</th><th>detail</th></tr>"
        for c in cells {
            h += "<tr><td>\(xml(c.column))</td><td>\(xml(c.transport))</td><td class=\"o \(c.outcome.rawValue)\">\(c.outcome.rawValue)</td><td>\(xml(c.detail))</td></tr>"
        }
        h += "</table>"
        for c in cells where c.outcome != .PASS || c.wire != nil {
            if let f = c.failure {
                h += "<pre>\(xml(c.column)) [\(xml(c.transport))]: step \(f.step) (\(xml(f.stepName)), line \(f.line)) after \(String(format: "%.1f", f.elapsedMs)) ms\n"
                h += "expected: \(xml(f.expected))\nseen:     \(xml(f.seen))</pre>"
            }
            h += wireLog(c)
        }
        return h + "</details>\n"
    }

    /// The case's YAML from its file's lines (from its line to the next document); nil when
    /// the file was not where the run read it.
    static func caseSource(_ fileLines: [String], line: Int) -> String? {
        guard line > 0 else { return nil }
        let body = fileLines.dropFirst(line - 1).prefix { $0 != "---" }
        return body.isEmpty ? nil : body.joined(separator: "\n")
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
