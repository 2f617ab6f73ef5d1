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
}
