import Foundation
import Harness
import Testing

/// libzmq built with the draft API (scripts/setup --draft), driven through zmq-agent: the draft
/// socket types and functions the Debian build lacks work, and every cell has the outcome
/// cases/expectations/libzmq-draft.yaml records.
@Suite("libzmq with the draft API")
struct DraftBuildTests {
    @Test("the catalogue on libzmq-draft has its expected outcomes; every draft case passes")
    func catalogueOnDraftBuild() throws {
        let results = try catalogueMatchesExpectations("libzmq-draft")
        let drafts = results.filter { $0.caseId.hasPrefix("draft.") && $0.caseId != "draft.hiccup-msg" }
        #expect(!drafts.isEmpty && drafts.allSatisfy { $0.outcome == .PASS })
        #expect(try agent("libzmq-draft").info.capabilities.draftSymbols["zmq_join"] == true)
    }

    /// The draft cases exchange messages and judge them: broken on purpose, they fail.
    @Test(
        "draft cases fail when their semantics break",
        arguments: [
            ("draft.radio-dish", "draft_join: { socket: dish, group: weather }", "draft_join: { socket: dish, group: sports }"),
            (
                "draft.radio-dish-udp", "draft_recv: { socket: dish, expect: \"rain\", group: weather }",
                "draft_recv: { socket: dish, expect: \"rain\", group: news }"
            ),
            ("draft.dgram-udp", "frames: [{ var: from }, \"pong\"]", "frames: [\"127.0.0.1:9\", \"pong\"]"),
            ("pubsub.xpub.manual-last-value", "value: \"B\" }", "value: \"A\" }"),
            ("pubsub.xpub.only-first-subscribe", "only_first_subscribe: 1", "only_first_subscribe: 0"),
            (
                "draft.server-replies", "draft_send: { socket: srv, frame: \"reply\", routing_id: client }",
                "draft_send: { socket: srv, frame: \"reply\", routing_id: client }\n  - send: { socket: other, frames: [\"x\"] }\n  - draft_recv: { socket: srv, expect: \"x\", routing_id: client }"
            ),
            ("draft.peer", "draft_recv: { socket: b, expect: \"hello b\", routing_id: a_id }", "draft_recv: { socket: b, expect: \"hello a\", routing_id: a_id }"),
        ])
    func brokenDraftCasesFail(_ mutation: (caseId: String, replace: String, with: String)) throws {
        let driver = try agent("libzmq-draft")
        defer { driver.shutdown() }
        let file = try #require(CaseLoader.loadDirectory(root.appendingPathComponent("cases").path).first { $0.id == mutation.caseId }).file
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let doc = try #require(text.components(separatedBy: "\n---\n").first { $0.contains("id: \(mutation.caseId)\n") })
        #expect(doc.contains(mutation.replace), "the text to break is gone from \(mutation.caseId)")
        let broken = try CaseLoader.load(yaml: doc.replacingOccurrences(of: mutation.replace, with: mutation.with), file: file)
        let runner = ConformanceRunner(driver: driver, jobs: 1)
        let transport: Transport = mutation.caseId.hasSuffix("-udp") ? .udp : .tcp
        let results = runner.run(runner.plan(broken, transports: [transport]))
        #expect(results.count == 1 && results.allSatisfy { $0.outcome == .FAIL }, "\(results.map { "\($0.outcome.rawValue) \($0.detail)" })")
    }
}
