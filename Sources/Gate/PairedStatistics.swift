import Foundation
import Harness
import PerfTools

/// Statistics of paired trials (A/B measured next to each other) and what a test can see:
/// the Wilcoxon signed-rank test on per-pair differences, and the smallest change a test at
/// a given alpha would detect from the measured noise and the number of trials.
extension Statistics {
    /// One-sided p-value that the differences `d` tend to be positive: P(W+ >= observed W+)
    /// under the null hypothesis of a distribution symmetric about zero. Zero differences are
    /// dropped; ties share their mean rank. Exact up to 40 pairs, normal approximation beyond.
    public static func pPositive(_ d: [Double]) -> Double {
        let nonZero = d.filter { $0 != 0 }
        let n = nonZero.count
        guard n > 0 else { return 1 }
        // Doubled ranks keep tied (half-integer) ranks integral.
        let order = nonZero.indices.sorted { abs(nonZero[$0]) < abs(nonZero[$1]) }
        var doubledRank = [Int](repeating: 0, count: n)
        var i = 0
        while i < n {
            var j = i
            while j + 1 < n && abs(nonZero[order[j + 1]]) == abs(nonZero[order[i]]) { j += 1 }
            for k in i...j { doubledRank[order[k]] = i + j + 2 }  // 2 * mean of ranks i+1 ... j+1
            i = j + 1
        }
        let observed = zip(nonZero, doubledRank).filter { $0.0 > 0 }.reduce(0) { $0 + $1.1 }
        if n <= 40 {
            // counts[w]: sign assignments whose positive doubled ranks sum to w.
            let total = doubledRank.reduce(0, +)
            var counts = [Double](repeating: 0, count: total + 1)
            counts[0] = 1
            for r in doubledRank {
                for w in stride(from: total, through: r, by: -1) { counts[w] += counts[w - r] }
            }
            let all = counts.reduce(0, +)
            return counts[observed...].reduce(0, +) / all
        }
        let w = Double(observed) / 2
        let mean = Double(n * (n + 1)) / 4
        let sd = (Double(n * (n + 1) * (2 * n + 1)) / 24).squareRoot()
        let z = (w - 0.5 - mean) / sd
        return 0.5 * erfc(z / 2.0.squareRoot())
    }

    /// The standard normal quantile (inverse CDF), by bisection on erfc: precise enough for
    /// power calculations and free of tables.
    public static func normalQuantile(_ p: Double) -> Double {
        var lo = -10.0, hi = 10.0
        for _ in 0..<80 {
            let mid = (lo + hi) / 2
            if 0.5 * erfc(-mid / 2.0.squareRoot()) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    /// Power the smallest detectable change is computed for: a change of that size is caught
    /// four times out of five.
    public static let power = 0.8

    /// The smallest relative change the signed-rank test at `alpha` detects with `power`, by
    /// resampling the noise actually measured: the log ratios, centred on their median, are
    /// drawn with replacement and a random sign (the same seeded draws for every shift) and
    /// shifted until four draws in five reach `alpha`. Unlike the formula from their standard deviation, this
    /// keeps the noise's shape: a few wild trials (a preempted thread) inflate a standard
    /// deviation, while a rank test gives them only their ranks. nil when no result of so few
    /// samples can reach `alpha`.
    public static func smallestDetectableResampled(logRatios: [Double], alpha: Double, resamples: Int = 400) -> Double? {
        let n = logRatios.count
        guard n >= 2, pow(0.5, Double(n)) < alpha else { return nil }
        let critical = signedRankCritical(n: n, alpha: alpha)
        let centre = Trials.median(of: logRatios)
        let centred = logRatios.map { $0 - centre }
        var rng = SplitMix64(seed: 0x4d44_4521)
        // Each draw gets a random sign: the test assumes noise symmetric about zero, and a wild
        // trial is as likely to slow A as B.
        let draws = (0..<resamples).map { _ in
            (0..<n).map { _ in abs(centred[Int(rng.next() % UInt64(n))]) * (rng.next() & 1 == 0 ? 1 : -1) }
        }
        func power(_ shift: Double) -> Double {
            var reached = 0
            for draw in draws {
                let shifted = draw.map { $0 + shift }
                let order = shifted.indices.sorted { abs(shifted[$0]) < abs(shifted[$1]) }
                var w = 0
                for (rank, i) in order.enumerated() where shifted[i] > 0 { w += rank + 1 }
                if w >= critical { reached += 1 }
            }
            return Double(reached) / Double(resamples)
        }
        var low = 0.0, high = max(centred.map(abs).max() ?? 0, 1e-6)
        while power(high) < Self.power {
            high *= 2
            if high > 10 { return nil }
        }
        for _ in 0..<30 {
            let mid = (low + high) / 2
            if power(mid) >= Self.power { high = mid } else { low = mid }
        }
        return exp(high) - 1
    }

    /// The smallest sum of positive ranks (1...n, no ties) whose one-sided p is below `alpha`.
    static func signedRankCritical(n: Int, alpha: Double) -> Int {
        let total = n * (n + 1) / 2
        var counts = [Double](repeating: 0, count: total + 1)
        counts[0] = 1
        for r in 1...n {
            for w in stride(from: total, through: r, by: -1) { counts[w] += counts[w - r] }
        }
        let all = pow(2, Double(n))
        var tail = 0.0
        for w in stride(from: total, through: 0, by: -1) {
            tail += counts[w]
            if tail / all >= alpha { return w + 1 }
        }
        return 0
    }

    /// A robust spread: 1.4826 times the median absolute deviation (the standard deviation for
    /// normal noise, unmoved by a few wild values).
    public static func robustSpread(_ x: [Double]) -> Double {
        guard x.count > 1 else { return 0 }
        let centre = Trials.median(of: x)
        return 1.4826 * Trials.median(of: x.map { abs($0 - centre) })
    }

    /// The same for two independent samples (Mann-Whitney, stored baseline against now), from
    /// the spread of each sample's logarithms; nil when 1 / C(m+n, m) >= alpha.
    public static func smallestDetectableTwoSample(_ a: [Double], _ b: [Double], alpha: Double) -> Double? {
        let m = a.count, n = b.count
        guard m >= 2, n >= 2, a.allSatisfy({ $0 > 0 }), b.allSatisfy({ $0 > 0 }) else { return nil }
        let arrangements = exp(lgamma(Double(m + n + 1)) - lgamma(Double(m + 1)) - lgamma(Double(n + 1)))
        guard 1 / arrangements < alpha else { return nil }
        let sa = standardDeviation(a.map { log($0) }), sb = standardDeviation(b.map { log($0) })
        let se = (sa * sa / Double(m) + sb * sb / Double(n)).squareRoot()
        // 1.023 as above: Mann-Whitney has the same efficiency (3/pi) against the t-test.
        return exp((normalQuantile(1 - alpha) + normalQuantile(power)) * se * 1.023) - 1
    }

    public static func standardDeviation(_ x: [Double]) -> Double {
        guard x.count > 1 else { return 0 }
        let mean = x.reduce(0, +) / Double(x.count)
        return (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1)).squareRoot()
    }
}
