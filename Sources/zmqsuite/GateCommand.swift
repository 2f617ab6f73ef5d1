import ArgumentParser
import Foundation
import Gate
import Harness

struct GateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract:
            "Compare two implementations measured in pairs in one run (--a, --b), or a conformance + perf run with a stored baseline record; the exit code is the CI verdict.",
        discussion: """
            A/B (--a IMPL --b IMPL): the perf set runs on both, trial by trial in ABBA order, and the paired \
            ratios are judged, so the machine's drift falls on both sides. Baseline (--baseline FILE): the \
            catalogue and the perf set against a stored record (wall-clock figures there are only as good \
            as the machine's stability; instruction counts are not affected).
            Every metric reports the smallest change it can detect; one whose smallest detectable change \
            exceeds its threshold is blind (a warning; an error with --fail-blind).
            Exit codes: 0 no regression, 1 a regression (a cell that passed in the baseline and does not now, \
            a metric worse beyond its threshold and significant, a baseline figure not measured now, or a \
            blind metric with --fail-blind), 2 the gate could not run, 130 after Ctrl-C.
            """)

    @Option(name: .long, help: "The baseline record (made by 'zmqsuite baseline record').")
    var baseline: String?

    @Option(name: .customLong("a"), help: "A/B: the reference implementation (a registry name; libzmq means zmq-agent), e.g. the one shipped today.")
    var implementationA: String?

    @Option(name: .customLong("b"), help: "A/B: the candidate judged against A, e.g. a zmq-agent entry with --libzmq pointing at the new build.")
    var implementationB: String?

    @Option(name: .long, help: "A/B: pairs of trials per metric (ABBA order).")
    var pairs: Int = 16

    @Option(name: .long, help: "A/B: blocks of pairs, each in a fresh pair of agent processes (a process's memory layout is noise too).")
    var blocks: Int = 16

    @Option(name: .long, help: "A/B: seconds per trial (each side's count is calibrated to it on A).")
    var trialSeconds: Double = 0.15

    @Option(name: .long, help: "A/B: the CPU both sides' agents are pinned to (default: the last one), or none.")
    var cpu: String?

    @Flag(name: .long, help: "A/B: duet benchmarking: each pair's A and B trials run at the same time, A on CPU 0 and B on CPU 1.")
    var duet = false

    @Flag(
        name: .long,
        help: "Count instructions per message and per round trip under callgrind too (A/B: on both sides; with --baseline, it is automatic when the baseline has counts)."
    )
    var instructions = false

    @Flag(name: .long, help: "A metric whose smallest detectable change exceeds its threshold fails the gate instead of warning.")
    var failBlind = false

    @Option(name: .long, help: "Compare this record instead of measuring now (e.g. the current.json of an earlier gate).")
    var current: String?

    @Option(
        name: .customLong("suite"),
        help:
            "Which suite to run: quick (the catalogue and a 64 B perf set, about 90 s here), full (also 1 KiB and 64 KiB) or instructions (only instruction counts). Default: the baseline's suite, or quick."
    )
    var suiteOption: GateSuite?

    /// What runs: --suite, else (against a stored baseline) the suite it was recorded with.
    var suite: GateSuite { suiteOption ?? .quick }

    @Option(
        name: .long,
        help: "KEY=PERCENT, repeatable: KEY is throughput, latency-p50, latency-p99 or a metric name or glob. Defaults: throughput=5%, latency-p50=10%, latency-p99=10%.")
    var threshold: [String] = []

    @Option(name: .long, help: "Significance level of the one-sided Mann-Whitney test.")
    var alpha: Double = 0.01

    @Flag(name: .long, help: "A baseline cell or metric absent from the current run is reported, not failed.")
    var allowMissing = false

    @OptionGroup var catalogue: CatalogueOptions

    @OptionGroup var registry: RegistryOptions

    @Option(name: .long, help: "Conformance cells in parallel.")
    var jobs: Int = 4 * ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: "Report directory (default: results/gate-<time>).")
    var out: String?

    var isAB: Bool { implementationA != nil || implementationB != nil }

    func validate() throws {
        guard alpha > 0 && alpha < 1 else { throw ValidationError("--alpha \(alpha): expected a probability between 0 and 1, e.g. 0.01") }
        if isAB {
            guard implementationA != nil, implementationB != nil else {
                throw ValidationError("--a and --b go together: name both implementations, e.g. --a libzmq --b libzmq-next")
            }
            guard baseline == nil, current == nil else {
                throw ValidationError("--a/--b (A/B in one run) and --baseline/--current (a stored record) are two modes: use one")
            }
            guard blocks >= 7, pairs >= blocks else {
                throw ValidationError(
                    "--blocks \(blocks) --pairs \(pairs): expected at least 7 blocks (the test runs over blocks; fewer can never reach p < 0.01) and at least one pair per block"
                )
            }
        } else if baseline == nil {
            throw ValidationError("expected --a IMPL --b IMPL (A/B in one run) or --baseline FILE (a stored record)")
        }
        _ = try thresholds()
    }

    func thresholds() throws -> Thresholds {
        do { return try Thresholds.parse(threshold, defaults: isAB ? .pairedDefaults : Thresholds()) } catch { throw ValidationError("\(error)") }
    }

    func policy() throws -> GatePolicy {
        var policy = GatePolicy()
        policy.thresholds = try thresholds()
        policy.alpha = alpha
        policy.allowMissing = allowMissing
        policy.failBlind = failBlind
        return policy
    }

    func run() throws {
        if let a = implementationA, let b = implementationB { return try runAB(a: a, b: b) }
        guard let baseline else { return }
        let base: GateRecord
        do { base = try GateRecord.load(baseline) } catch { throw ValidationError("--baseline \(error)") }
        let directory = out ?? "results/gate-" + stamp(Date())
        let now: GateRecord
        if let current {
            do { now = try GateRecord.load(current) } catch { throw ValidationError("--current \(error)") }
        } else {
            guard base.build == GateSuite.build else {
                throw ValidationError(
                    "--baseline \(baseline) was recorded by a \(base.build) build and this is a \(GateSuite.build) build: their Swift-loop figures are not comparable; run .build/\(base.build)/zmqsuite"
                )
            }
            now = try (suiteOption ?? GateSuite(rawValue: base.suite) ?? .quick).measure(
                cases: catalogue, jobs: jobs, directory: directory, agent: try registry.load().agentCommand(for: "libzmq", bin: registry.bin),
                instructions: instructions || base.instructions != nil)
        }
        let policy = try policy()
        var report = Gatekeeper.decide(baseline: base, current: now, policy: policy)
        let suspects = report.metrics.filter { $0.verdict == .regression }.count
        if suspects > 0 && current == nil {
            // Measured now, so it can be measured again: a regression must repeat to count.
            FileHandle.standardError.write(Data("\(suspects) metric(s) regressed: measuring the perf set again to confirm\n".utf8))
            var again = now
            again.perfPasses = (GateSuite(rawValue: now.suite) ?? suite).measurePerf(passes: GateSuite.passes, environment: now.environment, log: printError)
            report = Gatekeeper.confirm(report, baseline: base, again: again, policy: policy)
            try again.write(to: directory + "/confirmation.json")
        }
        try GateOutput.write(report, current: now, to: directory)
        print(GateOutput.markdown(report))
        print("reports: \(directory)/gate.md (also gate.json, gate-junit.xml, current.json, benchmark-*.json)")
        if !report.passed { throw ExitCode(1) }
    }
}

struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Record baselines for the gate.",
        subcommands: [Record.self])

    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run a gate suite and write its record (conformance, perf, environment) to a file.")

        @Option(name: .long, help: "Where to write the record, e.g. results/baselines/debian12-2core.json.")
        var out: String

        @Option(name: .long, help: "quick, full or instructions (only instruction counts: a baseline a noisy runner can gate).")
        var suite: GateSuite = .quick

        @Option(name: .long, help: "Passes of the perf set: their spread is the noise the gate widens thresholds to.")
        var passes: Int = 5

        @Flag(
            name: .long, help: "Also count instructions per message and per round trip of zmq-agent under callgrind (a gate against this baseline then counts them too).")
        var instructions = false

        @OptionGroup var catalogue: CatalogueOptions

        @OptionGroup var registry: RegistryOptions

        @Option(name: .long, help: "Conformance cells in parallel.")
        var jobs: Int = 4 * ProcessInfo.processInfo.activeProcessorCount

        func validate() throws {
            guard passes >= 2 else { throw ValidationError("--passes \(passes): expected at least 2 (the spread between passes is the noise estimate)") }
        }

        func run() throws {
            // The conformance reports go to a scratch folder, kept only when the run is cut short.
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("zmqsuite-baseline-\(getpid())").path
            let record = try suite.measure(
                cases: catalogue, jobs: jobs, directory: scratch, passes: passes, agent: try registry.load().agentCommand(for: "libzmq", bin: registry.bin),
                instructions: instructions)
            try? FileManager.default.removeItem(atPath: scratch)
            try record.write(to: out)
            let gated = record.metrics.filter(\.gated)
            print(
                "baseline: \(out): \(record.conformance.cells.count) cells, \(gated.count) gated metrics (\(record.metrics.count - gated.count) raw-transport ones for context), \(record.build) build"
            )
        }
    }
}
