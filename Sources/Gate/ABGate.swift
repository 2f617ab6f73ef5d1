import Foundation
import Harness
import PerfTools

/// What an A/B gate measured: two implementations (or two builds of one) in pairs, in one run
/// on one machine, so the machine's drift between mornings cancels out of their ratio.
public struct ABRecord: Codable, Sendable {
    public var schemaVersion = 1
    public var kind = "ab-record"
    public var suite: String
    public var a: ImplementationInfo
    public var b: ImplementationInfo
    public var environment: RunEnvironment
    public var figures: [PairedFigure]
    /// Instructions per message or round trip, counted under callgrind on each side (when asked).
    public var instructions: [PairedFigure]

    public init(suite: String, a: ImplementationInfo, b: ImplementationInfo, environment: RunEnvironment, figures: [PairedFigure], instructions: [PairedFigure]) {
        self.suite = suite
        self.a = a
        self.b = b
        self.environment = environment
        self.figures = figures
        self.instructions = instructions
    }

    public func write(to path: String) throws {
        try writeAtomically(try ReportWriter.encoder().encode(self), to: path)
    }
}

extension Thresholds {
    /// A/B defaults: paired trials see much smaller changes than a stored baseline can, so a
    /// 2% slower send is a regression here (throughput 1%, latency p50 2%, p99 10%); a
    /// throughput's whole-trial rate (stalls included, noisier) 5%.
    public static var pairedDefaults: Thresholds {
        var t = Thresholds()
        t.byKind = ["throughput": 0.01, "throughput-whole": 0.05, "latency-p50": 0.02, "latency-p99": 0.10, "instructions": 0.01]
        return t
    }
}

public enum ABGatekeeper {
    public static func decide(_ record: ABRecord, policy: GatePolicy) -> GateReport {
        let metrics = record.figures.map { judge($0, policy) } + record.instructions.map { judgeCounts($0, policy) }
        var warnings: [String] = []
        if record.a.version == record.b.version && record.a.name != record.b.name {
            warnings.append("A and B report the same version (\(record.a.version)): check that B is the build you meant")
        }
        var report = GateReport(
            suite: record.suite, baselineRevision: record.environment.gitRevision, currentRevision: record.environment.gitRevision,
            warnings: warnings, implementationChanges: ["A: \(record.a.name) \(record.a.version)", "B: \(record.b.name) \(record.b.version)"],
            cells: [], metrics: metrics,
            policy: policyText(
                policy, test: "one-sided Wilcoxon signed-rank p < \(policy.alpha) over the blocks of fresh processes; instructions beyond 3x their own spread"))
        report.mode = "ab"
        report.failBlind = policy.failBlind
        report.warnings += report.blindWarnings
        return report
    }

    /// B against A: the median per-pair log ratio is the change, a bootstrap of the pairs its
    /// interval, and the signed-rank test over the blocks (each block's median) its
    /// significance: pairs within one pair of processes are not independent of each other.
    static func judge(_ f: PairedFigure, _ policy: GatePolicy) -> MetricFinding {
        let threshold = policy.thresholds.fraction(kind: f.kind, name: f.name)
        var m = MetricFinding(
            name: f.name, kind: f.kind, unit: f.unit, baselineMedian: f.a.isEmpty ? nil : Trials.median(of: f.a),
            currentMedian: f.b.isEmpty ? nil : Trials.median(of: f.b), threshold: threshold, verdict: .unchanged, note: "")
        m.trials = min(f.a.count, f.b.count)
        let d = f.worseLogRatios
        guard f.error == nil, !d.isEmpty else {
            m.verdict = .missing
            m.note = f.error ?? "no pairs measured"
            return m
        }
        let worseBy = exp(Trials.median(of: d)) - 1
        // The ratio B/A in the unit's sense (throughput: B's rate over A's).
        m.ratio = f.biggerIsBetter ? 1 / (1 + worseBy) : 1 + worseBy
        let interval = Statistics.medianInterval(d)
        (m.intervalLow, m.intervalHigh) = f.biggerIsBetter ? (exp(-interval.high), exp(-interval.low)) : (exp(interval.low), exp(interval.high))
        let blocks = f.blockLogRatios
        let pWorse = Statistics.pPositive(blocks), pBetter = Statistics.pPositive(blocks.map { -$0 })
        m.pWorse = pWorse
        m.noiseBand = Statistics.robustSpread(blocks)
        m.smallestDetectable = Statistics.smallestDetectableResampled(logRatios: blocks, alpha: policy.alpha)
        m.blind = m.smallestDetectable.map { $0 > threshold } ?? true
        let thresholdText = String(format: "threshold %.1f%%", threshold * 100)
        if worseBy > threshold && pWorse < policy.alpha {
            m.verdict = .regression
            m.note = String(format: "B %.2f%% worse than A (%@), p = %.4f over %d blocks of %d pairs", worseBy * 100, thresholdText, pWorse, blocks.count, d.count)
        } else if -worseBy > threshold && pBetter < policy.alpha {
            m.verdict = .improvement
            m.note = String(format: "B %.2f%% better than A, p = %.4f over %d blocks of %d pairs", -worseBy * 100, pBetter, blocks.count, d.count)
        } else {
            let why = worseBy > threshold ? String(format: "not significant (p = %.4f)", pWorse) : "within the " + thresholdText
            m.note = String(format: "%+.2f%% (B against A, worse is positive), ", worseBy * 100) + why
        }
        return m
    }

