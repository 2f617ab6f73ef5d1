import ArgumentParser
import Foundation
import Harness

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Join the records of a sharded run (--shard K/N) into one record and its reports.",
        discussion: "Exit codes as for the run itself: 0, 1 (a MUST cell did not pass, or with --expectations any difference), 2 for unreadable or overlapping records.")

    @Argument(help: "The shard records (report.json of each shard).")
    var records: [String]

    @Option(name: .long, help: "Report directory (default: results/<kind>-<time>).")
    var out: String?

    @Option(name: .long, help: "Known outcomes, as for conformance and interop.")
    var expectations: String?

    func run() throws {
        guard !records.isEmpty else { throw ValidationError("name the shard records, e.g. shard-*/report.json") }
        var loaded: [(path: String, record: RunRecord)] = []
        for path in records {
            do { loaded.append((path, try ReportWriter.read(path))) } catch { throw ValidationError("\(path): not a run record (\(error))") }
        }
        let merged: RunRecord
        do { merged = try RecordMerge.merge(loaded) } catch { throw ValidationError("\(error)") }
        let directory = out ?? "results/\(merged.kind)-" + stamp(Date())
        try ReportWriter(directory: directory).write(merged)
        print("merged \(records.count) records: \(merged.cells.count) cells")
        var known: Expectations?
        if let expectations {
            do { known = try Expectations.load(expectations) } catch { throw ValidationError("--expectations \(expectations): \(error)") }
        }
        try report(merged, directory: directory, expectations: known)
    }
}
