import ArgumentParser
import Foundation
import Harness

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print what changed between two run records (report.json): versions, outcomes, new or missing cells.",
        discussion: "Exit 0 when no cell that passed before fails now, 1 when one does, 2 when a record cannot be read.")

    @Argument(help: "The earlier record.") var before: String
    @Argument(help: "The later record.") var after: String

    func run() throws {
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
}
