import Foundation

/// A run comparison as text, Markdown (a pull-request comment) or one HTML page (a diff view:
/// one row per changed cell, before and after side by side, filterable by kind of change).
public enum ComparisonReport {
    static func heading(_ c: RunComparison, _ beforeName: String, _ afterName: String) -> String {
        if let (a, b) = c.columns { return "\(a) (\(beforeName)) against \(b) (\(afterName)), cell by cell (case and transport)" }
        return "\(beforeName) -> \(afterName)"
    }

    static func kind(_ ch: RunComparison.Change) -> String {
        ch.before == .PASS ? "regression" : ch.after == .PASS ? "improvement" : "changed"
    }

    public static func text(_ c: RunComparison, before: String, after: String) -> String {
        var out = heading(c, before, after) + "\n"
        if !c.versionChanges.isEmpty && c.columns == nil { out += "\nimplementations:\n" + c.versionChanges.map { "  \($0)\n" }.joined() }
        if !c.changes.isEmpty {
            out += "\noutcomes changed (\(c.changes.count), \(c.regressions.count) regressions):\n"
            for ch in c.changes { out += "  \(ch.before.rawValue) -> \(ch.after.rawValue)  \(ch.key)" + (ch.detail.isEmpty ? "" : "\n      \(ch.detail)") + "\n" }
        }
        if !c.added.isEmpty { out += "\nnew cells (\(c.added.count)):\n" + c.added.prefix(50).map { "  \($0)\n" }.joined() }
        if !c.removed.isEmpty { out += "\nmissing cells (\(c.removed.count)):\n" + c.removed.prefix(50).map { "  \($0)\n" }.joined() }
        if c.changes.isEmpty && c.added.isEmpty && c.removed.isEmpty { out += "no outcome changed\n" }
        return out
    }

    public static func markdown(_ c: RunComparison, before: String, after: String) -> String {
        var md = "## zmqsuite compare: " + MarkdownReport.cell(heading(c, before, after)) + "\n\n"
        md += "\(c.changes.count) changed (\(c.regressions.count) regressions), \(c.added.count) new, \(c.removed.count) missing.\n\n"
        if !c.changes.isEmpty {
            md += "| cell | before | after | change | detail |\n|---|---|---|---|---|\n"
            for ch in c.changes {
                md += "| `\(ch.key)` | \(ch.before.rawValue) | \(ch.after.rawValue) | \(kind(ch)) | \(MarkdownReport.cell(ch.detail)) |\n"
            }
        }
        return md
    }

    public static func html(_ c: RunComparison, before: String, after: String) -> String {
        var h = "<!doctype html><html lang=en><head><meta charset=utf-8><title>zmqsuite compare</title><style>"
        h += "body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 8px;vertical-align:top}"
        h += ".PASS{background:#dfd}.FAIL,.ERROR{background:#fdd}.UNSUPPORTED{background:#eee}.NON-STRICT,.INFORMATIONAL{background:#ffd}"
        h += "tr.hidden{display:none}</style></head><body><h1>zmqsuite compare</h1><p>\(xml(heading(c, before, after)))</p>"
        h += "<p>\(c.changes.count) changed (\(c.regressions.count) regressions), \(c.added.count) new, \(c.removed.count) missing.</p>"
        h +=
            "<p><label>show <select id=kind onchange=\"for(const r of document.querySelectorAll('tbody tr'))r.classList.toggle('hidden',this.value!=='all'&&r.dataset.kind!==this.value)\">"
        h +=
            "<option>all</option><option>regression</option><option>improvement</option><option>changed</option><option>new</option><option>missing</option></select></label></p>"
        h += "<table><thead><tr><th>cell</th><th>before</th><th>after</th><th>detail</th></tr></thead><tbody>"
        for ch in c.changes {
            h += "<tr data-kind=\(kind(ch))><td>\(xml(ch.key))</td><td class=\(ch.before.rawValue)>\(ch.before.rawValue)</td>"
            h += "<td class=\(ch.after.rawValue)>\(ch.after.rawValue)</td><td>\(xml(ch.detail))</td></tr>"
        }
        for k in c.added { h += "<tr data-kind=new><td>\(xml(k))</td><td></td><td>new</td><td></td></tr>" }
        for k in c.removed { h += "<tr data-kind=missing><td>\(xml(k))</td><td>missing now</td><td></td><td></td></tr>" }
        return h + "</tbody></table></body></html>\n"
    }
}
