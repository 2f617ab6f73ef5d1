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

    static func command(_ mode: String) throws -> [String] {
        let python = root.appendingPathComponent(".venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "scripts/setup makes .venv")
        return [python, root.appendingPathComponent("Tests/Interop/BrokenAgents/broken_agent.py").path, mode]
    }

    @Test("agent-check flags the defect", arguments: defects.map(\.defect))
    func flags(_ defect: String) throws {
        let results = AgentCheck.run(command: try Self.command(defect))
        let failed = Set(results.filter { !$0.ok }.map(\.name))
        let wanted = try #require(Self.defects.first { $0.defect == defect }).flaggedBy
        for name in wanted { #expect(failed.contains(name), "\(defect): agent-check's '\(name)' passed; failed were \(failed.sorted())") }
        // The defect is named, and not lost among unrelated failures of a healthy agent.
        #expect(results.filter { $0.ok }.count > 10, "\(defect): most checks still pass")
    }

    /// A version 1 agent (binary option values as plain strings) is still driven: the suite sends
    /// it the version 1 form, and a case that sets a binary option written as text passes.
    @Test("a version 1 agent still runs cases")
    func versionOneAgentStillWorks() throws {
        let driver = try AgentDriver(name: "v1", command: try Self.command("version-1"))
        defer { driver.shutdown() }
        #expect(driver.protocolVersion == 1)
        let chosen = try cases(["reqrep.router.identity-prefix", "pubsub.sub.prefix-filter"])
        let runner = ConformanceRunner(driver: driver, jobs: 2)
        let results = runner.run(runner.plan(chosen, transports: [.tcp]))
        #expect(results.count == 2 && results.allSatisfy { $0.outcome == .PASS }, "\(results.map { "\($0.key) \($0.outcome.rawValue) \($0.detail)" })")
    }
}
