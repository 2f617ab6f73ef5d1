import Foundation
import Harness
import Testing

@testable import PerfTools

/// Statistics and histogram handling, and smoke runs with tiny counts: the numbers must be
/// consistent (every round trip recorded, percentiles ordered, rates positive). No timing is
/// asserted: these machines are noisy.
@Suite("PerfTools")
struct PerfToolsTests {
    @Test func throughputWindowsCoverTheTrial() throws {
        // 20 windows of (count - 1) / 20 messages each, inside the first-to-last time.
        let (elapsed, windows) = try SwiftLoops.throughput(
            endpoint: "inproc://windows-\(UUID())", sender: SocketType.PUSH.zmqValue, receiver: SocketType.PULL.zmqValue, size: 64, count: 20001, windows: 20)
        #expect(windows.count == 20)
        #expect(windows.allSatisfy { $0 > 0 })
        #expect(windows.reduce(0, +) <= elapsed)
        let plain = try SwiftLoops.throughput(
            endpoint: "inproc://windows-\(UUID())", sender: SocketType.PUSH.zmqValue, receiver: SocketType.PULL.zmqValue, size: 64, count: 2000)
        #expect(plain.windows.isEmpty && plain.elapsed > 0)
    }

    @Test func blocksMeasuredDifferentlyAreNeverMixed() {
        var steady = PairedFigure(name: "t", kind: "throughput", unit: "msg/s", biggerIsBetter: true, count: 10, a: [10], b: [11])
        steady.measure = "steady"
        var whole = steady
        whole.measure = "whole trial"
        var same = steady
        same.append(steady)
        #expect(same.error == nil && same.a == [10, 10] && same.blocks == [1, 1])
        var mixed = steady
        mixed.append(whole)
        #expect(mixed.error?.contains("measured differently") == true)
    }

