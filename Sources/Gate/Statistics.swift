import Foundation
import Harness
import PerfTools

/// The two-sample statistics the gate decides with: the Mann-Whitney U test (rank-based, so
/// one stalled trial does not sway it; asv uses the same test) and a bootstrap confidence
/// interval of the ratio of medians (the estimate the report gives, as criterion.rs does).
public enum Statistics {
    /// U of sample `a` against `b`: pairs where a's value is larger, ties counting one half.
    static func u(_ a: [Double], _ b: [Double]) -> Double {
        var u = 0.0
        for x in a { for y in b { u += x > y ? 1 : (x == y ? 0.5 : 0) } }
        return u
    }

    /// One-sided p-value that `a` tends to be smaller than `b`: P(U <= observed U of a) under
    /// the null hypothesis that both come from one distribution. Exact for small samples
    /// (the count of rank arrangements), normal approximation beyond 20 values each.
    public static func pSmaller(_ a: [Double], than b: [Double]) -> Double {
        let m = a.count, n = b.count
        guard m > 0, n > 0 else { return 1 }
        let observed = u(a, b)
        if m <= 20 && n <= 20 {
            let counts = exactCounts(m, n)
            let total = counts.reduce(0, +)
            // Ties give half-integer U: count every arrangement with U at most the observed value.
            let limit = Int(observed.rounded(.down))
            return counts[0...min(limit, counts.count - 1)].reduce(0, +) / total
        }
        let mean = Double(m * n) / 2
        let sd = (Double(m * n * (m + n + 1)) / 12).squareRoot()
        let z = (observed + 0.5 - mean) / sd  // continuity correction
        return 0.5 * erfc(-z / 2.0.squareRoot())
    }

    /// counts[u]: how many of the C(m+n, m) orderings give U = u (as Doubles: C(40, 20) > 2^37).
    static func exactCounts(_ m: Int, _ n: Int) -> [Double] {
        // f[i][j][u] by the recurrence f(i, j, u) = f(i-1, j, u-j) + f(i, j-1, u): the largest
        // value belongs either to the first sample (beating all j of the second) or not.
        var table = [[[Double]]](repeating: [[Double]](repeating: [], count: n + 1), count: m + 1)
        for i in 0...m {
            for j in 0...n {
                var f = [Double](repeating: 0, count: i * j + 1)
                if i == 0 || j == 0 {
                    f[0] = 1
                } else {
                    for (u, c) in table[i - 1][j].enumerated() { f[u + j] += c }
                    for (u, c) in table[i][j - 1].enumerated() { f[u] += c }
                }
                table[i][j] = f
            }
        }
        return table[m][n]
    }

    /// A 95% bootstrap interval of median(current) / median(baseline), from resampling both
    /// trial lists; seeded, so the same records always give the same interval.
    public static func ratioInterval(baseline: [Double], current: [Double], resamples: Int = 2000) -> (low: Double, high: Double) {
        guard !baseline.isEmpty, !current.isEmpty else { return (.nan, .nan) }
        var rng = SplitMix64(seed: 0x5a4d_5153)
        var ratios: [Double] = []
        ratios.reserveCapacity(resamples)
        for _ in 0..<resamples {
            let b = Trials.median(of: (0..<baseline.count).map { _ in baseline[Int(rng.next() % UInt64(baseline.count))] })
            let c = Trials.median(of: (0..<current.count).map { _ in current[Int(rng.next() % UInt64(current.count))] })
            ratios.append(c / b)
        }
        ratios.sort()
        return (ratios[Int(Double(resamples) * 0.025)], ratios[Int(Double(resamples) * 0.975) - 1])
    }
}
