import Harness
import PerfTools
import Testing

/// Statistics and histogram handling, and smoke runs with tiny counts: the numbers must be
/// consistent (every round trip recorded, percentiles ordered, rates positive). No timing is
/// asserted: these machines are noisy.
@Suite("PerfTools")
struct PerfToolsTests {
    @Test func trialsMedianAndSpread() {
        let t = Trials([10, 12, 11])
        #expect(t.median == 11)
        #expect(abs(t.relativeSpread - 1.0 / 11) < 1e-9)
        #expect(Trials([4, 2, 8, 6]).median == 5)
        #expect(Trials([7]).relativeSpread == 0)
    }

    @Test func latencySummaryFromKnownSamples() {
        // 1..1000 microseconds, in nanoseconds.
        let s = LatencySummary(samplesNs: (1...1000).map { Int64($0) * 1000 })
        #expect(s.count == 1000)
        #expect(abs(s.p50Us - 500) <= 1)
        #expect(abs(s.p99Us - 990) <= 1)
        #expect(abs(s.maxUs - 1000) <= 1)
        #expect(abs(s.meanUs - 500.5) <= 1)
        #expect(s.isOrdered)
    }

    @Test func coordinatedOmissionAddsTheMissedSamples() {
        // One 100 ms stall at a 1 ms pace hides about 99 requests; correction puts them back.
        let samples = [Int64](repeating: 1_000_000, count: 99) + [100_000_000]
        let plain = LatencySummary(samplesNs: samples)
        let corrected = LatencySummary(samplesNs: samples, expectedIntervalNs: 1_000_000)
        #expect(plain.count == 100)
        #expect(corrected.count > 150)
        #expect(corrected.p90Us > plain.p90Us)
    }

    @Test("latency smoke runs record every round trip", arguments: ["inproc", "ipc", "tcp"])
    func latencySmoke(_ transport: String) throws {
        let runner = PerfRunner(trials: 1, warmup: 10)
        for impl in PerfImplementation.allCases {
            let r = try runner.latency(impl, transport: transport, pattern: LatencyPattern.all[0], size: 64, count: 200)
            let l = try #require(r.latency)
            #expect(l.count == 200, "\(impl.rawValue) \(transport): \(l.count) round trips recorded")
            #expect(l.isOrdered)
            #expect(l.minUs > 0)
        }
    }

    @Test func throughputAndBaselinesSmoke() throws {
        let runner = PerfRunner(trials: 2, warmup: 10)
        var results: [PerfResult] = []
        for impl in PerfImplementation.allCases {
            results.append(try runner.throughput(impl, transport: "tcp", pattern: ThroughputPattern.all[0], size: 64, count: 5000))
        }
        results.append(try runner.baselineThroughput(.tcp, size: 64, count: 5000))
        results.append(try runner.baselineLatency(.tcp, size: 64, count: 100))
        results.append(try runner.baselineLatency(.queue, size: 64, count: 100))
        let related = PerfRunner.relate(results)
        for r in related where r.kind == "throughput" {
            let t = try #require(r.messagesPerSecond)
            #expect(t.values.count == 2 && t.values.allSatisfy { $0 > 0 }, "\(r.implementation)")
        }
        let swift = try #require(related.first { $0.implementation == "libzmq-swift" })
        #expect(swift.ratioToC != nil && swift.ratioToBaseline != nil, "ratios are computed from the same run")
        #expect(related.filter { $0.kind == "latency" }.allSatisfy { $0.latency?.count == 100 })
    }
}