    /// Instruction counts are deterministic up to their own small variation: a change beyond
    /// the threshold and beyond three times the spread of the repeated counts is real.
    static func judgeCounts(_ f: PairedFigure, _ policy: GatePolicy) -> MetricFinding {
        DeterministicMetric.judge(
            name: f.name, unit: f.unit, before: f.a, after: f.b, threshold: policy.thresholds.fraction(kind: f.kind, name: f.name), error: f.error,
            labels: ("A", "B"))
    }

    static func policyText(_ policy: GatePolicy, test: String) -> String {
        "regression: beyond "
            + policy.thresholds.byKind.sorted { $0.key < $1.key }.map { String(format: "%@ %g%%", $0.key, $0.value * 100) }.joined(separator: ", ")
            + " and " + test
    }
}

/// Figures that do not depend on the machine's speed (instruction counts): compared by their
/// medians, with a change counted only beyond the threshold and three times their own spread.
public enum DeterministicMetric {
    public static func judge(
        name: String, unit: String, before: [Double], after: [Double], threshold: Double, error: String?, labels: (String, String)
    ) -> MetricFinding {
        var m = MetricFinding(
            name: name, kind: "instructions", unit: unit, baselineMedian: before.isEmpty ? nil : Trials.median(of: before),
            currentMedian: after.isEmpty ? nil : Trials.median(of: after), threshold: threshold, verdict: .unchanged, note: "")
        m.trials = min(before.count, after.count)
        guard error == nil, let b = m.baselineMedian, let a = m.currentMedian, b > 0 else {
            m.verdict = .missing
            m.note = error ?? "not counted"
            return m
        }
        let spread = max(relativeRange(before), relativeRange(after))
        m.noiseBand = spread
        m.smallestDetectable = max(3 * spread, 1e-4)
        m.blind = m.smallestDetectable! > threshold
        m.ratio = a / b
        let change = a / b - 1
        let limit = max(threshold, 3 * spread)
        let what = String(format: "%+.2f%% instructions (%@ against %@; repeated counts vary by %.3f%%)", change * 100, labels.1, labels.0, spread * 100)
        if change > limit {
            m.verdict = .regression
            m.note = what + String(format: ", beyond the %.2f%% limit", limit * 100)
        } else if -change > limit {
            m.verdict = .improvement
            m.note = what
        } else {
            m.note = what + String(format: ", within the %.2f%% limit", limit * 100)
        }
        return m
    }

    static func relativeRange(_ x: [Double]) -> Double {
        guard let lo = x.min(), let hi = x.max(), lo > 0 else { return 0 }
        return (hi - lo) / Trials.median(of: x)
    }
}

extension Statistics {
    /// A 95% bootstrap interval of the median of `x` (seeded: the same pairs give the same interval).
    static func medianInterval(_ x: [Double], resamples: Int = 2000) -> (low: Double, high: Double) {
        guard !x.isEmpty else { return (.nan, .nan) }
        var rng = SplitMix64(seed: 0x4142_4241)
        var medians = (0..<resamples).map { _ in Trials.median(of: (0..<x.count).map { _ in x[Int(rng.next() % UInt64(x.count))] }) }
        medians.sort()
        return (medians[Int(Double(resamples) * 0.025)], medians[Int(Double(resamples) * 0.975) - 1])
    }
}
