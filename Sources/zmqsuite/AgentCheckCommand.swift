import ArgumentParser
import Foundation
import Harness

struct AgentCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent-check",
        abstract: "Check that an agent speaks agents/PROTOCOL.md, and say what is wrong.",
        discussion: "Example: zmqsuite agent-check -- .venv/bin/python agents/pyzmq/agent.py")

    @Argument(parsing: .postTerminator, help: "The agent's command and arguments, after --.")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("give the agent's command after --, e.g. zmqsuite agent-check -- ./my-agent") }
    }

    func run() throws {
        var cmd = command
        if !cmd[0].contains("/"), let found = Self.which(cmd[0]) { cmd[0] = found }
        let results = AgentCheck.run(command: cmd)
        for r in results { print("\(r.ok ? "PASS" : "FAIL")  \(r.name): \(r.detail)") }
        let failed = results.filter { !$0.ok }.count
        print(failed == 0 ? "the agent passes every check of agents/PROTOCOL.md" : "\(failed) check(s) failed")
        if failed > 0 { throw ExitCode(1) }
    }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
}
