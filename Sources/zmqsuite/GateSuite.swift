import ArgumentParser
import Foundation
import Gate
import Harness
import PerfTools

/// The suites a gate measures: the whole conformance catalogue on libzmq, plus a perf set
/// (quick: 64 B over inproc, ipc and tcp; full: three sizes) measured in 3 passes of 5
/// interleaved trials. 15 trials a side let the Mann-Whitney test reach p < 0.01; the spread
/// between passes is the run-to-run noise the gate widens its thresholds to.
enum GateSuite: String, ExpressibleByArgument, CaseIterable {
    case quick, full

    static let trials = 5
    /// Passes of the gate itself; a baseline is recorded with more (--passes) to see more noise.
    static let passes = 3

    /// How this binary was built: Swift-loop figures of a debug build are not comparable with
    /// a release build's, so a record carries it and the gate refuses to mix them.
    static var build: String {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }

    func perfJobs() throws -> [Perf.Job] {
        var o = try Perf.Options.parse(["--trials", String(Self.trials)])
        o.transport = ["inproc", "ipc", "tcp"]
        o.size = self == .quick ? [64] : [64, 1024, 65536]
        // Trials of about a quarter second; an injected 200 us send delay then still ends in minutes.
        let runner = PerfRunner(trials: Self.trials, trialSeconds: 0.25)
        let impls = PerfImplementation.allCases
        var latency = Perf.Options.withCount(o, 5000)
        latency.transport = ["inproc", "tcp"]
        return Perf.throughputJobs(o, runner: runner, impls: impls, patterns: [ThroughputPattern.all[0]], baseline: true)
            + Perf.latencyJobs(latency, runner: runner, impls: impls, patterns: [LatencyPattern.all[0]], baseline: true)
    }

    /// Runs the catalogue (in worker processes) and the perf set; the conformance reports go
    /// to `directory` as cells finish, so an interrupted gate keeps what it measured.
    /// Multicast cells run on hosts with `agent` (zmq-agent) inside; without it or without root
    /// they are UNSUPPORTED, in the baseline as now.
    func measure(cases: CatalogueOptions, jobs: Int, directory: String, passes: Int = GateSuite.passes, agent: [String]?) throws -> GateRecord {
        let definitions = try cases.load()
        guard let exe = WorkerPool.defaultExecutable() else { throw ValidationError("cannot find the zmqsuite binary to start workers") }
        let pool = WorkerPool(executable: exe)
        defer { pool.shutdown() }
        let driver = LibzmqDriver()
        let runner = ConformanceRunner(driver: driver, jobs: jobs, pool: pool)
        let (cells, rig) = placeOnHosts(runner.plan(definitions), acrossHosts: false, implementation: "libzmq", agent: agent)
        defer { rig?.shutdown() }
        FileHandle.standardError.write(Data("zmqsuite gate (\(rawValue)): \(cells.count) conformance cells, then the perf set\n".utf8))
        let conformance = try runRecorded(kind: "conformance", runner: runner, cells: cells, implementations: [driver.info],
                                          directory: directory + "/conformance")
        if conformance.summary.interrupted {
            FileHandle.standardError.write(Data("zmqsuite: interrupted; the finished cells are in \(directory)/conformance\n".utf8))
            throw ExitCode(130)
        }
        return GateRecord(suite: rawValue, build: Self.build, conformance: conformance, perfPasses: try measurePerf(passes: passes, environment: conformance.environment))
    }

    /// The perf set, `passes` times over.
    func measurePerf(passes: Int, environment env: RunEnvironment) throws -> [PerfRecord] {
        var records: [PerfRecord] = []
        let jobs = try perfJobs()
        for pass in 1...max(1, passes) {
            var perf: [PerfResult] = []
            var perfEnv = env
            perfEnv.startTime = Date()
            for (i, job) in jobs.enumerated() {
                FileHandle.standardError.write(Data("pass \(pass)/\(passes) [\(i + 1)/\(jobs.count)] \(job.label)\n".utf8))
                do { perf += try job.run() } catch {
                    // Recorded as unmeasured: the gate reports it as a missing metric.
                    FileHandle.standardError.write(Data("  failed: \(error)\n".utf8))
                    perf.append(.failed(kind: job.label, implementation: "", transport: "", pattern: "", size: 0, count: 0, error: "\(error)"))
                }
            }
            perfEnv.endTime = Date()
            records.append(PerfRecord(environment: perfEnv, results: perf))
        }
        return records
    }
}
