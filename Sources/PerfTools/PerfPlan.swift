import Harness

/// What a perf run measures, as jobs run one after another: one job per transport, size and
/// pattern, each a group of implementations measured side by side (PerfRunner). The perf
/// commands and the gate describe what they want here; they only parse flags.
public struct PerfPlan {
    /// The transports perf runs measure.
    public static let transports: [Transport] = [.inproc, .ipc, .tcp]

    public var transports: [Transport]
    public var sizes: [Int]
    /// Messages (throughput) or round trips (latency) per trial; nil: a default per kind and size.
    public var count: Int?
    /// The in-process loops measured (Swift and C), if any.
    public var loops: [PerfImplementation]
    /// Agents whose own perf op is measured beside them.
    public var agents: [AgentDriver]
    /// Measure the raw-transport baseline beside each group.
    public var baseline: Bool

    public init(
        transports: [Transport], sizes: [Int], count: Int? = nil, loops: [PerfImplementation] = PerfImplementation.allCases,
        agents: [AgentDriver] = [], baseline: Bool = true
    ) {
        self.transports = transports
        self.sizes = sizes
        self.count = count
        self.loops = loops
        self.agents = agents
        self.baseline = baseline
    }

    /// The same plan with another count.
    public func counting(_ count: Int?) -> PerfPlan {
        var copy = self
        copy.count = count
        return copy
    }

    public func latencyJobs(_ runner: PerfRunner, patterns: [LatencyPattern] = []) -> [PerfJob] {
        var jobs: [PerfJob] = []
        let n = count ?? 20000
        for t in transports {
            for s in sizes {
                let count = s >= 65536 ? max(n / 20, 100) : n
                for p in patterns.isEmpty ? [LatencyPattern.all[0]] : patterns {
                    let raw = baseline ? RawTransport.beside(t) : nil
                    jobs.append(
                        PerfJob(label: "latency \(t.rawValue) \(p.name) \(s) B") { [loops, agents] in
                            try runner.latencyGroup(loops, agents: agents, baseline: raw, transport: t, pattern: p, size: s, count: count)
                        })
                }
            }
        }
        return jobs
    }

    public func throughputJobs(_ runner: PerfRunner, patterns: [ThroughputPattern] = []) -> [PerfJob] {
        var jobs: [PerfJob] = []
        for t in transports {
            for s in sizes {
                // Keep each trial near a fixed volume, so large sizes do not take minutes.
                let count = self.count ?? min(1_000_000, max(2000, 200_000_000 / max(s, 64) / 4))
                for p in patterns.isEmpty ? [ThroughputPattern.all[0]] : patterns {
                    let raw = baseline ? RawTransport.beside(t) : nil
                    jobs.append(
                        PerfJob(label: "throughput \(t.rawValue) \(p.name) \(s) B") { [loops, agents] in
                            try runner.throughputGroup(loops, agents: agents, baseline: raw, transport: t, pattern: p, size: s, count: count)
                        })
                }
            }
        }
        return jobs
    }
}

/// One measurement group of a plan.
public struct PerfJob {
    public let label: String
    public let run: () throws -> [PerfResult]

    public init(label: String, run: @escaping () throws -> [PerfResult]) {
        self.label = label
        self.run = run
    }

    /// Runs the jobs in order; a job that cannot be measured is recorded as such (a failed
    /// result) and the others still run. `log` hears a progress line per job and each failure.
    public static func runAll(_ jobs: [PerfJob], log: (String) -> Void) -> (results: [PerfResult], failures: Int) {
        var results: [PerfResult] = []
        var failures = 0
        for (i, job) in jobs.enumerated() {
            log("[\(i + 1)/\(jobs.count)] \(job.label)")
            do { results += try job.run() } catch {
                failures += 1
                log("  failed: \(error)")
                results.append(.failed(kind: job.label, implementation: "", transport: "", pattern: "", size: 0, count: 0, error: "\(error)"))
            }
        }
        return (results, failures)
    }
}
