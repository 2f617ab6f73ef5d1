import Foundation
import Harness
import PerfTools

/// Two perf records compared figure by figure, as criterion compares with its saved baseline:
/// the change of the median, its 95% bootstrap interval, a one-sided Mann-Whitney p, the
/// smallest change the trials could show, and a verdict by the gate's thresholds.
public enum PerfComparison {
    public static func load(_ path: String) throws -> PerfRecord {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw GateError.unreadable("\(path): cannot read (\(error.localizedDescription))")
        }
        do { return try JSONDecoder.gate.decode(PerfRecord.self, from: data) } catch {
            throw GateError.unreadable("\(path): not a perf record (perf.json of zmqsuite perf): \(error)")
        }
    }

    /// Every figure of `before`, judged against the same figure of `after` (by kind, transport,
    /// pattern, size and implementation); figures only `after` has are listed as new.
    public static func compare(_ before: PerfRecord, _ after: PerfRecord, policy: GatePolicy) -> [MetricFinding] {
        let old = before.results.flatMap(Metric.from)
        let new = Dictionary(after.results.flatMap(Metric.from).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var findings = old.map { Gatekeeper.judge($0, new[$0.name], policy) }
        let known = Set(old.map(\.name))
        for m in after.results.flatMap(Metric.from) where !known.contains(m.name) {
            findings.append(
                MetricFinding(
                    name: m.name, kind: m.kind, unit: m.unit, currentMedian: m.trials.isEmpty ? nil : m.median,
                    threshold: policy.thresholds.fraction(for: m), verdict: .new, note: "not in the earlier record"))
        }
        return findings
    }

    /// A text table (or Markdown with `markdown`), one line per figure.
    public static func table(_ findings: [MetricFinding], markdown: Bool) -> String {
        let header = ["figure", "before", "after", "change", "95% interval", "p (worse)", "smallest detectable", "verdict"]
        let rows = findings.map { m -> [String] in
            let interval = m.intervalLow.map { String(format: "%.3f–%.3f", $0, m.intervalHigh ?? .nan) } ?? ""
            let seen = m.smallestDetectable.map { String(format: "%.1f%%", $0 * 100) } ?? (m.verdict == .context ? "" : "none")
            return [
                m.name, GateOutput.figure(m.baselineMedian, m.unit), GateOutput.figure(m.currentMedian, m.unit), m.change, interval,
                m.pWorse.map { String(format: "%.4f", $0) } ?? "", seen, m.verdict.rawValue + (m.blind && m.verdict != .context ? ", blind" : ""),
            ]
        }
        if markdown {
            return
                (["| " + header.joined(separator: " | ") + " |", "|" + String(repeating: "---|", count: header.count)]
                + rows.map { "| " + $0.map(MarkdownReport.cell).joined(separator: " | ") + " |" }).joined(separator: "\n") + "\n"
        }
        let widths = header.indices.map { i in ([header[i]] + rows.map { $0[i] }).map(\.count).max() ?? 0 }
        let line = { (cells: [String]) in zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ") }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}
