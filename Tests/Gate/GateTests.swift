import Foundation
import Testing

@testable import Gate
@testable import Harness
@testable import PerfTools

/// Synthetic records: a conformance run of the given cells and perf passes of the given figures.
func record(
    cells: [(String, Outcome)] = [("reqrep.req.lockstep", .PASS), ("pubsub.sub.prefix-filter", .PASS)],
    throughput: [[Double]] = [[100, 101, 99, 100, 102], [99, 100, 101, 100, 98], [101, 100, 99, 102, 100]],
    p99: [[Double]]? = nil, cpu: String = "test cpu", suite: String = "quick"
) -> GateRecord {
    var env = RunEnvironment.capture(implementations: [], start: Date(timeIntervalSince1970: 0))
    env.cpu = cpu
    let results = cells.map { id, outcome in
        CellResult(
            caseId: id, title: id, spec: "s", level: .MUST, area: "a", transport: "tcp", socketTypes: [], implementations: ["libzmq 4.3.4"],
            outcome: outcome, durationSeconds: 0, detail: outcome == .PASS ? "" : "step 3: expected x; saw y", failure: nil,
            observations: [], file: "f.yaml", line: 1)
    }
    let conformance = RunRecord(kind: "conformance", environment: env, cells: results, planned: results.count, interrupted: false)
    let passes = throughput.indices.map { i in
        var r = [
            PerfResult(
                kind: "throughput", implementation: "libzmq-swift", transport: "tcp", pattern: "push-pull", size: 64, count: 1000,
                messagesPerSecond: Trials(throughput[i]))
        ]
        if let p99 {
            r.append(
                PerfResult(
                    kind: "latency", implementation: "libzmq-swift", transport: "tcp", pattern: "req-rep", size: 64, count: 1000,
                    latencyP50Us: Trials(p99[i].map { $0 / 2 }), latencyP99Us: Trials(p99[i])))
        }
        return PerfRecord(environment: env, results: r)
    }
    return GateRecord(suite: suite, build: "debug", conformance: conformance, perfPasses: passes)
}

func scaled(_ passes: [[Double]], by factor: Double) -> [[Double]] { passes.map { $0.map { $0 * factor } } }

let throughputName = "throughput tcp push-pull 64B libzmq-swift"

@Suite("Gate decisions on synthetic records")
struct GateTests {
    @Test func unchangedPasses() {
        let report = Gatekeeper.decide(baseline: record(), current: record(), policy: GatePolicy())
        #expect(report.passed)
        #expect(report.metrics.first { $0.name == throughputName }?.verdict == .unchanged)
        #expect(report.warnings.isEmpty)
    }

    @Test func throughputRegressionBeyondThresholdFailsAndNamesTheMetric() throws {
        let now = record(throughput: scaled(record().perfPasses.map { $0.results[0].messagesPerSecond!.values }, by: 0.8))
        let report = Gatekeeper.decide(baseline: record(), current: now, policy: GatePolicy())
        #expect(!report.passed)
        let m = try #require(report.metrics.first { $0.name == throughputName })
        #expect(m.verdict == .regression)
        #expect(m.note.contains("worse"))
        #expect(try #require(m.pWorse) < 0.01)
        // The interval of the ratio brackets the estimate.
        #expect(try #require(m.intervalLow) <= 0.8 + 1e-9 && 0.8 <= (try #require(m.intervalHigh)) + 1e-9)
        #expect(report.regressions.contains { $0.contains(throughputName) })
    }

    @Test func improvementIsReportedNotFailed() throws {
        let now = record(throughput: scaled(record().perfPasses.map { $0.results[0].messagesPerSecond!.values }, by: 1.3))
        let report = Gatekeeper.decide(baseline: record(), current: now, policy: GatePolicy())
        #expect(report.passed)
        #expect(report.metrics.first { $0.name == throughputName }?.verdict == .improvement)
    }

