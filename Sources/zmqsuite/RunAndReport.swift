import ArgumentParser
import Foundation
import Harness

/// Runs planned cells with progress and Ctrl-C handling, writes the reports, prints the
/// summary, and turns the outcome into the exit code (0, 1, or 130 when interrupted).
/// With `expectations`, the exit code says whether every cell had its known outcome instead.
func runAndReport(
    kind: String, runner: ConformanceRunner, cells: [Cell], implementations: [ImplementationInfo], out: String?,
    expectations: Expectations? = nil
) throws {
    let directory = out ?? "results/\(kind)-" + stamp(Date())
    let record = try runRecorded(kind: kind, runner: runner, cells: cells, implementations: implementations, directory: directory)
    if out == nil { pointLatest(at: directory) }
    try report(record, directory: directory, expectations: expectations)
}

/// Prints a written record's outcome and turns it into the exit code (0, 1, or 130 when
/// interrupted); with `expectations`, whether every cell had its known outcome instead.
func report(_ record: RunRecord, directory: String, expectations: Expectations?) throws {
    let s = record.summary
    print(Outcome.allCases.map { "\($0.rawValue) \(s.outcomes[$0.rawValue] ?? 0)" }.joined(separator: ", "))
    print("report: \(directory)/report.html (also report.json, junit.xml, summary.md)")
    if s.interrupted { throw ExitCode(130) }
    if let expectations {
        let differ = expectations.differences(record.cells)
        for (c, want) in differ {
            print("differs: \(c.key) [\(c.column)]: expected \(want.map(\.rawValue).joined(separator: " or ")), got \(c.outcome.rawValue): \(c.detail)")
        }
        print(differ.isEmpty ? "every cell has its expected outcome" : "\(differ.count) cell(s) differ from the expectations")
        if !differ.isEmpty { throw ExitCode(1) }
        return
    }
    if s.mustNotPassed > 0 {
        print("\(s.mustNotPassed) MUST cell(s) did not pass")
        throw ExitCode(1)
    }
}

/// Runs planned cells with progress and Ctrl-C handling (the first stops new cells, the
/// second writes what finished and exits 130) and writes the run's reports into `directory`,
/// the journal as each cell finishes. Returns the record; `summary.interrupted` says whether
/// Ctrl-C cut it short.
func runRecorded(
    kind: String, runner: ConformanceRunner, cells: [Cell], implementations: [ImplementationInfo],
    directory: String
) throws -> RunRecord {
    let start = Date()
    let writer = try ReportWriter(directory: directory)
    let progress = Progress(total: cells.count)
    let interrupt = Interrupt()
    let finish: @Sendable ([CellResult], Bool) throws -> RunRecord = { results, interrupted in
        var env = RunEnvironment.capture(implementations: implementations, start: start)
        env.endTime = Date()
        let record = RunRecord(kind: kind, environment: env, cells: results, planned: cells.count, interrupted: interrupted)
        try writer.write(record)
        return record
    }
    interrupt.install {
        // A second Ctrl-C: write what finished and leave now.
        progress.end()
        _ = try? finish(progress.results, true)
        FileHandle.standardError.write(Data("zmqsuite: interrupted; finished cells are in \(directory)\n".utf8))
        Foundation.exit(130)
    }
    let results = runner.run(
        cells,
        onResult: { r in
            writer.journal(r)
            progress.add(r)
        }, shouldStop: { interrupt.requested })
    progress.end()
    return try finish(results, interrupt.requested)
}

func stamp(_ d: Date) -> String {
    let f = DateFormatter()
    f.dateFormat = "yyyyMMdd-HHmmss"
    f.timeZone = TimeZone(identifier: "UTC")
    return f.string(from: d)
}

func pointLatest(at directory: String) {
    let link = URL(fileURLWithPath: directory).deletingLastPathComponent().appendingPathComponent("latest").path
    try? FileManager.default.removeItem(atPath: link)
    try? FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: URL(fileURLWithPath: directory).lastPathComponent)
}

/// A line on stderr (progress and diagnostics; stdout is for results).
func printError(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
