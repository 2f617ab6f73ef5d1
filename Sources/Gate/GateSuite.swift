import Foundation
import Harness
import PerfTools

/// The suites a gate measures: the whole conformance catalogue on libzmq, plus a perf set
/// (quick: 64 B over inproc, ipc and tcp; full: three sizes) measured in 3 passes of 5
/// interleaved trials. 15 trials a side let the Mann-Whitney test reach p < 0.01; the spread
/// between passes is the run-to-run noise the gate widens its thresholds to.
/// `instructions` is only the instruction counts: the deterministic part, which a stored
/// baseline can gate on a shared runner whose speed moves between mornings.
public enum GateSuite: String, CaseIterable, Sendable {
    case quick, full, instructions

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

    public var sizes: [Int] {
        switch self {
        case .quick: [64]
        case .full: [64, 1024, 65536]
        case .instructions: []
        }
    }

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
        guard !jobs.isEmpty else { return [] }
        for pass in 1...max(1, passes) {
            var perfEnv = env
            perfEnv.startTime = Date()
            let (results, _) = PerfJob.runAll(jobs) { log("pass \(pass)/\(passes) \($0)") }
            perfEnv.endTime = Date()
            records.append(PerfRecord(environment: perfEnv, results: results))
        }
        return records
    }

    /// The A/B set: push-pull throughput over every perf transport, req-rep latency over tcp
    /// (full: also inproc, and 1 KiB and 64 KiB).
    public var pairedJobs: [PairedJob] {
        sizes.flatMap { size in PerfPlan.transports.map { PairedJob(.throughput, $0, size: size) } }
            + sizes.flatMap { size in (self == .quick ? [Transport.tcp] : [.inproc, .tcp]).map { PairedJob(.latency, $0, size: size) } }
    }

    /// What instruction counts are taken for: 64 B throughput and latency over tcp.
    public static let countedJobs = [PairedJob(.throughput, .tcp, size: 64), PairedJob(.latency, .tcp, size: 64)]

    /// Instructions per message and per round trip of the agent `command` (named `name`), as
    /// gate metrics whose trials are the repeated counts; for zmq-agent also of the C reference
    /// loop (`zmq-agent --perf-loop c`), which has no Swift between it and libzmq.
    public static func measureInstructions(command: [String], name: String, log: (String) -> Void) -> [Metric] {
        var subjects = [(name, command)]
        if name == "zmq-agent" { subjects.append(("C loop", command + ["--perf-loop", "c"])) }
        return subjects.flatMap { name, command in
            countedJobs.map { job in
                log("instructions: \(job.label) (\(name), under callgrind)")
                let metricName = "instructions \(job.label) \(name)"
                let unit = job.kind == .throughput ? "instr/msg" : "instr/round trip"
                do {
                    let counts = try InstructionCounter().perItem(command: command, name: name, job: job)
                    return Metric(name: metricName, kind: "instructions", unit: unit, direction: .smallerIsBetter, gated: true, trials: counts, error: nil)
                        .withPassMedian
                } catch {
                    log("  failed: \(error)")
                    return Metric(name: metricName, kind: "instructions", unit: unit, direction: .smallerIsBetter, gated: true, trials: [], error: "\(error)")
                        .withPassMedian
                }
            }
        }
    }
}