    @Test func smallShiftWithinThresholdIsNoise() {
        // 3% lower everywhere: significant, but inside the 5% throughput threshold.
        let now = record(throughput: scaled(record().perfPasses.map { $0.results[0].messagesPerSecond!.values }, by: 0.97))
        let report = Gatekeeper.decide(baseline: record(), current: now, policy: GatePolicy())
        #expect(report.passed)
        #expect(report.metrics.first { $0.name == throughputName }?.verdict == .unchanged)
    }

    @Test func largeButOverlappingTrialsAreNotSignificant() {
        // Medians 10% apart, but the trials interleave: the test cannot tell them apart.
        let base = record(throughput: [[80, 120, 100, 90, 110], [85, 115, 100, 95, 105], [80, 120, 100, 90, 110]])
        let now = record(throughput: [[75, 115, 90, 85, 105], [70, 110, 90, 80, 100], [75, 115, 90, 85, 105]])
        let report = Gatekeeper.decide(baseline: base, current: now, policy: GatePolicy())
        #expect(report.passed)
        #expect(report.metrics.first { $0.name == throughputName }?.note.contains("not significant") == true)
    }

    @Test func passToPassNoiseWidensTheThreshold() throws {
        // The baseline's passes differ by 30%: a 20% drop now is inside that noise.
        let base = record(throughput: [[100, 101, 99, 100, 102], [130, 131, 129, 130, 132], [115, 116, 114, 115, 117]])
        let now = record(throughput: scaled([[100, 101, 99, 100, 102], [100, 101, 99, 100, 102], [100, 101, 99, 100, 102]], by: 0.92))
        let report = Gatekeeper.decide(baseline: base, current: now, policy: GatePolicy())
        let m = try #require(report.metrics.first { $0.name == throughputName })
        #expect(m.verdict == .unchanged)
        #expect(m.noiseBand > 0.25)
        #expect(m.note.contains("widened"))
        #expect(m.blind, "a 5% threshold widened to 30% noise cannot see a 5% change, and says so")
        #expect(report.warnings.contains { $0.contains("blind: \(throughputName)") })
        #expect(GateOutput.markdown(report).contains("**blind**"))
        var strict = GatePolicy()
        strict.failBlind = true
        #expect(!Gatekeeper.decide(baseline: base, current: now, policy: strict).passed, "--fail-blind makes blindness an error")
    }

    @Test func quietMetricsAreNotBlindAndShowWhatTheySee() throws {
        let report = Gatekeeper.decide(baseline: record(), current: record(), policy: GatePolicy())
        let m = try #require(report.metrics.first { $0.name == throughputName })
        let seen = try #require(m.smallestDetectable)
        #expect(!m.blind && seen < 0.05, "1% noise over 15 trials a side sees below 5%: \(seen)")
        #expect(GateOutput.markdown(report).contains("smallest detectable"))
    }

    @Test func p99LatencyUsesItsOwnThresholdAndDirection() throws {
        let p99: [[Double]] = [[200, 205, 198, 202, 201], [201, 199, 203, 200, 204], [202, 200, 199, 201, 203]]
        let slower = Gatekeeper.decide(baseline: record(p99: p99), current: record(p99: scaled(p99, by: 1.15)), policy: GatePolicy())
        #expect(slower.metrics.first { $0.name == "latency-p99 tcp req-rep 64B libzmq-swift" }?.verdict == .regression)
        let slightly = Gatekeeper.decide(baseline: record(p99: p99), current: record(p99: scaled(p99, by: 1.07)), policy: GatePolicy())
        #expect(slightly.metrics.first { $0.name == "latency-p99 tcp req-rep 64B libzmq-swift" }?.verdict == .unchanged)
        var strict = GatePolicy()
        strict.thresholds = try Thresholds.parse(["latency-p99=5%"])
        let strictly = Gatekeeper.decide(baseline: record(p99: p99), current: record(p99: scaled(p99, by: 1.07)), policy: strict)
        #expect(strictly.metrics.first { $0.name == "latency-p99 tcp req-rep 64B libzmq-swift" }?.verdict == .regression)
    }

