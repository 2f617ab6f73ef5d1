import ArgumentParser
import Foundation
import Gate
import Harness
import PerfTools

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print what changed between two run records (report.json: outcomes) or two perf records (perf.json: figures).",
        discussion: """
            Perf records: every figure's change, its 95% bootstrap interval, a one-sided Mann-Whitney p, the \
            smallest change its trials could show, and a verdict by the thresholds (--threshold, as the gate's).
            Exit 0 when no cell that passed before fails now (no figure regressed), 1 when one does, 2 when a \
            record cannot be read.
            """)

    @Argument(help: "The earlier record.") var before: String
    @Argument(help: "The later record.") var after: String

    @Option(name: .long, help: "Perf records: KEY=PERCENT, as the gate's (defaults throughput=5%, latency-p50=10%, latency-p99=10%).")
    var threshold: [String] = []

    @Option(name: .long, help: "Perf records: significance level of the one-sided Mann-Whitney test.")
    var alpha: Double = 0.01

    @Flag(name: .long, help: "Print Markdown instead of text.")
    var markdown = false

    /// The `kind` field every record carries ("perf" for perf.json).
    static func kind(of path: String) -> String? {
        struct Kind: Decodable { var kind: String? }
        return (try? JSONDecoder().decode(Kind.self, from: Data(contentsOf: URL(fileURLWithPath: path))))?.kind
    }

    func run() throws {
        let kinds = (Self.kind(of: before), Self.kind(of: after))
        if kinds.0 == "perf" || kinds.1 == "perf" {
            guard kinds.0 == kinds.1 else {
                throw ValidationError(
                    "\(before) is a \(kinds.0 ?? "unreadable") record and \(after) a \(kinds.1 ?? "unreadable") one: compare two perf.json or two report.json")
            }
            return try comparePerf()
        }
        let old: RunRecord, new: RunRecord
        do {
            old = try ReportWriter.read(before)
            new = try ReportWriter.read(after)
        } catch {
            throw ValidationError("cannot read the records: \(error)")
        }
        let c = RunComparison(before: old, after: new)
        print("\(before) (\(old.cells.count) cells) -> \(after) (\(new.cells.count) cells)")
        if !c.versionChanges.isEmpty { print("\nimplementations:"); c.versionChanges.forEach { print("  \($0)") } }
        if !c.changes.isEmpty {
            print("\noutcomes changed (\(c.changes.count), \(c.regressions.count) regressions):")
            for ch in c.changes { print("  \(ch.before.rawValue) -> \(ch.after.rawValue)  \(ch.key)" + (ch.detail.isEmpty ? "" : "\n      \(ch.detail)")) }
        }
        if !c.added.isEmpty { print("\nnew cells (\(c.added.count)):"); c.added.prefix(50).forEach { print("  \($0)") } }
        if !c.removed.isEmpty { print("\nmissing cells (\(c.removed.count)):"); c.removed.prefix(50).forEach { print("  \($0)") } }
        if c.changes.isEmpty && c.added.isEmpty && c.removed.isEmpty { print("no outcome changed") }
        if !c.regressions.isEmpty { throw ExitCode(1) }
    }

    func comparePerf() throws {
        let old: PerfRecord, new: PerfRecord
        do { (old, new) = (try PerfComparison.load(before), try PerfComparison.load(after)) } catch { throw ValidationError("\(error)") }
        var policy = GatePolicy()
        do { policy.thresholds = try Thresholds.parse(threshold) } catch { throw ValidationError("\(error)") }
        policy.alpha = alpha
        policy.allowMissing = true
        let findings = PerfComparison.compare(old, new, policy: policy)
        print("\(before) -> \(after): \(findings.count) figures\n")
        print(PerfComparison.table(findings, markdown: markdown))
        let regressed = findings.filter { $0.verdict == .regression }
        for m in regressed { print("regression: \(m.name): \(m.note)") }
        if !regressed.isEmpty { throw ExitCode(1) }
    }
}
