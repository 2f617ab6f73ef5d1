import Harness
import Histogram

/// Latency percentiles of one run, in microseconds, from an HdrHistogram of nanoseconds.
public struct LatencySummary: Codable, Sendable {
    public var count: UInt64
    public var minUs, p50Us, p90Us, p99Us, p999Us, p9999Us, maxUs, meanUs: Double
    /// The histogram itself, while measuring (merged over trials; exported as .hgrm); not in records.
    public var histogram: Histogram<UInt64>?

    private enum CodingKeys: String, CodingKey { case count, minUs, p50Us, p90Us, p99Us, p999Us, p9999Us, maxUs, meanUs }

    public init(samplesNs: [Int64], expectedIntervalNs: UInt64? = nil) {
        var h = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        for s in samplesNs {
            let v = UInt64(max(s, 1))
            // Fixed-rate runs: correct for coordinated omission (stalls hide the requests not sent).
            if let interval = expectedIntervalNs { _ = h.recordCorrectedValue(v, expectedInterval: interval) } else { _ = h.record(v) }
        }
        self.init(histogram: h)
    }

    /// Every round trip of several trials in one histogram: the tail percentiles of all of
    /// them (a trial's p99 rests on a hundredth of its samples; the merged one on all).
    public static func merged(_ trials: [LatencySummary]) -> LatencySummary? {
        guard var h = trials.first?.histogram else { return nil }
        for t in trials.dropFirst() { if let other = t.histogram { h.add(other) } }
        return LatencySummary(histogram: h)
    }

    /// The percentile distribution in HdrHistogram's .hgrm text (values in microseconds).
    public var hgrm: String? {
        guard let histogram else { return nil }
        var text = ""
        histogram.outputPercentileDistribution(to: &text, outputValueUnitScalingRatio: 1000)
        return text
    }

    /// Points of the percentile curve (percentile, µs), five per halving of the tail.
    public var distribution: [PercentilePoint] {
        guard let histogram else { return [] }
        return histogram.percentiles(ticksPerHalfDistance: 5).map { PercentilePoint(percentile: $0.percentileLevelIteratedTo, us: Double($0.value) / 1000) }
    }

    public init(histogram h: Histogram<UInt64>) {
        histogram = h
        let us = { (ns: UInt64) in Double(ns) / 1000 }
        count = h.totalCount
        minUs = us(h.min)
        p50Us = us(h.valueAtPercentile(50))
        p90Us = us(h.valueAtPercentile(90))
        p99Us = us(h.valueAtPercentile(99))
        p999Us = us(h.valueAtPercentile(99.9))
        p9999Us = us(h.valueAtPercentile(99.99))
        maxUs = us(h.max)
        meanUs = h.mean / 1000
    }

    /// Percentiles never decrease: a check the smoke test makes.
    public var isOrdered: Bool {
        [minUs, p50Us, p90Us, p99Us, p999Us, p9999Us].isSorted && p9999Us <= maxUs * 1.001 + 0.001
    }
}

extension Array where Element == Double {
    var isSorted: Bool { zip(self, dropFirst()).allSatisfy { $0 <= $1 + 1e-9 } }
}

/// A figure measured over several trials: the median, the mean and its 95% confidence interval.
public struct Trials: Codable, Sendable {
    public var values: [Double]
    public var median: Double
    public var mean: Double
    /// Half the width of the 95% confidence interval of the mean (Student's t, trials - 1
    /// degrees of freedom), over the mean: the noise this tool reports. Two runs whose
    /// intervals overlap do not differ beyond that noise.
    public var relativeSpread: Double

    public init(_ values: [Double]) {
        self.values = values
        let s = values.sorted()
        median = s.isEmpty ? 0 : Self.median(of: s)
        let m = s.isEmpty ? 0 : s.reduce(0, +) / Double(s.count)
        mean = m
        guard s.count > 1, m > 0 else { relativeSpread = 0; return }
        let variance = s.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(s.count - 1)
        relativeSpread = Self.t95(degrees: s.count - 1) * (variance / Double(s.count)).squareRoot() / m
    }

    /// The middle value, or the mean of the two middle ones (nan for no values).
    public static func median(of values: [Double]) -> Double {
        let s = values.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Two-sided 95% critical values of Student's t.
    static func t95(degrees: Int) -> Double {
        let table: [Double] = [
            12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
            2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        ]
        return degrees <= table.count ? table[max(degrees, 1) - 1] : 1.96
    }
}

/// A point of a latency percentile curve.
public struct PercentilePoint: Codable, Sendable {
    public var percentile: Double
    public var us: Double
}

/// One measured configuration.
public struct PerfResult: Codable, Sendable {
    public var kind: String  // "latency" or "throughput"
    public var implementation: String  // libzmq-swift, libzmq-c, raw-tcp, raw-unix, raw-queue
    public var transport: String  // inproc, ipc, tcp
    public var pattern: String
    public var size: Int
    public var count: Int
    /// Latency: percentiles of every round trip of every trial (histograms merged), each
    /// trial's own, the per-trial p50 and p99 (their spread is the noise), and the curve.
    public var latency: LatencySummary?
    public var latencyTrials: [LatencySummary]?
    public var latencyDistribution: [PercentilePoint]?
    public var latencyP50Us: Trials?
    public var latencyP99Us: Trials?
    /// Throughput at the receiver.
    public var messagesPerSecond: Trials?
    public var megabytesPerSecond: Double?
    /// Beside the raw baseline of the same transport (ZeroMQ / raw; latency: raw / ZeroMQ,
    /// so 1.0 means as good as the transport itself either way) and beside the C loop.
    public var ratioToBaseline: Double?
    public var ratioToC: Double?
    /// The C loop beside libzmq's own local_thr/remote_thr of the same run (C / local_thr).
    public var ratioToReference: Double?
    /// Why this figure could not be measured (then it has no numbers).
    public var error: String?
    /// Multicast: receivers per trial, and messages that never arrived (gaps in the sequence
    /// numbers), summed over receivers and trials.
    public var receivers: Int?
    public var lost: Int?

    /// A multicast throughput figure: the rate at the slowest receiver of each trial.
    public static func multicast(
        transport: String, pattern: String, size: Int, count: Int, receivers: Int,
        perTrial: [Double], lost: Int
    ) -> PerfResult {
        let t = Trials(perTrial)
        return PerfResult(
            kind: "throughput", implementation: "libzmq-swift", transport: transport, pattern: pattern, size: size,
            count: count, messagesPerSecond: t, megabytesPerSecond: t.median * Double(size) / 1e6, receivers: receivers, lost: lost)
    }

    public static func failed(kind: String, implementation: String, transport: String, pattern: String, size: Int, count: Int, error: String) -> PerfResult {
        PerfResult(kind: kind, implementation: implementation, transport: transport, pattern: pattern, size: size, count: count, error: error)
    }
}

public struct PerfRecord: Codable, Sendable {
    public var schemaVersion = 1
    public var kind = "perf"
    public var environment: RunEnvironment
    public var results: [PerfResult]

    public init(environment: RunEnvironment, results: [PerfResult]) {
        self.environment = environment
        self.results = results
    }
}
