import Foundation
import Testing

@testable import Harness

/// The tables the documents share with the code are the code's: `scripts/tables` writes them
/// between markers, and these tests say which one is stale.
@Suite("Generated tables")
struct GeneratedTablesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The text between `<!-- MARKER:begin ... -->` (after its line) and `<!-- MARKER:end -->`.
    static func table(_ file: String, _ marker: String) throws -> String {
        let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
        let begin = try #require(text.range(of: "<!-- \(marker):begin"), "\(file) has no \(marker) table")
        let lineEnd = try #require(text[begin.upperBound...].firstIndex(of: "\n"))
        let end = try #require(text.range(of: "<!-- \(marker):end -->"))
        return String(text[text.index(after: lineEnd)..<end.lowerBound])
    }

    @Test func readmeStepTableIsTheRegistrys() throws {
        #expect(try Self.table("README.md", "steps") == StepRegistry.markdownTable(), "README's step table is stale: run scripts/tables")
    }

    @Test func protocolTablesAreTheCodes() throws {
        let doc = "agents/PROTOCOL.md"
        #expect(try Self.table(doc, "options") == ProtocolTables.options(), "PROTOCOL.md's option table is stale: run scripts/tables")
        #expect(try Self.table(doc, "events") == ProtocolTables.events(), "PROTOCOL.md's event table is stale: run scripts/tables")
        #expect(try Self.table(doc, "transports") == ProtocolTables.transports(), "PROTOCOL.md's transport table is stale: run scripts/tables")
    }

    /// Every op of the protocol's core and every feature name is described on the page.
    @Test func protocolPageNamesEveryOpAndFeature() throws {
        let page = try String(contentsOf: Self.root.appendingPathComponent("agents/PROTOCOL.md"), encoding: .utf8)
        for op in AgentOp.allCases { #expect(page.contains("`\(op.rawValue)`"), "PROTOCOL.md does not describe op \(op.rawValue)") }
        for feature in Feature.allCases { #expect(page.contains("`\(feature.rawValue)`"), "PROTOCOL.md does not name feature \(feature.rawValue)") }
    }
}
