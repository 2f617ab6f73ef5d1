import ArgumentParser
import Foundation
import Gate
import Harness
import PerfTools

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "What changed between two run records (report.json: outcomes) or two perf records (perf.json: figures).",
        discussion: """
            Run records of one implementation (two versions, two builds) line up column by column; records of two \
            different implementations (pyzmq against zmq-agent), or the columns --a and --b name, line up by case and \
            transport, so a cell one passes and the other fails is a changed cell, not a new and a missing one.
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

    @Option(name: .long, help: "Run records: also write an HTML diff view to this file.")
    var html: String?

    @Option(
        name: .customLong("a"),
        help:
            "Run records: the column (implementation or pair) of the first record to compare; the same record may be given twice to compare two implementations of one interop run."
    )
    var a: String?

    @Option(name: .customLong("b"), help: "Run records: the column of the second record compared with --a, cell by cell (case and transport).")
    var b: String?

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
        let columns: (String, String)?
        switch (a, b) {
        case (let a?, let b?):
            for (name, record, file) in [(a, old, before), (b, new, after)] where !RunComparison.columns(of: record).contains(name) {
                throw ValidationError("\(name) is not a column of \(file) (it has: \(RunComparison.columns(of: record).joined(separator: ", ")))")
            }
            columns = (a, b)
        case (nil, nil): columns = RunComparison.defaultColumns(old, new)
        default: throw ValidationError("--a and --b go together: the column of the first record and the column of the second")
        }
        let c = RunComparison(before: old, after: new, columns: columns)
        print(markdown ? ComparisonReport.markdown(c, before: before, after: after) : ComparisonReport.text(c, before: before, after: after))
        if let html {
            do { try writeAtomically(Data(ComparisonReport.html(c, before: before, after: after).utf8), to: html) } catch {
                throw ValidationError("--html \(html): cannot write (\(error))")
            }
        }
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
