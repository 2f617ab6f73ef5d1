import Foundation
import Harness
import Testing

/// An implementation on another machine: `zmqsuite agent-serve` there, a registry entry
/// `connect: HOST:PORT` here. Its cells give what the local agent gives, and an address where
/// nothing listens is a clear error within its bound.
@Suite("Remote agents over TCP")
struct RemoteAgentTests {
    @Test func conformanceThroughAgentServeMatchesTheLocalAgent() throws {
        guard let (fd, port) = loopbackTCPSocket(listening: false) else { throw AgentError.unavailable("no free port") }
        close(fd)
        let serve = try LineProcess(executable: bin + "/zmqsuite", arguments: ["agent-serve", "--listen", "127.0.0.1:\(port)", "--", bin + "/zmq-agent"])
        defer { serve.kill() }
        let ready = try #require(serve.readLine(timeoutMs: 10000), "agent-serve did not start")
        #expect(ready.contains("listening on 127.0.0.1:\(port)"))

        let remote = try AgentDriver(name: "remote-zmq-agent", command: ["tcp://127.0.0.1:\(port)"])
        defer { remote.shutdown() }
        let local = try agent("zmq-agent")
        defer { local.shutdown() }
        #expect(remote.info.version == local.info.version)
        let chosen = try CaseLoader.loadDirectory(root.appendingPathComponent("cases").path).filter { $0.id.hasPrefix("reqrep.req.") }
        let outcomes = { (d: AgentDriver) in
            let runner = ConformanceRunner(driver: d, jobs: 4)
            return Dictionary(runner.run(runner.plan(chosen).filter { !$0.needsHosts }).map { ($0.key, $0.outcome) }, uniquingKeysWith: { a, _ in a })
        }
        let there = outcomes(remote), here = outcomes(local)
        #expect(!there.isEmpty && there == here)

        // A cell whose steps connect from the suite (here a relay) cannot reach a remote
        // agent's endpoints: ERROR naming why, never a FAIL blamed on the implementation.
        let relayed = try CaseLoader.loadDirectory(root.appendingPathComponent("cases").path).filter { $0.id == "reqrep.rep.refuses-router-peer" }
        let runner = ConformanceRunner(driver: remote, jobs: 2)
        let cells = runner.run(runner.plan(relayed).filter { !$0.needsHosts })
        #expect(cells.contains { $0.outcome == .ERROR })
        for cell in cells where cell.outcome != .UNSUPPORTED {
            #expect(cell.outcome == .ERROR && cell.detail.contains("is a remote agent") && cell.detail.contains("step relay"), "\(cell.key): \(cell.detail)")
        }
    }

    @Test func nothingListeningIsAClearErrorInTime() throws {
        guard let (fd, port) = loopbackTCPSocket(listening: false) else { throw AgentError.unavailable("no free port") }
        close(fd)
        let start = Date()
        #expect(throws: AgentError.self) { try AgentDriver(name: "nowhere", command: ["tcp://127.0.0.1:\(port)"]) }
        do { _ = try AgentDriver(name: "nowhere", command: ["tcp://127.0.0.1:\(port)"]) } catch {
            #expect("\(error)".contains("cannot connect to the agent at 127.0.0.1:\(port)"), "\(error)")
        }
        #expect(Date().timeIntervalSince(start) < 12)
    }

    @Test func registryTakesConnect() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("registry-\(getpid()).yaml").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "implementations:\n  - name: far\n    connect: \"10.0.0.2:5600\"\n".write(toFile: file, atomically: true, encoding: .utf8)
        let r = try Registry.load(file)
        #expect(r.command(for: r.entries[0], bin: bin) == ["tcp://10.0.0.2:5600"])
        try "implementations:\n  - name: far\n    connect: \"somewhere\"\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: RegistryError.self) { try Registry.load(file) }
    }
}

/// The same across machines: agent-serve on one namespace host, the suite on another, the
/// traffic between them on a real interface.
@Suite("A remote agent on another host")
struct RemoteHostAgentTests {
    @Test func conformanceFromAnotherHostPassesLikeALocalRun() throws {
        try #require(HostNetwork.unavailableReason() == nil, "namespace hosts need root and ip(8): \(HostNetwork.unavailableReason() ?? "")")
        let net = try HostNetwork(count: 2)
        defer { net.remove() }
        let (here, there) = (net.hosts[0], net.hosts[1])
        let serveCommand = net.command(on: there, [bin + "/zmqsuite", "agent-serve", "--listen", "\(there.address):5600", "--", bin + "/zmq-agent"])
        let serve = try LineProcess(executable: serveCommand[0], arguments: Array(serveCommand.dropFirst()))
        defer { serve.kill() }
        _ = try #require(serve.readLine(timeoutMs: 10000), "agent-serve did not start on \(there)")

        let out = FileManager.default.temporaryDirectory.appendingPathComponent("zmqsuite-remote-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let registryFile = out + "/registry.yaml"
        try "implementations:\n  - name: far\n    connect: \"\(there.address):5600\"\n".write(toFile: registryFile, atomically: true, encoding: .utf8)
        let filter = ["--filter", "reqrep.req.*", "--cases", root.path + "/cases"]
        let remoteRun = net.command(on: here, [bin + "/zmqsuite", "conformance", "--impl", "far", "--registry", registryFile, "--out", out + "/far"] + filter)
        let r = ChildProcess.run(remoteRun[0], Array(remoteRun.dropFirst()), boundMs: 300_000)
        #expect([0, 1].contains(r.status), "\(r.output.suffix(400))")
        let l = zmqsuite(["conformance", "--impl", "zmq-agent", "--registry", root.path + "/agents/registry.yaml", "--out", out + "/near"] + filter)
        #expect([0, 1].contains(l.status), "\(l.output.suffix(400))")
        let outcomes = { (path: String) in
            Dictionary(try ReportWriter.read(path).cells.map { ("\($0.caseId)@\($0.transport)", $0.outcome) }, uniquingKeysWith: { a, _ in a })
        }
        let far = try outcomes(out + "/far/report.json"), near = try outcomes(out + "/near/report.json")
        #expect(!far.isEmpty && far == near)
    }
}