    @Test func trialsMedianAndSpread() {
        let t = Trials([10, 12, 11])
        #expect(t.median == 11)
        #expect(t.mean == 11)
        // s = 1, n = 3: t(2) = 4.303, half-width 4.303 / sqrt(3) over the mean 11.
        #expect(abs(t.relativeSpread - 4.303 / 3.0.squareRoot() / 11) < 1e-9)
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

    @Test("latency smoke runs record every round trip, side by side with C and the raw baseline", arguments: [Transport.inproc, .ipc, .tcp])
    func latencySmoke(_ transport: Transport) throws {
        let runner = PerfRunner(trials: 2, warmup: 10)
        let raw = RawTransport.beside(transport)
        let group = try runner.latencyGroup(
            PerfImplementation.allCases, baseline: raw, transport: transport,
            pattern: LatencyPattern.all[0], size: 64, count: 200)
        #expect(group.map(\.implementation) == ["libzmq-swift", "libzmq-c", raw!.rawValue])
        for r in group {
            // The percentiles rest on every round trip of both trials (histograms merged); each
            // trial's own are kept too.
            let l = try #require(r.latency)
            #expect(l.count == 400, "\(r.implementation) \(transport): \(l.count) round trips recorded")
            #expect(r.latencyTrials?.map(\.count) == [200, 200])
            #expect(l.isOrdered)
            #expect(l.hgrm?.contains("Percentile") == true, "the merged histogram exports as .hgrm")
            #expect(!(r.latencyDistribution ?? []).isEmpty)
            #expect(l.minUs > 0)
            #expect(r.latencyP50Us?.values.count == 2)
        }
        #expect(group[0].ratioToC != nil && group[0].ratioToBaseline != nil, "ratios come from paired trials of the same run")
        #expect(group[1].ratioToC == nil, "the C loop is the reference, not compared with itself")
    }

    @Test func fixedRateLatencySmoke() throws {
        // 2000 requests/s on a schedule; the corrected histograms hold at least every round trip.
        let runner = PerfRunner(trials: 1, warmup: 10, rate: 2000)
        let group = try runner.latencyGroup(
            PerfImplementation.allCases, baseline: .tcp, transport: .tcp,
            pattern: LatencyPattern.all[0], size: 64, count: 100)
        for r in group {
            let l = try #require(r.latency)
            #expect(l.count >= 100, "\(r.implementation): \(l.count)")
            #expect(l.isOrdered)
            #expect(r.pattern.hasSuffix("@2000/s"))
        }
    }

    @Test func throughputSmoke() throws {
        let runner = PerfRunner(trials: 2, warmup: 10)
        let group = try runner.throughputGroup(
            PerfImplementation.allCases, baseline: .tcp, transport: .tcp,
            pattern: ThroughputPattern.all[0], size: 64, count: 5000)
        #expect(group.count == 3)
        for r in group {
            let t = try #require(r.messagesPerSecond)
            #expect(t.values.count == 2 && t.values.allSatisfy { $0 > 0 }, "\(r.implementation)")
        }
        #expect(group[0].ratioToC != nil && group[0].ratioToBaseline != nil)
        let queue = try runner.throughputGroup([], baseline: .queue, transport: .inproc, pattern: ThroughputPattern.all[0], size: 64, count: 2000)
        #expect(queue.count == 1 && queue[0].implementation == "raw-queue")
    }

    /// The C loop beside libzmq's own local_thr/remote_thr (built by scripts/setup --draft
    /// through scripts/build-libzmq-perf, which prints their folder), trial by trial.
    @Test func cLoopIsMeasuredBesideLocalThr() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let folder = try #require(
            ChildProcess.output(of: root + "/scripts/build-libzmq-perf", [], boundMs: 300_000)?.trimmingCharacters(in: .whitespacesAndNewlines),
            "scripts/build-libzmq-perf failed")
        var runner = PerfRunner(trials: 2, warmup: 10)
        runner.reference = try ReferencePrograms(directory: folder)
        let group = try runner.throughputGroup([.c], baseline: nil, transport: .tcp, pattern: ThroughputPattern.all[0], size: 64, count: 20000)
        #expect(group.map(\.implementation) == ["libzmq-c", "libzmq-perf"])
        let ratio = try #require(group[0].ratioToReference)
        #expect(ratio > 0.1 && ratio < 10, "C loop / local_thr: \(ratio)")
    }

    /// The raw queue copies every message in and out: 64 KiB messages move at memory speed,
    /// not at the terabytes per second of handing one shared array around.
    @Test func rawQueueFiguresArePhysicallyPossible() throws {
        let runner = PerfRunner(trials: 1, warmup: 10)
        let big = try runner.throughputGroup([], baseline: .queue, transport: .inproc, pattern: ThroughputPattern.all[0], size: 65536, count: 2000)
        let mbps = try #require(big.first?.megabytesPerSecond)
        #expect(mbps > 0 && mbps < 100_000, "raw-queue 64 KiB: \(mbps) MB/s")
    }

    /// Every pattern delivers every message it sends, in the Swift and the C loop alike: a PUB
    /// waits for its subscription (probes), a ROUTER's id frames are not counted as messages.
    /// (The loops throw unless the receiver got them all.)
    @Test(arguments: ThroughputPattern.all.map(\.name))
    func everyThroughputPatternDelivers(_ name: String) throws {
        let pattern = try #require(ThroughputPattern.all.first { $0.name == name })
        let group = try PerfRunner(trials: 1).throughputGroup(
            PerfImplementation.allCases, baseline: nil, transport: .ipc,
            pattern: pattern, size: 32, count: 3000)
        #expect(group.count == 2)
        for r in group { #expect(r.messagesPerSecond?.values.first ?? 0 > 0, "\(name) \(r.implementation)") }
    }

    /// CURVE on: the loops set up a CURVE server and client with fresh keys, and every message
    /// still arrives (a handshake that failed would leave the receiver waiting: the loop throws).
    @Test func curveSmoke() throws {
        let runner = PerfRunner(trials: 1, warmup: 10, curve: true)
        let thr = try runner.throughputGroup(
            PerfImplementation.allCases, baseline: nil, transport: .tcp,
            pattern: ThroughputPattern.all[0], size: 64, count: 2000)
        #expect(thr.allSatisfy { $0.pattern.hasSuffix("+curve") && ($0.messagesPerSecond?.median ?? 0) > 0 })
        let lat = try runner.latencyGroup(
            PerfImplementation.allCases, baseline: nil, transport: .tcp,
            pattern: LatencyPattern.all[0], size: 64, count: 200)
        #expect(lat.allSatisfy { $0.latency?.count == 200 })
    }

    /// Two-process mode: the far end is `zmqsuite perf-peer` in a child process; every round
    /// trip is recorded and every message counted, for the Swift and the C near end alike.
    @Test func twoProcessSmoke() throws {
        let exe = try #require(WorkerPool.defaultExecutable(), "build the zmqsuite product first (scripts/test does)")
        let runner = PerfRunner(trials: 1, warmup: 10, peerCommand: [exe, "perf-peer"])
        let lat = try runner.latencyGroup(
            PerfImplementation.allCases, baseline: nil, transport: .tcp,
            pattern: LatencyPattern.all[1], size: 64, count: 300)
        #expect(lat.count == 2 && lat.allSatisfy { $0.latency?.count == 300 && $0.pattern.hasSuffix("2-process") })
        let thr = try runner.throughputGroup(
            PerfImplementation.allCases, baseline: nil, transport: .ipc,
            pattern: ThroughputPattern.all[0], size: 64, count: 5000)
        #expect(thr.count == 2 && thr.allSatisfy { ($0.messagesPerSecond?.median ?? 0) > 0 })
    }

    /// Several senders share the count: the receiver still gets every message (the loops
    /// throw otherwise), in the Swift and the C loop.
    @Test func severalSenders() throws {
        var runner = PerfRunner(trials: 1, warmup: 10)
        runner.senders = 3
        let group = try runner.throughputGroup(
            PerfImplementation.allCases, baseline: nil, transport: .tcp,
            pattern: ThroughputPattern.all[0], size: 64, count: 10_001)
        #expect(group.count == 2 && group.allSatisfy { $0.pattern.hasSuffix("x3 senders") && ($0.messagesPerSecond?.median ?? 0) > 0 })
    }
}