    @Test func perMetricOverrideByGlob() throws {
        var policy = GatePolicy()
        policy.thresholds = try Thresholds.parse(["throughput tcp *=30%"])
        let now = record(throughput: scaled(record().perfPasses.map { $0.results[0].messagesPerSecond!.values }, by: 0.8))
        #expect(Gatekeeper.decide(baseline: record(), current: now, policy: policy).passed)
    }

    @Test func aRegressionMustRepeatWhenMeasuredAgain() throws {
        let base = record()
        let slow = record(throughput: scaled(base.perfPasses.map { $0.results[0].messagesPerSecond!.values }, by: 0.7))
        let first = Gatekeeper.decide(baseline: base, current: slow, policy: GatePolicy())
        #expect(!first.passed)
        // A burst of noise: measured again, the figure is back where it was.
        let burst = Gatekeeper.confirm(first, baseline: base, again: record(), policy: GatePolicy())
        #expect(burst.passed)
        #expect(try #require(burst.metrics.first { $0.name == throughputName }).note.contains("not confirmed"))
        // A real regression: it is there again.
        let real = Gatekeeper.confirm(first, baseline: base, again: slow, policy: GatePolicy())
        #expect(!real.passed)
        #expect(try #require(real.metrics.first { $0.name == throughputName }).note.contains("confirmed when measured again"))
    }

    @Test func missingMetricFailsUnlessAllowed() {
        let now = record(throughput: [])
        let report = Gatekeeper.decide(baseline: record(), current: now, policy: GatePolicy())
        #expect(!report.passed)
        #expect(report.metrics.first { $0.name == throughputName }?.verdict == .missing)
        var lenient = GatePolicy()
        lenient.allowMissing = true
        #expect(Gatekeeper.decide(baseline: record(), current: now, policy: lenient).passed)
    }

    @Test func metricThatCouldNotBeMeasuredNowIsMissing() {
        var now = record()
        for i in now.perfPasses.indices { now.perfPasses[i].results[0].messagesPerSecond = nil; now.perfPasses[i].results[0].error = "EADDRINUSE" }
        let report = Gatekeeper.decide(baseline: record(), current: now, policy: GatePolicy())
        #expect(!report.passed)
        #expect(report.metrics.first { $0.name == throughputName }?.note.contains("EADDRINUSE") == true)
    }

    @Test func conformanceCellThatStoppedPassingIsARegression() {
        let now = record(cells: [("reqrep.req.lockstep", .FAIL), ("pubsub.sub.prefix-filter", .PASS), ("new.case", .PASS)])
        let report = Gatekeeper.decide(baseline: record(), current: now, policy: GatePolicy())
        #expect(!report.passed)
        #expect(report.regressions.contains { $0.contains("reqrep.req.lockstep") && $0.contains("PASS -> FAIL") })
        #expect(report.cells.first { $0.key.hasPrefix("new.case") }?.verdict == .new)
    }

    @Test func conformanceImprovementAndKnownFailureDoNotFail() {
        let base = record(cells: [("a.fixed", .FAIL), ("b.known", .FAIL)])
        let now = record(cells: [("a.fixed", .PASS), ("b.known", .FAIL)])
        let report = Gatekeeper.decide(baseline: base, current: now, policy: GatePolicy())
        #expect(report.passed)
        #expect(report.cells.first { $0.key.hasPrefix("a.fixed") }?.verdict == .improvement)
    }

    @Test func changedEnvironmentWarnsButDecidesTheSame() {
        let report = Gatekeeper.decide(baseline: record(), current: record(cpu: "another cpu"), policy: GatePolicy())
        #expect(report.passed)
        #expect(report.warnings.contains { $0.contains("different environment") && $0.contains("another cpu") })
        #expect(GateOutput.markdown(report).contains("warning"))
    }

