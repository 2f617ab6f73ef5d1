import Foundation
import Harness

/// The gate's outputs for CI: a Markdown summary (pull-request comment or job summary), JUnit
/// XML (one test per cell change and per metric), the JSON report, and the perf figures in
/// the shape github-action-benchmark reads.
public enum GateOutput {
    public static func markdown(_ r: GateReport) -> String {
        let ab = r.mode == "ab"
        var md = "## zmqsuite gate (\(r.suite) suite\(ab ? ", A/B" : "")): " + (r.passed ? "passed" : "**\(r.regressions.count) regression(s)**") + "\n\n"
        md +=
            ab
            ? "A and B measured in pairs (ABBA order) in one run at revision `\(r.currentRevision.prefix(12))`. Policy: \(r.policy).\n\n"
            : "Baseline revision `\(r.baselineRevision.prefix(12))`, current `\(r.currentRevision.prefix(12))`. Policy: \(r.policy).\n\n"
        for w in r.warnings { md += "> **warning:** \(w)\n\n" }
        for c in r.implementationChanges { md += "- implementation changed: \(c)\n" }
        if !r.implementationChanges.isEmpty { md += "\n" }
        if !r.regressions.isEmpty {
            md += "### Regressions\n\n" + r.regressions.map { "- \($0)" }.joined(separator: "\n") + "\n\n"
        }
        let changed = r.cells.filter { $0.verdict != .unchanged || $0.before != $0.after }
        if !ab { md += "### Conformance: \(changed.count) cell(s) changed\n\n" }
        if !changed.isEmpty {
            md += "| cell | baseline | now | verdict | detail |\n|---|---|---|---|---|\n"
            for c in changed { md += "| `\(c.key)` | \(c.before) | \(c.after) | \(c.verdict.rawValue) | \(cell(c.detail)) |\n" }
            md += "\n"
        }
        let (left, right) = ab ? ("A", "B") : ("baseline", "now")
        md += "### Performance: \(r.metrics.count) metric(s)\n\n"
        md += "A metric sees a change only above its smallest detectable change (at the policy's alpha, power 0.8); "
        md += "where that exceeds its threshold it is **blind**: its \"unchanged\" proves little.\n\n"
        md += "| metric | \(left) | \(right) | change | 95% interval | p (worse) | trials | noise | smallest detectable | threshold | verdict |\n"
        md += "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|\n"
        for m in r.metrics {
            let interval = m.intervalLow.map { String(format: "%.3f–%.3f", $0, m.intervalHigh ?? .nan) } ?? ""
            let p = m.pWorse.map { String(format: "%.4f", $0) } ?? ""
            let seen = m.verdict == .context ? "" : m.smallestDetectable.map { String(format: "%.2f%%", $0 * 100) } ?? "none"
            let verdict = m.verdict.rawValue + (m.blind && m.verdict != .context && m.verdict != .missing ? ", **blind**" : "")
            md += "| \(m.name) | \(figure(m.baselineMedian, m.unit)) | \(figure(m.currentMedian, m.unit)) | \(m.change) | \(interval) | \(p) "
            md += "| \(m.trials.map(String.init) ?? "") | \(String(format: "%.1f%%", m.noiseBand * 100)) | \(seen) "
            md += "| \(String(format: "%g%%", m.threshold * 100)) | \(verdict) |\n"
        }
        return md
    }

    public static func junit(_ r: GateReport) -> String {
        var cases = ""
        var failures = 0
        for c in r.cells {
            cases += "    <testcase classname=\"gate.conformance\" name=\"\(xml(c.key))\">"
            if c.verdict == .regression || c.verdict == .missing {
                failures += 1
                cases += "<failure message=\"\(xml("\(c.before) -> \(c.after)"))\">\(xml(c.detail))</failure>"
            }
            cases += "</testcase>\n"
        }
        for m in r.metrics {
            cases += "    <testcase classname=\"gate.perf\" name=\"\(xml(m.name))\">"
            let blindFails = r.failBlind && r.blind.contains { $0.name == m.name }
            if m.verdict == .regression || m.verdict == .missing || blindFails {
                failures += 1
                cases += "<failure message=\"\(xml(blindFails ? "blind: " + GateReport.detectable(m) : m.note))\"/>"
            } else {
                let sees =
                    m.blind ? "; blind: " + GateReport.detectable(m) : m.smallestDetectable.map { String(format: "; smallest detectable change %.2f%%", $0 * 100) } ?? ""
                cases += "<system-out>\(xml("\(m.verdict.rawValue): \(m.note)\(sees)"))</system-out>"
            }
            cases += "</testcase>\n"
        }
        return
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"zmqsuite gate\" tests=\"\(r.cells.count + r.metrics.count)\" failures=\"\(failures)\">\n"
            + cases + "  </testsuite>\n</testsuites>\n"
    }

    /// github-action-benchmark's custom formats: one list per direction (its tools
    /// customBiggerIsBetter and customSmallerIsBetter), entries {name, unit, value, range}.
    public static func benchmark(_ record: GateRecord, biggerIsBetter: Bool) -> Data {
        struct Entry: Codable { var name: String; var unit: String; var value: Double; var range: String; var extra: String }
        let entries = record.metrics.filter { !$0.trials.isEmpty && ($0.direction == .biggerIsBetter) == biggerIsBetter }.map { m in
            let spread = (m.trials.max()! - m.trials.min()!) / 2
            return Entry(
                name: m.name, unit: m.unit, value: m.median, range: String(format: "± %.4g", spread),
                extra: "median of \(m.passMedians.count) pass medians, \(m.trials.count) trials")
        }
        return (try? ReportWriter.encoder().encode(entries)) ?? Data("[]".utf8)
    }

    /// Writes gate.json, gate.md, gate-junit.xml, current.json (the record measured now) and
    /// benchmark-bigger.json / benchmark-smaller.json into `directory`.
    public static func write(_ report: GateReport, current: GateRecord, to directory: String) throws {
        try write(report, to: directory)
        try current.write(to: directory + "/current.json")
        try writeAtomically(benchmark(current, biggerIsBetter: true), to: directory + "/benchmark-bigger.json")
        try writeAtomically(benchmark(current, biggerIsBetter: false), to: directory + "/benchmark-smaller.json")
    }

    /// gate.json, gate.md and gate-junit.xml.
    public static func write(_ report: GateReport, to directory: String) throws {
        try writeAtomically(try ReportWriter.encoder().encode(report), to: directory + "/gate.json")
        try writeAtomically(Data(markdown(report).utf8), to: directory + "/gate.md")
        try writeAtomically(Data(junit(report).utf8), to: directory + "/gate-junit.xml")
    }

    static func figure(_ v: Double?, _ unit: String) -> String {
        guard let v else { return "–" }
        return (v >= 10000 ? String(format: "%.0f", v) : String(format: "%.2f", v)) + " " + unit
    }

    private static func cell(_ s: String) -> String {
        String(s.prefix(160)).replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
