import Foundation
import Harness

/// One figure of two implementations measured in pairs: pair i holds A's and B's i-th trials,
/// run one right after the other in ABBA order (A B, B A, A B, ...), so a drift of the machine
/// falls on both sides and first-or-second position favours neither.
public struct PairedFigure: Codable, Sendable {
    /// "throughput tcp push-pull 64B", "latency-p50 tcp req-rep 64B".
    public var name: String
    /// throughput, latency-p50 or latency-p99: what thresholds are set by.
    public var kind: String
    public var unit: String
    public var biggerIsBetter: Bool
    /// Messages or round trips per trial (the same on both sides).
    public var count: Int
    public var a: [Double]
    public var b: [Double]
    /// Pairs per block of fresh processes, in order (their sum is the number of pairs).
    public var blocks: [Int] = []
    /// Throughput: "steady" when a and b are trials' steady rates (the median of their
    /// windows, PerfRunner.throughputTrial), "whole trial" when they are first-to-last rates.
    public var measure: String?
    public var error: String?

    public init(name: String, kind: String, unit: String, biggerIsBetter: Bool, count: Int, a: [Double], b: [Double], error: String? = nil) {
        (self.name, self.kind, self.unit, self.biggerIsBetter, self.count) = (name, kind, unit, biggerIsBetter, count)
        (self.a, self.b, self.error) = (a, b, error)
        blocks = a.isEmpty ? [] : [min(a.count, b.count)]
    }

    /// One worse-log-ratio per block: the median of its pairs'. Pairs of one block share
    /// their processes, so the blocks, not the pairs, are the independent samples.
    public var blockLogRatios: [Double] {
        var out: [Double] = []
        var rest = worseLogRatios[...]
        for n in blocks where n > 0 && rest.count >= n {
            out.append(Trials.median(of: Array(rest.prefix(n))))
            rest = rest.dropFirst(n)
        }
        return out
    }

    /// Per pair, how much worse B is than A, as a log ratio in the figure's own sense (> 0 worse).
    public var worseLogRatios: [Double] {
        zip(a, b).map { a, b in biggerIsBetter ? log(a / b) : log(b / a) }
    }
}

/// What an A/B run measures: one throughput or latency configuration per job.
public struct PairedJob: Sendable {
    public enum Kind: String, Sendable { case throughput, latency }
    public var kind: Kind
    public var transport: Transport
    public var size: Int

    public init(_ kind: Kind, _ transport: Transport, size: Int) {
        self.kind = kind
        self.transport = transport
        self.size = size
    }

    public var label: String { "\(kind.rawValue) \(transport.rawValue) \(kind == .throughput ? "push-pull" : "req-rep") \(size)B" }
}

extension PerfRunner {
    /// Windows per throughput trial of an A/B pair: at 0.15 s a trial, about 7 ms each.
    public static let pairedWindows = 20

    /// Messages or round trips per trial of `job` on `agent`: about trialSeconds' worth.
    public func pairedCount(_ job: PairedJob, on agent: AgentDriver) throws -> Int {
        switch job.kind {
        case .throughput:
            return try calibrated(50_000_000, floor: 2000) {
                1 / (try throughputTrial(.agent(agent), transport: job.transport, pattern: ThroughputPattern.all[0], size: job.size, count: 2000))
            }
        case .latency:
            return try calibrated(1_000_000, floor: 1000) {
                try latencyTrial(.agent(agent), transport: job.transport, pattern: LatencyPattern.all[0], size: job.size, count: 200).meanUs / 1e6
            }
        }
    }

    /// `pairs` ABBA pairs of one job on agents `a` and `b` (each with the perf op) of `count`
    /// each, after one unrecorded warm-up trial each.
    /// With `together`, each pair's two trials run at the same time (duet benchmarking: both
    /// sides meet the same moment of the machine) instead of one after the other.
    /// `firstPair` continues the ABBA order across blocks: a block of one pair starts with B
    /// when the block before it started with A.
    public func paired(
        _ job: PairedJob, a: AgentDriver, b: AgentDriver, pairs: Int, count: Int, firstPair: Int = 0, together: Bool = false
    ) throws -> [PairedFigure] {
        let sides = [Subject.agent(a), Subject.agent(b)]
        switch job.kind {
        case .throughput:
            let pattern = ThroughputPattern.all[0]
            let runs = try abba(pairs, from: firstPair, together: together) { side, warmUp in
                try throughputTrial(
                    sides[side], transport: job.transport, pattern: pattern, size: job.size, count: warmUp ? max(count / 4, 1000) : count,
                    windows: Self.pairedWindows)
            }
            // Two figures when both sides time windows: the steady rate sees a per-message
            // cost, the whole-trial rate a stall (a pause a window's median leaves out). When
            // a side does not, both are judged on whole-trial rates alone.
            var whole = PairedFigure(
                name: job.label, kind: "throughput", unit: "msg/s", biggerIsBetter: true, count: count, a: runs[0].map(\.rate), b: runs[1].map(\.rate))
            whole.measure = "whole trial"
            guard runs.allSatisfy({ $0.allSatisfy { $0.steady != nil } }) else { return [whole] }
            var steady = whole
            (steady.a, steady.b, steady.measure) = (runs[0].map { $0.steady! }, runs[1].map { $0.steady! }, "steady")
            (whole.name, whole.kind) = (job.label + " (whole trial)", "throughput-whole")
            return [steady, whole]
        case .latency:
            let pattern = LatencyPattern.all[0]
            let runs = try abba(pairs, from: firstPair, together: together) { side, warmUp in
                try latencyTrial(sides[side], transport: job.transport, pattern: pattern, size: job.size, count: warmUp ? max(count / 4, 100) : count)
            }
            let name = job.label.replacingOccurrences(of: "latency", with: "")
            return [("latency-p50", \LatencySummary.p50Us), ("latency-p99", \LatencySummary.p99Us)].map { kind, path in
                PairedFigure(
                    name: kind + name, kind: kind, unit: "us", biggerIsBetter: false, count: count, a: runs[0].map { $0[keyPath: path] },
                    b: runs[1].map { $0[keyPath: path] })
            }
        }
    }

    /// Side 0 and side 1, `pairs` times in ABBA order from pair `first` after a warm-up of
    /// each (a quarter of a trial: it only has to fault in the process's pages and code), or
    /// both at once with `together`; returns each side's trials in pair order.
    private func abba<T>(_ pairs: Int, from first: Int, together: Bool, _ trial: @escaping (Int, Bool) throws -> T) throws -> [[T]] {
        for side in first % 2 == 0 ? [0, 1] : [1, 0] { _ = try trial(side, true) }
        var runs: [[T]] = [[], []]
        for i in first..<first + pairs {
            if together {
                let (first, second) = try simultaneously({ try trial(0, false) }, { try trial(1, false) })
                runs[0].append(first)
                runs[1].append(second)
            } else {
                for side in i % 2 == 0 ? [0, 1] : [1, 0] { runs[side].append(try trial(side, false)) }
            }
        }
        return runs
    }
}

extension PairedFigure {
    /// The pairs of `more` after these (the same figure measured again, in fresh processes).
    public mutating func append(_ more: PairedFigure) {
        if measure != more.measure {
            // Never judge a mix of steady and whole-trial rates.
            error = error ?? "blocks measured differently (\(measure ?? "-") and \(more.measure ?? "-"))"
        }
        a += more.a
        b += more.b
        blocks += more.blocks
        error = error ?? more.error
    }
}