    @Test func outputsNameTheRegression() throws {
        let now = record(cells: [("reqrep.req.lockstep", .FAIL), ("pubsub.sub.prefix-filter", .PASS)])
        let report = Gatekeeper.decide(baseline: record(), current: now, policy: GatePolicy())
        #expect(GateOutput.junit(report).contains("<failure message=\"PASS -&gt; FAIL\""))
        #expect(GateOutput.markdown(report).contains("reqrep.req.lockstep"))
        let bench = try JSONSerialization.jsonObject(with: GateOutput.benchmark(record(), biggerIsBetter: true)) as? [[String: Any]]
        #expect(bench?.first?["name"] as? String == throughputName)
        #expect(bench?.first?["unit"] as? String == "msg/s")
        #expect(bench?.first?["value"] as? Double == 100)
    }

    @Test func badThresholdsAreRefusedWithTheExpectedForm() {
        #expect(throws: GateError.self) { try Thresholds.parse(["throughput"]) }
        #expect(throws: GateError.self) { try Thresholds.parse(["throughput=-3"]) }
        #expect(throws: GateError.self) { try Thresholds.parse(["=5"]) }
    }

    @Test func anInstructionsOnlyBaselineGatesOnItsCounts() throws {
        // `--suite instructions`: no cells, no perf passes, only counts (three repeats each).
        func counts(_ perMessage: [Double]) -> GateRecord {
            var r = record(cells: [], throughput: [], suite: "instructions")
            r.instructions = [
                Metric(
                    name: "instructions throughput tcp push-pull 64B C loop", kind: "instructions", unit: "instr/msg", direction: .smallerIsBetter, gated: true,
                    trials: perMessage, error: nil
                ).withPassMedian
            ]
            return r
        }
        let base = counts([1000, 1001, 999])
        let same = Gatekeeper.decide(baseline: base, current: counts([1002, 1000, 1001]), policy: GatePolicy())
        #expect(same.passed)
        #expect(same.metrics.map(\.verdict) == [.unchanged])
        let slower = Gatekeeper.decide(baseline: base, current: counts([1030, 1031, 1029]), policy: GatePolicy())
        #expect(!slower.passed)
        #expect(slower.metrics.map(\.verdict) == [.regression])
        #expect(GateSuite.instructions.perfJobs().isEmpty && GateSuite.instructions.pairedJobs.isEmpty)
    }

    @Test func recordsRoundTripThroughJSON() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gate-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try record().write(to: path)
        let back = try GateRecord.load(path)
        #expect(back.metrics.map(\.name) == record().metrics.map(\.name))
        #expect(back.metrics[0].passMedians.count == 3)
    }
}

/// Paired figures: B is A times `factor`, with the same noise pattern on both sides plus a
/// little of B's own; `blocks` blocks of two pairs.
func paired(factor: Double, jitter: Double = 0.002, blocks: Int = 8) -> PairedFigure {
    let a = (0..<(2 * blocks)).map { 100 * (1 + 0.05 * sin(Double($0))) }
    let b = a.enumerated().map { i, x in x * factor * (1 + jitter * cos(Double(i) * 2.7)) }
    var f = PairedFigure(name: "throughput tcp push-pull 64B", kind: "throughput", unit: "msg/s", biggerIsBetter: true, count: 1000, a: a, b: b)
    f.blocks = Array(repeating: 2, count: blocks)
    return f
}

func abRecord(_ figures: [PairedFigure], instructions: [PairedFigure] = []) -> ABRecord {
    let info = ImplementationInfo(
        name: "zmq-agent", version: "4.3.4", library: "libzmq.so.5",
        capabilities: Capabilities(socketTypes: [], transports: [:], mechanisms: [], draftSymbols: [:], zmqHas: [:]))
    return ABRecord(
        suite: "quick", a: info, b: info, environment: RunEnvironment.capture(implementations: [], start: Date()), figures: figures,
        instructions: instructions)
}

