import ArgumentParser
import Foundation
import Gate
import Harness
import PerfTools

extension GateSuite: ExpressibleByArgument {}

extension GateSuite {
    /// Runs the catalogue (in worker processes) and the perf set; the conformance reports go
    /// to `directory` as cells finish, so an interrupted gate keeps what it measured.
    /// Multicast cells run on hosts with `agent` (zmq-agent) inside; without it or without root
    /// they are UNSUPPORTED, in the baseline as now.
    func measure(cases: CatalogueOptions, jobs: Int, directory: String, passes: Int = GateSuite.passes, agent: [String]?, instructions: Bool) throws -> GateRecord {
        if self == .instructions {
            guard let agent else { throw ValidationError("--suite instructions: zmq-agent is not in the registry, so there is nothing to count") }
            let start = Date()
            let info = LibzmqDriver().info
            let counts = GateSuite.measureInstructions(command: agent, name: "zmq-agent", log: printError)
            let none = RunRecord(
                kind: "conformance", environment: RunEnvironment.capture(implementations: [info], start: start), cells: [], planned: 0, interrupted: false)
            return GateRecord(suite: rawValue, build: Self.build, conformance: none, perfPasses: [], instructions: counts)
        }
        let definitions = try cases.load()
        guard let exe = WorkerPool.defaultExecutable() else { throw ValidationError("cannot find the zmqsuite binary to start workers") }
        let pool = WorkerPool(executable: exe)
        defer { pool.shutdown() }
        let driver = LibzmqDriver()
        let runner = ConformanceRunner(driver: driver, jobs: jobs, pool: pool)
        let (cells, rig) = ConformanceRunner.placeOnHosts(runner.plan(definitions), acrossHosts: false, implementation: "libzmq", agent: agent, log: printError)
        defer { rig?.shutdown() }
        FileHandle.standardError.write(Data("zmqsuite gate (\(rawValue)): \(cells.count) conformance cells, then the perf set\n".utf8))
        let conformance = try runRecorded(
            kind: "conformance", runner: runner, cells: cells, implementations: [driver.info],
            directory: directory + "/conformance")
        if conformance.summary.interrupted {
            FileHandle.standardError.write(Data("zmqsuite: interrupted; the finished cells are in \(directory)/conformance\n".utf8))
            throw ExitCode(130)
        }
        let perf = measurePerf(passes: passes, environment: conformance.environment, log: printError)
        var counts: [Metric]?
        if instructions {
            guard let agent else { throw ValidationError("--instructions: zmq-agent is not in the registry, so there is nothing to count") }
            counts = GateSuite.measureInstructions(command: agent, name: "zmq-agent", log: printError)
        }
        return GateRecord(suite: rawValue, build: Self.build, conformance: conformance, perfPasses: perf, instructions: counts)
    }
}
