import Foundation
import Harness

/// How far a metric may move before it counts, by kind or by metric name (exact or glob).
public struct Thresholds: Sendable {
    public var byKind: [String: Double] = ["throughput": 0.05, "latency-p50": 0.10, "latency-p99": 0.10, "instructions": 0.01]
    public var byName: [(pattern: String, fraction: Double)] = []

    public init() {}

    public func fraction(for m: Metric) -> Double { fraction(kind: m.kind, name: m.name) }

    public func fraction(kind: String, name: String) -> Double {
        if let hit = byName.last(where: { fnmatch($0.pattern, name, 0) == 0 }) { return hit.fraction }
        return byKind[kind] ?? 0.10
    }

    /// Parses `KEY=PERCENT` flags: KEY a kind (throughput, latency-p50, latency-p99) or a
    /// metric name or glob ('throughput tcp *'); PERCENT like 5, 5% or 0.5%.
    public static func parse(_ specs: [String], defaults: Thresholds = Thresholds()) throws -> Thresholds {
        var t = defaults
        for spec in specs {
            guard let eq = spec.lastIndex(of: "=") else {
                throw GateError.unreadable("--threshold \(spec): expected KEY=PERCENT, e.g. throughput=5% or 'latency-p99 tcp *=15%'")
            }
            let key = String(spec[..<eq]).trimmingCharacters(in: .whitespaces)
            let number = spec[spec.index(after: eq)...].trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "%", with: "")
            guard !key.isEmpty, let pct = Double(number), pct > 0, pct < 1000 else {
                throw GateError.unreadable("--threshold \(spec): expected KEY=PERCENT with a percentage above 0, e.g. throughput=5%")
            }
            if t.byKind[key] != nil { t.byKind[key] = pct / 100 } else { t.byName.append((key, pct / 100)) }
        }
        return t
    }
}

public struct GatePolicy: Sendable {
    public var thresholds = Thresholds()
    /// One-sided Mann-Whitney significance level. With 7 trials a side the smallest p is
    /// 1/3432, so 0.01 is reachable; with 3 a side it is 0.05 and nothing can be significant.
    public var alpha = 0.01
    /// A cell or metric of the baseline that the current run lacks: a regression unless allowed.
    public var allowMissing = false
    /// A metric whose smallest detectable change exceeds its threshold fails the gate.
    public var failBlind = false
    public init() {}
}

public enum Verdict: String, Codable, Sendable {
    case regression, improvement, unchanged, missing, new, context
}

public struct CellFinding: Codable, Sendable {
    public var key: String
    public var before: String
    public var after: String
    public var verdict: Verdict
    public var detail: String
}

public struct MetricFinding: Codable, Sendable {
    public var name: String
    public var kind: String
    public var unit: String
    public var baselineMedian: Double?
    public var currentMedian: Double?
    /// current median / baseline median, and its 95% bootstrap interval.
    public var ratio: Double?
    public var intervalLow: Double?
    public var intervalHigh: Double?
    /// One-sided p-value that the current run is worse than the baseline.
    public var pWorse: Double?
    public var threshold: Double
    /// The spread of the pass medians (baseline or now, the larger): a change inside it is
    /// the machine's noise, so the threshold applied is the larger of the two.
    public var noiseBand: Double = 0
    public var verdict: Verdict
    public var note: String
    /// Trials (or pairs) on the smaller side.
    public var trials: Int?
    /// The smallest change (a fraction) this comparison detects at its alpha, with power
    /// 0.8, from the measured noise and the trial count; nil: none at all (too few trials).
    public var smallestDetectable: Double?
    /// The smallest detectable change exceeds the threshold: "unchanged" here proves little.
    public var blind = false

    /// "-12.3%" in the metric's own sense (negative = worse, whatever the unit).
    public var change: String {
        guard let ratio else { return "" }
        return String(format: "%+.1f%%", (ratio - 1) * 100)
    }
}

/// The gate's answer: every finding, and whether the pipeline should go red.
public struct GateReport: Codable, Sendable {
    public var schemaVersion = 1
    public var kind = "gate"
    /// "baseline" (a stored record against now) or "ab" (two implementations paired in one run).
    public var mode = "baseline"
    /// Blind metrics count as regressions (--fail-blind).
    public var failBlind = false
    public var suite: String
    public var baselineRevision: String
    public var currentRevision: String
    public var warnings: [String]
    public var implementationChanges: [String]
    public var cells: [CellFinding]
    public var metrics: [MetricFinding]
    public var policy: String