@Suite("A/B decisions on paired figures")
struct ABGateTests {
    @Test func twoPercentSlowerBIsARegressionWhenPairsAreQuiet() throws {
        var policy = GatePolicy()
        policy.thresholds = .pairedDefaults
        let report = ABGatekeeper.decide(abRecord([paired(factor: 0.98)]), policy: policy)
        let m = try #require(report.metrics.first)
        #expect(m.verdict == .regression, "\(m.note)")
        #expect(!report.passed && !m.blind)
        #expect(m.note.contains("blocks"))
    }

    @Test func identicalSidesPass() throws {
        var policy = GatePolicy()
        policy.thresholds = .pairedDefaults
        let report = ABGatekeeper.decide(abRecord([paired(factor: 1.0)]), policy: policy)
        #expect(report.passed)
        #expect(report.mode == "ab")
        #expect(GateOutput.markdown(report).contains("| metric | A | B |"))
    }

    @Test func noisyPairsAreBlindNotUnchanged() throws {
        var policy = GatePolicy()
        policy.thresholds = .pairedDefaults
        let m = try #require(ABGatekeeper.decide(abRecord([paired(factor: 1.0, jitter: 0.2)]), policy: policy).metrics.first)
        #expect(m.blind, "20% jitter over 8 blocks cannot see 1%: smallest detectable \(m.smallestDetectable ?? -1)")
    }

    @Test func fewerBlocksThanTheAlphaAllowsSeeNothing() throws {
        let m = try #require(ABGatekeeper.decide(abRecord([paired(factor: 0.5, blocks: 4)]), policy: GatePolicy()).metrics.first)
        #expect(m.smallestDetectable == nil && m.blind)
        #expect(m.verdict != .regression, "4 blocks cannot reach p < 0.01 (1/16 at best)")
    }

    @Test func instructionCountsJudgeBeyondTheirOwnSpread() throws {
        var more = PairedFigure(
            name: "instructions throughput tcp push-pull 64B", kind: "instructions", unit: "instr/msg", biggerIsBetter: false, count: 0,
            a: [1000, 1001, 1000], b: [1030, 1031, 1030])
        let worse = try #require(ABGatekeeper.decide(abRecord([], instructions: [more]), policy: GatePolicy()).metrics.first)
        #expect(worse.verdict == .regression && !worse.blind, "\(worse.note)")
        more.b = [1001, 1000, 1002]
        let same = try #require(ABGatekeeper.decide(abRecord([], instructions: [more]), policy: GatePolicy()).metrics.first)
        #expect(same.verdict == .unchanged)
    }
}

@Suite("Wilcoxon signed-rank and the smallest detectable change")
struct PairedStatisticsTests {
    @Test func allPositiveDifferencesGiveTheSmallestP() {
        #expect(abs(Statistics.pPositive([1, 2, 3, 4, 5, 6, 7, 8]) - 1.0 / 256) < 1e-12)
        #expect(Statistics.pPositive([-1, -2, -3]) == 1)
    }

    @Test func exactDistributionMatchesHandCount() {
        // n = 3, ranks 1..3: W+ >= 5 for sign sets {2,3} and {1,2,3}: 2 of 8.
        #expect(abs(Statistics.pPositive([-1, 2, 3]) - 2.0 / 8) < 1e-12)
    }

    @Test func normalQuantileIsTheInverse() {
        #expect(abs(Statistics.normalQuantile(0.99) - 2.3263) < 1e-3)
        #expect(abs(Statistics.normalQuantile(0.8) - 0.8416) < 1e-3)
    }

