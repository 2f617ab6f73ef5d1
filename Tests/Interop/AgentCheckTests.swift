import Foundation
import Harness
import Testing

/// agent-check catches broken agents: each one in Tests/Interop/BrokenAgents has one defect,
/// and the check that must name it fails (the real agents pass every check: InteropTests).
@Suite("agent-check flags broken agents")
struct AgentCheckTests {
    /// Each defect and the checks that must flag it.
    static let defects: [(defect: String, flaggedBy: [String])] = [
        ("slow-timeout", ["recv timeout"]),
        ("base64-refused", ["value forms"]),
        ("dies-on-unknown-op", ["unknown op", "end of input"]),
        ("chatty-stdout", ["stdout"]),
        ("ignores-end-of-input", ["end of input"]),
        ("leaky-session", ["session really closed"]),
        ("monitor-ends-at-close", ["monitor after close"]),
        ("false-claims", ["transports"]),
        ("errno-numbers", ["errno names"]),
    ]

    @Test("agent-check flags the defect", arguments: defects.map(\.defect))
    func flags(_ defect: String) throws {
        let python = root.appendingPathComponent(".venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "scripts/setup makes .venv")
        let script = root.appendingPathComponent("Tests/Interop/BrokenAgents/broken_agent.py").path
        let results = AgentCheck.run(command: [python, script, defect])
        let failed = Set(results.filter { !$0.ok }.map(\.name))
        let wanted = try #require(Self.defects.first { $0.defect == defect }).flaggedBy
        for name in wanted { #expect(failed.contains(name), "\(defect): agent-check's '\(name)' passed; failed were \(failed.sorted())") }
        // The defect is named, and not lost among unrelated failures of a healthy agent.
        #expect(results.filter { $0.ok }.count > 10, "\(defect): most checks still pass")
    }
}
