import Foundation
import Harness
import PerfTools

/// The suites a gate measures: the whole conformance catalogue on libzmq, plus a perf set
/// (quick: 64 B over inproc, ipc and tcp; full: three sizes) measured in 3 passes of 5
/// interleaved trials. 15 trials a side let the Mann-Whitney test reach p < 0.01; the spread
/// between passes is the run-to-run noise the gate widens its thresholds to.
public enum GateSuite: String, CaseIterable, Sendable {
    case quick, full

    public static let trials = 5
    /// Passes of the gate itself; a baseline is recorded with more (--passes) to see more noise.
    public static let passes = 3

    /// How this binary was built: Swift-loop figures of a debug build are not comparable with
    /// a release build's, so a record carries it and the gate refuses to mix them.
    public static var build: String {
        #if DEBUG
            return "debug"
        #else
            return "release"
        #endif
    }

    public var sizes: [Int] { self == .quick ? [64] : [64, 1024, 65536] }

    /// Push-pull throughput over every perf transport and req-rep latency over inproc and tcp.
    public func perfJobs() -> [PerfJob] {
        // Trials of about a quarter second; an injected 200 us send delay then still ends in minutes.
        let runner = PerfRunner(trials: Self.trials, trialSeconds: 0.25)
        return PerfPlan(transports: PerfPlan.transports, sizes: sizes).throughputJobs(runner)
            + PerfPlan(transports: [.inproc, .tcp], sizes: sizes, count: 5000).latencyJobs(runner)
    }

    /// The perf set, `passes` times over; `log` hears progress and failures. A group that
    /// cannot be measured is recorded as failed: the gate reports it as a missing metric.
    public func measurePerf(passes: Int, environment env: RunEnvironment, log: (String) -> Void) -> [PerfRecord] {
        var records: [PerfRecord] = []
        let jobs = perfJobs()
        for pass in 1...max(1, passes) {
            var perfEnv = env
            perfEnv.startTime = Date()
            let (results, _) = PerfJob.runAll(jobs) { log("pass \(pass)/\(passes) \($0)") }
            perfEnv.endTime = Date()
            records.append(PerfRecord(environment: perfEnv, results: results))
        }
        return records
    }
}