    @Test func smallestDetectableShrinksWithMoreSamples() throws {
        let noise = (0..<8).map { 0.01 * sin(Double($0) * 1.3) }
        let eight = try #require(Statistics.smallestDetectableResampled(logRatios: noise, alpha: 0.01))
        let thirtyTwo = try #require(Statistics.smallestDetectableResampled(logRatios: noise + noise + noise + noise, alpha: 0.01))
        #expect(thirtyTwo < eight)
        #expect(Statistics.smallestDetectableResampled(logRatios: Array(noise.prefix(5)), alpha: 0.01) == nil, "5 pairs never reach p < 0.01")
    }

    @Test func oneWildTrialDoesNotBlindTheRankTest() throws {
        // Fifteen pairs within 1% and one 30% off (a preempted trial): the signed-rank test
        // still sees a 2% change, though the standard deviation is near 8%.
        let bulk = (0..<15).map { 0.006 * sin(Double($0) * 2.1) }
        let wild = bulk + [-0.30]
        let seen = try #require(Statistics.smallestDetectableResampled(logRatios: wild, alpha: 0.01))
        #expect(Statistics.standardDeviation(wild) > 0.07)
        #expect(seen < 0.02, "smallest detectable \(seen)")
        // ... and a 2% shift of those very pairs is significant.
        #expect(Statistics.pPositive(wild.map { $0 + 0.02 }) < 0.01)
    }

    @Test func criticalValueMatchesTheExactTail() {
        // n = 8: W+ = 36 (all positive) has p = 1/256, W+ = 35 has 2/256: both below 0.01; 34 is 3/256.
        #expect(Statistics.signedRankCritical(n: 8, alpha: 0.01) == 35)
        #expect(abs(Statistics.robustSpread([1, 2, 3, 4, 100]) - 1.4826) < 1e-9)
    }
}

@Suite("Mann-Whitney U and the bootstrap interval")
struct StatisticsTests {
    @Test func exactDistributionCountsEveryOrdering() {
        // C(8, 4) = 70 orderings; U = 0 and U = 16 happen once each.
        let counts = Statistics.exactCounts(4, 4)
        #expect(counts.reduce(0, +) == 70)
        #expect(counts.first == 1 && counts.last == 1)
    }

    @Test func completeSeparationGivesTheSmallestP() {
        let p = Statistics.pSmaller([1, 2, 3, 4, 5], than: [6, 7, 8, 9, 10])
        #expect(abs(p - 1.0 / 252) < 1e-12)
        #expect(Statistics.pSmaller([6, 7, 8, 9, 10], than: [1, 2, 3, 4, 5]) == 1)
    }

    @Test func largeSamplesUseTheNormalApproximation() {
        let a = (0..<30).map(Double.init), b = (0..<30).map { Double($0) + 100 }
        #expect(Statistics.pSmaller(a, than: b) < 1e-6)
        let p = Statistics.pSmaller(a, than: a)
        #expect(p > 0.4 && p < 0.6)
    }

    @Test func bootstrapIntervalIsDeterministicAndBracketsTheRatio() {
        let b = [100.0, 101, 99, 100, 102], c = [90.0, 91, 89, 90, 92]
        let i1 = Statistics.ratioInterval(baseline: b, current: c), i2 = Statistics.ratioInterval(baseline: b, current: c)
        #expect(i1.low == i2.low && i1.high == i2.high)
        #expect(i1.low <= 0.9 && 0.9 <= i1.high)
    }
}

@Suite("compare for perf records")
struct PerfComparisonTests {
    func perf(_ values: [Double], implementation: String = "pyzmq") -> PerfRecord {
        PerfRecord(
            environment: RunEnvironment.capture(implementations: [], start: Date(timeIntervalSince1970: 0)),
            results: [
                PerfResult(
                    kind: "throughput", implementation: implementation, transport: "tcp", pattern: "push-pull", size: 64, count: 1000,
                    messagesPerSecond: Trials(values))
            ])
    }

