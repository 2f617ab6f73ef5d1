import Foundation
import Testing

@testable import Harness

/// The step language has one place per step: the registry, its README table, its sources.
@Suite("Step registry")
struct StepRegistryTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyStepHasKeysASummaryAndAUniqueName() {
        // Plain values first: the compiler crashes on metatype existentials inside #expect.
        let rows: [(name: String, keys: [String], summary: String)] = StepRegistry.families.flatMap(\.steps).map { step in
            (step.name, step.keys, step.summary)
        }
        #expect(Set(rows.map(\.name)).count == rows.count)
        for row in rows {
            #expect(!row.summary.isEmpty, "\(row.name) has no summary")
            #expect(Set(row.keys).count == row.keys.count, "\(row.name) lists a key twice")
            #expect(row.keys.allSatisfy { !CaseParser.commonKeys.contains($0) }, "\(row.name) takes a key every step already has")
        }
    }

    /// Each step's name, quoted, is written in one source file: its family's. (Names that are
    /// also argument keys, such as `socket`, appear as keys elsewhere and are checked as
    /// declarations instead.)
    @Test func eachStepNameIsWrittenInOneSourceFile() throws {
        let sources = Self.root.appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        let texts = try files.map { ($0.lastPathComponent, try String(contentsOf: $0, encoding: .utf8)) }
        let allKeys: Set<String> = Set(StepRegistry.families.flatMap(\.steps).flatMap { step in step.keys })
        for name in StepRegistry.names {
            let declaring = texts.filter { $0.1.contains("static let name = \"\(name)\"") }.map(\.0)
            #expect(declaring.count == 1, "step '\(name)' is declared in \(declaring)")
            if allKeys.contains(name) || Feature(rawValue: name) != nil { continue }
            let quoting = texts.filter { $0.1.contains("\"\(name)\"") }.map(\.0)
            #expect(quoting == declaring, "step '\(name)' is written in \(quoting)")
        }
    }
}
