import Foundation
import Harness
import Testing

/// libzmq built with the draft API (scripts/setup --draft), driven through zmq-agent: the draft
/// socket types and functions the Debian build lacks work, and every cell has the outcome
/// cases/expectations/libzmq-draft.yaml records.
@Suite("libzmq with the draft API")
struct DraftBuildTests {
    @Test("the catalogue on libzmq-draft has its expected outcomes; every draft case passes")
    func catalogueMatchesExpectations() throws {
        let driver = try agent("libzmq-draft")
        defer { driver.shutdown() }
        let caseDirectory = root.appendingPathComponent("cases").path
        let expectations = try Expectations.load(caseDirectory + "/expectations/libzmq-draft.yaml")
        let runner = ConformanceRunner(driver: driver, jobs: 6)
        // Multicast cells need hosts: MulticastTests runs them for libzmq.
        let cells = runner.plan(try CaseLoader.loadDirectory(caseDirectory)).filter { !$0.needsHosts }
        let results = runner.run(cells)
        #expect(results.count == cells.count)
        for (r, want) in expectations.differences(results) {
            Issue.record("\(r.key): expected \(want.map(\.rawValue).joined(separator: " or ")), got \(r.outcome.rawValue): \(r.detail)")
        }
        let drafts = results.filter { $0.caseId.hasPrefix("draft.") }
        #expect(!drafts.isEmpty && drafts.allSatisfy { $0.outcome == .PASS })
        #expect(driver.info.capabilities.draftSymbols["zmq_join"] == true)
    }

    /// The draft cases exchange messages and judge them: broken on purpose, they fail.
    @Test(
        "draft cases fail when their semantics break",
        arguments: [
            ("draft.radio-dish", "draft_join: { socket: dish, group: weather }", "draft_join: { socket: dish, group: sports }"),
            (
                "draft.server-replies", "draft_send: { socket: srv, frame: \"reply\", routing_id: client }",
                "draft_send: { socket: srv, frame: \"reply\", routing_id: client }\n  - send: { socket: other, frames: [\"x\"] }\n  - draft_recv: { socket: srv, expect: \"x\", routing_id: client }"
            ),
            ("draft.peer", "draft_recv: { socket: b, expect: \"hello b\", routing_id: a_id }", "draft_recv: { socket: b, expect: \"hello a\", routing_id: a_id }"),
        ])
    func brokenDraftCasesFail(_ mutation: (caseId: String, replace: String, with: String)) throws {
        let driver = try agent("libzmq-draft")
        defer { driver.shutdown() }
        let file = root.appendingPathComponent("cases/draft/draft.yaml").path
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let doc = try #require(text.components(separatedBy: "\n---\n").first { $0.contains("id: \(mutation.caseId)\n") })
        #expect(doc.contains(mutation.replace), "the text to break is gone from \(mutation.caseId)")
        let broken = try CaseLoader.load(yaml: doc.replacingOccurrences(of: mutation.replace, with: mutation.with), file: file)
        let runner = ConformanceRunner(driver: driver, jobs: 1)
        let results = runner.run(runner.plan(broken, transports: [.tcp]))
        #expect(results.count == 1 && results.allSatisfy { $0.outcome == .FAIL }, "\(results.map { "\($0.outcome.rawValue) \($0.detail)" })")
    }
}