    @Test func aSlowerFigureIsARegressionWithItsInterval() throws {
        let before = perf((0..<10).map { 100 + Double($0 % 3) })
        let after = perf((0..<10).map { 80 + Double($0 % 3) })
        let findings = PerfComparison.compare(before, after, policy: GatePolicy())
        let m = try #require(findings.first)
        #expect(m.verdict == .regression, "an agent's figure is judged like libzmq's: \(m.note)")
        #expect(m.intervalLow != nil && m.intervalHigh! < 1)
        #expect(m.smallestDetectable != nil)
        let text = PerfComparison.table(findings, markdown: true)
        #expect(text.contains("| throughput tcp push-pull 64B pyzmq |") && text.contains("regression"))
    }

    @Test func rawFiguresAreContextAndNewFiguresListed() throws {
        let before = perf([100, 101, 99, 100, 102], implementation: "raw-tcp")
        let after = PerfRecord(environment: before.environment, results: before.results + perf([5, 5, 5]).results)
        let findings = PerfComparison.compare(before, scaledRecord(after, by: 0.5), policy: GatePolicy())
        #expect(findings.first { $0.name.hasSuffix("raw-tcp") }?.verdict == .context)
        #expect(findings.first { $0.name.hasSuffix("pyzmq") }?.verdict == .new)
    }

    func scaledRecord(_ r: PerfRecord, by f: Double) -> PerfRecord {
        var copy = r
        for i in copy.results.indices { copy.results[i].messagesPerSecond = copy.results[i].messagesPerSecond.map { Trials($0.values.map { $0 * f }) } }
        return copy
    }
}

@Suite("compare lines up implementations by case and transport")
struct CrossImplementationComparisonTests {
    func run(_ implementation: String, _ cells: [(String, Outcome)]) -> RunRecord {
        let env = RunEnvironment.capture(implementations: [], start: Date(timeIntervalSince1970: 0))
        let results = cells.map { id, outcome in
            CellResult(
                caseId: id, title: id, spec: "s", level: .MUST, area: "a", transport: "tcp", socketTypes: [], implementations: [implementation],
                outcome: outcome, durationSeconds: 0, detail: outcome == .PASS ? "" : "saw <nothing>", failure: nil, observations: [],
                file: "f.yaml", line: 1)
        }
        return RunRecord(kind: "conformance", environment: env, cells: results, planned: results.count, interrupted: false)
    }

    @Test func twoImplementationsGiveChangedCellsNotNewAndMissing() throws {
        let pyzmq = run("pyzmq 27.3.0", [("reqrep.a", .PASS), ("reqrep.b", .PASS), ("reqrep.c", .UNSUPPORTED)])
        let agent = run("zmq-agent 4.3.4", [("reqrep.a", .PASS), ("reqrep.b", .FAIL), ("reqrep.c", .PASS)])
        let columns = try #require(RunComparison.defaultColumns(pyzmq, agent))
        #expect(columns == ("pyzmq", "zmq-agent"))
        let c = RunComparison(before: pyzmq, after: agent, columns: columns)
        #expect(c.added.isEmpty && c.removed.isEmpty)
        #expect(c.changes.map(\.key) == ["reqrep.b@tcp", "reqrep.c@tcp"])
        #expect(c.regressions.map(\.key) == ["reqrep.b@tcp"])
        let md = ComparisonReport.markdown(c, before: "p.json", after: "z.json")
        #expect(md.contains("regression") && md.contains("&lt;nothing&gt;"), "Markdown escapes <...>")
        let html = ComparisonReport.html(c, before: "p.json", after: "z.json")
        #expect(html.contains("data-kind=regression") && html.contains("data-kind=improvement"))
    }

    @Test func twoRunsOfOneImplementationStillLineUpByColumn() {
        let old = run("libzmq 4.3.4", [("reqrep.a", .PASS)])
        #expect(RunComparison.defaultColumns(old, run("libzmq 4.3.5", [("reqrep.a", .FAIL)])) == nil)
        let c = RunComparison(before: old, after: run("libzmq 4.3.5", [("reqrep.a", .FAIL)]))
        #expect(c.regressions.count == 1)
    }
}