    public var regressions: [String] {
        cells.filter { $0.verdict == .regression || $0.verdict == .missing }.map { "cell \($0.key): \($0.before) -> \($0.after)" }
            + metrics.filter { $0.verdict == .regression || $0.verdict == .missing }.map { "metric \($0.name): \($0.note)" }
            + (failBlind ? blind.map { "metric \($0.name): blind (--fail-blind): \(Self.detectable($0))" } : [])
    }

    /// Gated metrics that cannot see a change of their threshold's size.
    public var blind: [MetricFinding] { metrics.filter { $0.blind && $0.verdict != .context && $0.verdict != .missing } }

    public var blindWarnings: [String] {
        blind.map { "blind: \($0.name) (\(Self.detectable($0))); its \"unchanged\" proves little: add trials or quiet the machine" }
    }

    static func detectable(_ m: MetricFinding) -> String {
        guard let s = m.smallestDetectable else { return "too few trials for any change to be significant" }
        return String(format: "smallest detectable change %.1f%% > threshold %.1f%%", s * 100, m.threshold * 100)
    }

    public var passed: Bool { regressions.isEmpty }
}

public enum Gatekeeper {
    public static func decide(baseline: GateRecord, current: GateRecord, policy given: GatePolicy) -> GateReport {
        var policy = given
        // Different suites measure different sets: compare what both have, nothing is "missing".
        if baseline.suite != current.suite { policy.allowMissing = true }
        let comparison = RunComparison(before: baseline.conformance, after: current.conformance)
        var cells: [CellFinding] = comparison.changes.map { c in
            CellFinding(
                key: c.key, before: c.before.rawValue, after: c.after.rawValue,
                verdict: c.before == .PASS ? .regression : (c.after == .PASS ? .improvement : .unchanged), detail: c.detail)
        }
        let passedBefore = Set(baseline.conformance.cells.filter { $0.outcome == .PASS }.map { "\($0.key)#\($0.column)" })
        cells += comparison.removed.map { k in
            let passed = passedBefore.contains(k)
            return CellFinding(
                key: k, before: passed ? "PASS" : "not PASS", after: "absent",
                verdict: passed && !policy.allowMissing ? .missing : .unchanged, detail: "not in the current run")
        }
        cells += comparison.added.map { CellFinding(key: $0, before: "absent", after: "present", verdict: .new, detail: "not in the baseline") }

        let old = Dictionary(baseline.metrics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let new = Dictionary(current.metrics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var metrics = old.keys.sorted().map { name in judge(old[name]!, new[name], policy) }
        metrics += new.keys.filter { old[$0] == nil }.sorted().map { name in
            let m = new[name]!
            return MetricFinding(
                name: name, kind: m.kind, unit: m.unit, currentMedian: m.trials.isEmpty ? nil : m.median,
                threshold: policy.thresholds.fraction(for: m), verdict: .new, note: "not in the baseline")
        }
        var report = GateReport(
            suite: current.suite, baselineRevision: baseline.environment.gitRevision,
            currentRevision: current.environment.gitRevision,
            warnings: warnings(baseline, current, policy), implementationChanges: comparison.versionChanges,
            cells: cells, metrics: metrics,
            policy: "regression: beyond "
                + policy.thresholds.byKind.sorted { $0.key < $1.key }.map { "\($0.key) \(Int(($0.value * 100).rounded()))%" }.joined(separator: ", ")
                + " and one-sided Mann-Whitney p < \(policy.alpha)")
        report.failBlind = policy.failBlind
        report.warnings += report.blindWarnings
        return report
    }

    /// A second opinion on the metrics a first measurement called regressions: each is judged
    /// again against a fresh measurement (`again`), and stays a regression only if it is one
    /// there too. A burst of noise on a shared machine (every figure of a few seconds slower,
    /// the raw transports included) does not repeat; an injected or real regression does.
    public static func confirm(_ first: GateReport, baseline: GateRecord, again: GateRecord, policy: GatePolicy) -> GateReport {
        var report = first
        let old = Dictionary(baseline.metrics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let new = Dictionary(again.metrics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for i in report.metrics.indices where report.metrics[i].verdict == .regression {
            guard let b = old[report.metrics[i].name] else { continue }
            let second = judge(b, new[b.name], policy)
            if second.verdict == .regression {
                report.metrics[i].note += "; confirmed when measured again (\(second.change))"
            } else {
                let firstNote = report.metrics[i].note
                report.metrics[i] = second
                report.metrics[i].note = "not confirmed: measured again, \(second.note); the first measurement said \(firstNote)"
            }
        }
        return report
    }

    static func judge(_ b: Metric, _ c: Metric?, _ policy: GatePolicy) -> MetricFinding {
        let threshold = policy.thresholds.fraction(for: b)
        var f = MetricFinding(
            name: b.name, kind: b.kind, unit: b.unit, baselineMedian: b.trials.isEmpty ? nil : b.median,
            threshold: threshold, verdict: .unchanged, note: "")
        guard let c, !c.trials.isEmpty, c.error == nil else {
            f.verdict = b.gated && !policy.allowMissing ? .missing : .context
            f.note = c?.error.map { "could not be measured now: \($0)" } ?? "not measured in the current run"
            return f
        }
        f.currentMedian = c.median
        guard !b.trials.isEmpty else {
            f.verdict = .new
            f.note = "the baseline could not measure it: \(b.error ?? "no trials")"
            return f
        }
        if b.kind == "instructions" {
            return DeterministicMetric.judge(
                name: b.name, unit: b.unit, before: b.trials, after: c.trials, threshold: threshold, error: nil, labels: ("baseline", "now"))
        }
        let ratio = c.median / b.median
        f.noiseBand = max(b.passSpread, c.passSpread)
        f.trials = min(b.trials.count, c.trials.count)
        // What this comparison can see: the test's own reach, or the noise band the threshold widens to.
        f.smallestDetectable = Statistics.smallestDetectableTwoSample(b.trials, c.trials, alpha: policy.alpha).map { max($0, f.noiseBand) }
        f.blind = b.gated && (f.smallestDetectable.map { $0 > threshold } ?? true)
        let limit = max(threshold, f.noiseBand)
        let limitText =
            limit > threshold
            ? String(format: "threshold %.0f%%, widened to the %.0f%% pass-to-pass noise", threshold * 100, limit * 100)
            : String(format: "threshold %.0f%%", threshold * 100)
        let interval = Statistics.ratioInterval(baseline: b.trials, current: c.trials)
        (f.ratio, f.intervalLow, f.intervalHigh) = (ratio, interval.low, interval.high)
        let bigger = b.direction == .biggerIsBetter
        // "Worse" is a smaller throughput or a larger latency; the sign of change follows.
        let pWorse = bigger ? Statistics.pSmaller(c.trials, than: b.trials) : Statistics.pSmaller(b.trials, than: c.trials)
        let pBetter = bigger ? Statistics.pSmaller(b.trials, than: c.trials) : Statistics.pSmaller(c.trials, than: b.trials)
        f.pWorse = pWorse
        let worseBy = bigger ? 1 - ratio : ratio - 1
        let interval95 = String(format: "95%% interval of the ratio %.3f to %.3f", interval.low, interval.high)
        let pText = String(format: "p = %.4f", pWorse)
        if worseBy > limit && pWorse < policy.alpha {
            f.verdict = b.gated ? .regression : .context
            f.note = String(format: "%.1f%% worse", worseBy * 100) + " (\(limitText)), \(pText), \(interval95)"
        } else if -worseBy > limit && pBetter < policy.alpha {
            f.verdict = b.gated ? .improvement : .context
            f.note = String(format: "%.1f%% better, p = %.4f, ", -worseBy * 100, pBetter) + interval95
        } else {
            f.verdict = b.gated ? .unchanged : .context
            let why = worseBy > limit ? "not significant (\(pText))" : "within the \(limitText)"
            f.note = String(format: "%+.1f%%, ", (ratio - 1) * 100) + why
        }
        let fewest = min(b.trials.count, c.trials.count)
        if fewest < 4 { f.note += "; only \(fewest) trial(s): too few for any change to be significant" }
        return f
    }

    static func warnings(_ b: GateRecord, _ c: GateRecord, _ policy: GatePolicy) -> [String] {
        var w: [String] = []
        let be = b.environment, ce = c.environment
        for (what, x, y) in [("CPU", be.cpu, ce.cpu), ("cores", "\(be.cores)", "\(ce.cores)"), ("OS", be.os, ce.os), ("kernel", be.kernel, ce.kernel)] where x != y {
            w.append("the baseline comes from a different environment: \(what) \(x) there, \(y) here; performance differences may be the machine's")
        }
        if b.build != c.build {
            w.append("the baseline was measured by a \(b.build) build and this record by a \(c.build) build: Swift-loop figures differ for that reason alone")
        }
        if b.suite != c.suite {
            w.append("the baseline is a '\(b.suite)' suite and this run a '\(c.suite)' suite: only what both measured is compared")
        }
        if c.conformance.summary.interrupted { w.append("the current run was interrupted") }
        return w
    }
}
