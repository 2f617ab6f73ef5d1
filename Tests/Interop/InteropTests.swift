import Foundation
import Harness
import Testing

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let registry = try! Registry.load(root.appendingPathComponent("agents/registry.yaml").path)
/// zmq-agent is built beside the test runner (swift build --build-tests builds every product).
let bin = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path

func agent(_ name: String) throws -> AgentDriver {
    switch registry.open([name], bin: bin)[0].1 {
    case .ready(let d as AgentDriver): return d
    case .unavailable(let why): throw AgentError.unavailable("\(name): \(why) (scripts/setup installs every agent)")
    default: throw AgentError.unavailable("\(name) is not an agent")
    }
}

/// Runs this build's zmqsuite command line to its end (bounded at 5 minutes).
func zmqsuite(_ arguments: [String]) -> (status: Int32, output: String) {
    ChildProcess.run(bin + "/zmqsuite", arguments, boundMs: 300_000)
}

func cases(_ ids: [String]) throws -> [CaseDefinition] {
    try CaseLoader.loadDirectory(root.appendingPathComponent("cases").path).filter { ids.contains($0.id) }
}

/// Runs the catalogue (single-host cells) on an agent implementation and records every cell
/// whose outcome differs from cases/expectations/NAME.yaml. Returns the results.
@discardableResult
func catalogueMatchesExpectations(_ name: String, jobs: Int = 6) throws -> [CellResult] {
    let driver = try agent(name)
    defer { driver.shutdown() }
    let caseDirectory = root.appendingPathComponent("cases").path
    let expectations = try Expectations.load(caseDirectory + "/expectations/\(name).yaml")
    let runner = ConformanceRunner(driver: driver, jobs: jobs)
    // Multicast cells need hosts: MulticastTests runs them for libzmq.
    let cells = runner.plan(try CaseLoader.loadDirectory(caseDirectory)).filter { !$0.needsHosts }
    let results = runner.run(cells)
    #expect(results.count == cells.count)
    for (r, want) in expectations.differences(results) {
        Issue.record("\(name) \(r.key): expected \(want.map(\.rawValue).joined(separator: " or ")), got \(r.outcome.rawValue): \(r.detail)")
    }
    return results
}

@Suite("Agents and interop")
struct InteropTests {
    @Test("each registered agent speaks the protocol, bad requests included", arguments: registry.entries.map(\.name))
    func agentSpeaksTheProtocol(_ name: String) throws {
        let entry = try #require(registry.entries.first { $0.name == name })
        let results = AgentCheck.run(command: registry.command(for: entry, bin: bin))
        #expect(!results.isEmpty)
        for r in results { #expect(r.ok, "\(name) \(r.name): \(r.detail)") }
    }

    @Test("pairs of implementations pass over tcp; JeroMQ's ipc does not reach libzmq")
    func pairsOverTCP() throws {
        let drivers: [Driver] = [try agent("zmq-agent"), try agent("pyzmq"), try agent("jeromq")]
        defer { for case let d as AgentDriver in drivers { d.shutdown() } }
        let chosen = try cases(["reqrep.req.lockstep", "reqrep.router.identity-prefix", "pubsub.sub.prefix-filter", "pair.exchange"])
        #expect(chosen.count == 4)
        let cells = ConformanceRunner.planInterop(chosen, drivers: drivers, transports: [.tcp, .ipc]).filter {
            if case .pair = $0.mode { return true } else { return false }
        }
        let results = ConformanceRunner(driver: drivers[0], jobs: 6).run(cells)
        #expect(results.count == 4 * 6 * 2, "4 cases x 6 ordered pairs x 2 transports")
        for r in results where r.transport == "tcp" {
            #expect(r.outcome == .PASS, "\(r.key): \(r.outcome.rawValue) \(r.detail)")
        }
        for r in results where r.transport == "ipc" {
            let jeromqWithOther = (r.pair ?? "").contains("jeromq")
            #expect(jeromqWithOther ? r.outcome == .FAIL : r.outcome == .PASS, "\(r.key): \(r.outcome.rawValue) \(r.detail)")
        }
    }

    @Test("each agent's perf op runs its own loops and reports every round trip and message", arguments: ["zmq-agent", "pyzmq", "jeromq"])
    func agentPerf(_ name: String) throws {
        let driver = try agent(name)
        defer { driver.shutdown() }
        #expect(driver.info.capabilities.features.contains("perf"))
        var base = AgentRequest(op: "perf")
        base.endpoint = "tcp://127.0.0.1:*"
        base.size = 64
        base.warmup = 10
        base.count = 200
        var latency = base
        latency.kind = "latency"; latency.first = "DEALER"; latency.second = "ROUTER"
        let samples = try #require(try driver.call(latency, timeoutMs: 60000).samplesNs)
        #expect(samples.count == 200 && samples.allSatisfy { $0 > 0 })
        for (first, second) in [("PUSH", "PULL"), ("PUB", "SUB")] {
            var throughput = base
            throughput.kind = "throughput"; throughput.first = first; throughput.second = second
            let r = try driver.call(throughput, timeoutMs: 60000)
            #expect(r.received == 200, "\(name) \(first)/\(second)")
            #expect((r.elapsedNs ?? 0) > 0)
        }
        // A bad request is a protocol error, not a crash: the agent answers the next one.
        var sideways = AgentRequest(op: "perf")
        sideways.kind = "sideways"
        #expect(throws: (any Error).self) { try driver.call(sideways, timeoutMs: 10000) }
        #expect(try driver.call(latency, timeoutMs: 60000).samplesNs != nil)
    }

    @Test("an agent killed with SIGKILL mid-cell gives ERROR for that cell, and the run goes on")
    func killedAgent() throws {
        let driver = try agent("zmq-agent")
        defer { driver.shutdown() }
        let yaml = """
            id: t.waits
            spec: "RFC 31: s"
            level: MUST
            transports: [tcp]
            steps:
              - socket: { name: p, type: PULL }
              - bind: { socket: p }
              - recv: { socket: p, within: 4s }
            ---
            id: t.after
            spec: "RFC 31: s"
            level: MUST
            transports: [tcp]
            steps:
              - socket: { name: b, type: PAIR }
              - bind: { socket: b }
              - socket: { name: a, type: PAIR }
              - connect: { socket: a, to: b }
              - send: { socket: a, frames: ["alive"] }
              - recv: { socket: b, expect: ["alive"] }
            """
        let runner = ConformanceRunner(driver: driver, jobs: 1)
        let cells = runner.plan(try CaseLoader.load(yaml: yaml, file: "kill.yaml"))
        let killer = Thread {
            Thread.sleep(forTimeInterval: 0.8)  // the first cell is waiting in its 4 s recv by then
            for pid in driver.runningProcessIDs { kill(pid, SIGKILL) }
        }
        killer.start()
        let results = runner.run(cells)
        #expect(results.map(\.outcome) == [.ERROR, .PASS])
        #expect(results[0].detail.contains("died"), "\(results[0].detail)")
    }
}
