import Foundation
import Harness
import Testing

/// The process and network faults are refused where they cannot apply, with file and line, and
/// the recovery matrix shows every transport's outcome per implementation.
@Suite("Fault steps and the recovery matrix")
struct FaultCaseTests {
    static let header = "id: t.case\nspec: \"RFC 31 2.1: test\"\nlevel: MUST\n"

    @Test func killNeedsAProcessOfItsOwn() throws {
        let e = try #require(loadError(Self.header + "steps:\n  - socket: { name: a, type: PUB }\n  - kill: { socket: a }\n"))
        #expect(e.line == 6)
        #expect(e.message.contains("declare 'a' with process: own"))
    }

    @Test func badProcessValue() throws {
        let e = try #require(loadError(Self.header + "steps:\n  - socket: { name: a, type: PUB, process: shared }\n"))
        #expect(e.line == 5)
        #expect(e.message.contains("expected `own`"))
    }

    @Test func partitionNamesAHostWithSockets() throws {
        let e = try #require(
            loadError(Self.header + "steps:\n  - socket: { name: a, type: PUB, host: a }\n  - partition: { host: c, for: 1s }\n"))
        #expect(e.line == 6)
        #expect(e.message.contains("no socket of the case lives"))
    }

    @Test func partitionIsBounded() throws {
        let e = try #require(loadError(Self.header + "steps:\n  - socket: { name: a, type: PUB, host: a }\n  - partition: { host: a }\n"))
        #expect(e.message.contains("how long it lasts"))
    }

    /// A killed agent is a fault the case asked for, never a crash: the cell passes, and the
    /// fresh process serves the restarted socket.
    @Test func killedAgentIsNoCrash() throws {
        let file = catalogueDirectory + "/recovery/kill.yaml"
        let cases = try CaseLoader.load(yaml: String(contentsOfFile: file, encoding: .utf8), file: file)
            .filter { $0.id == "recovery.dealer.reconnects-after-router-killed" }
        let runner = ConformanceRunner(driver: sharedDriver, jobs: 2)
        let results = runner.run(runner.plan(cases, transports: nil))
        #expect(results.count == 2)
        for r in results {
            #expect(r.outcome == .PASS, "\(r.caseId)@\(r.transport): \(r.detail)")
            #expect(r.observations.contains { $0.contains("killed with SIGKILL") })
        }
        let record = RunRecord(
            kind: "conformance", environment: .capture(implementations: [], start: Date()), cells: results, planned: results.count,
            interrupted: false)
        let matrix = try #require(RecoveryMatrix(record))
        #expect(matrix.transports == ["tcp", "ipc"])
        #expect(matrix.markdown.contains("tcp PASS, ipc PASS"))
        #expect(matrix.survived(matrix.columns[0]) == (2, 2))
    }
}
