import ArgumentParser
import Foundation
import Harness
import PerfTools

struct Perf: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Latency and throughput: libzmq driven from Swift beside the C reference loop and raw-transport baselines.",
        subcommands: [Latency.self, Throughput.self, Baseline.self, Sweep.self, Multicast.self])

    struct Options: ParsableArguments {
        @Option(name: .long, parsing: .upToNextOption, help: "Transports: inproc ipc tcp.")
        var transport: [Transport] = [.tcp]

        @Option(name: .long, parsing: .upToNextOption, help: "Message sizes in bytes.")
        var size: [Int] = [64]

        @Option(name: .long, help: "Messages (throughput) or round trips (latency) per trial.")
        var count: Int?

        @Option(name: .long, help: "Trials per figure; the report gives the median and the spread.")
        var trials: Int = 3

        @Option(name: .long, help: "Report directory (default: results/perf-<time>).")
        var out: String?

        @Flag(name: .long, help: "CURVE on every ZeroMQ connection (the raw baselines stay plain).")
        var curve = false

        @Option(name: .long, help: "1: both ends are threads of this process; 2: the far end (echo or sink) is the C reference peer in a child process.")
        var processes: Int = 1

        @Option(
            name: .long, parsing: .upToNextOption,
            help:
                "Implementations: libzmq (the Swift and C loops in this process) and agents of the registry with the perf op (zmq-agent, pyzmq, jeromq), whose loops run inside them."
        )
        var impl: [String] = ["libzmq"]

        @OptionGroup var registryOptions: RegistryOptions

        /// The in-process loops when libzmq is named, and the named agents (started once).
        func implementations() throws -> (loops: [PerfImplementation], agents: [AgentDriver]) {
            let registry = try registryOptions.load()
            var agents: [AgentDriver] = []
            for name in impl where name != "libzmq" {
                switch registry.open([name], bin: registryOptions.bin)[0].1 {
                case .ready(let d as AgentDriver) where d.info.capabilities.features.contains("perf"): agents.append(d)
                case .ready(let d as AgentDriver):
                    d.shutdown()
                    throw ValidationError("--impl \(name): its agent has no perf op (hello lists: \(d.info.capabilities.features.joined(separator: ", ")))")
                case .unavailable(let why): throw ValidationError("--impl \(name): \(why)")
                default: throw ValidationError("--impl \(name): not an agent")
                }
            }
            return (impl.contains("libzmq") ? PerfImplementation.allCases : [], agents)
        }

        /// What to measure, with these loops and agents.
        func plan(loops: [PerfImplementation], agents: [AgentDriver] = []) -> PerfPlan {
            PerfPlan(transports: transport, sizes: size, count: count, loops: loops, agents: agents)
        }

        /// The far end's command in two-process mode.
        func peerCommand() throws -> [String]? {
            guard processes == 2 else { return nil }
            guard let exe = WorkerPool.defaultExecutable() else { throw ValidationError("cannot find the zmqsuite binary to start the peer process") }
            return [exe, "perf-peer"]
        }

        func validate() throws {
            for t in transport where !PerfPlan.transports.contains(t) {
                throw ValidationError("--transport \(t.rawValue): expected inproc, ipc or tcp")
            }
            for s in size where s < 1 || s > 16 << 20 { throw ValidationError("--size \(s): expected 1 to 16777216 bytes") }
            if let count, count < 2 { throw ValidationError("--count must be at least 2") }
            if trials < 1 { throw ValidationError("--trials must be at least 1") }
            guard processes == 1 || processes == 2 else { throw ValidationError("--processes \(processes): expected 1 or 2") }
            if processes == 2 && curve { throw ValidationError("--processes 2 with --curve: the peer process has no CURVE keys; use one of them") }
            if processes == 2 && transport.contains(.inproc) { throw ValidationError("--processes 2: inproc cannot cross processes; use ipc or tcp") }
        }
    }

    /// Runs the planned measurement groups with a progress line, then writes and prints the record.
    static func execute(_ o: Options, _ jobs: [PerfJob], agents: [AgentDriver] = []) throws {
        let start = Date()
        let (results, failures) = PerfJob.runAll(jobs, log: printError)
        var env = RunEnvironment.capture(implementations: [LibzmqDriver().info] + agents.map(\.info), start: start)
        env.endTime = Date()
        let record = PerfRecord(environment: env, results: results)
        let directory = o.out ?? "results/perf-" + stamp(start)
        try PerfReport.write(record, to: directory)
        print(PerfReport.markdown(record))
        print("report: \(directory)/perf.html (also perf.json, perf.md)")
        if failures > 0 {
            print("\(failures) group(s) could not be measured (see 'error' in perf.json)")
            throw ExitCode(1)
        }
    }

    /// The patterns named on the command line, or an error listing the known ones.
    static func lookup<P>(_ names: [String], in all: [P], name: KeyPath<P, String>) throws -> [P] {
        try names.map { n in
            guard let p = all.first(where: { $0[keyPath: name] == n }) else {
                throw ValidationError("--pattern \(n): expected one of \(all.map { $0[keyPath: name] }.joined(separator: ", "))")
            }
            return p
        }
    }

    struct Latency: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Round-trip latency percentiles (HdrHistogram), Swift and C loops, with the raw baseline.")
        @OptionGroup var options: Options
        @Option(name: .long, parsing: .upToNextOption, help: "Patterns: req-rep dealer-router pair.") var pattern: [String] = ["req-rep"]
        @Option(name: .long, help: "Requests per second on a fixed schedule, with coordinated-omission correction (default: back to back).")
        var rate: Double?
        func validate() throws {
            if let rate, rate <= 0 || rate > 1_000_000 { throw ValidationError("--rate \(rate): expected 1 to 1000000 requests per second") }
        }
        func run() throws {
            let patterns = try Perf.lookup(pattern, in: LatencyPattern.all, name: \.name)
            let runner = PerfRunner(trials: options.trials, rate: rate, curve: options.curve, peerCommand: try options.peerCommand())
            let (loops, agents) = try options.implementations()
            defer { for a in agents { a.shutdown() } }
            try Perf.execute(options, options.plan(loops: loops, agents: agents).latencyJobs(runner, patterns: patterns), agents: agents)
        }
    }

    struct Throughput: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Messages/s and MB/s at the receiver, Swift and C loops, with the raw baseline.")
        @OptionGroup var options: Options
        @Option(name: .long, parsing: .upToNextOption, help: "Patterns: push-pull dealer-dealer pair pub-sub dealer-router.") var pattern: [String] = ["push-pull"]
        @Option(name: .long, help: "Sender sockets, each on a thread of its own, sharing each trial's messages towards one receiver (1 to 64).")
        var senders: Int = 1
        @Option(
            name: .long,
            help:
                "A folder with libzmq's own local_thr and remote_thr (scripts/build-libzmq-perf prints it): push-pull over ipc and tcp is measured with them too, and the C loop's ratio to them reported."
        )
        var referencePrograms: String?
        func validate() throws {
            guard (1...64).contains(senders) else { throw ValidationError("--senders \(senders): expected 1 to 64") }
            if options.processes == 2 && pattern.contains("pub-sub") {
                throw ValidationError("--processes 2 with pub-sub: the PUB cannot learn across processes when its subscription has arrived")
            }
            if senders > 1 && pattern.contains("pub-sub") {
                throw ValidationError("--senders \(senders) with pub-sub: each PUB would need its own subscription probe; use one sender")
            }
            if senders > 1 && options.processes == 2 { throw ValidationError("--senders \(senders) with --processes 2: use one of them") }
        }
        func run() throws {
            let patterns = try Perf.lookup(pattern, in: ThroughputPattern.all, name: \.name)
            var runner = PerfRunner(trials: options.trials, curve: options.curve, peerCommand: try options.peerCommand())
            runner.senders = senders
            if let referencePrograms {
                do { runner.reference = try ReferencePrograms(directory: referencePrograms) } catch { throw ValidationError("--reference-programs: \(error)") }
            }
            let (loops, agents) = try options.implementations()
            defer { for a in agents { a.shutdown() } }
            try Perf.execute(options, options.plan(loops: loops, agents: agents).throughputJobs(runner, patterns: patterns), agents: agents)
        }
    }

    struct Baseline: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Only the raw-transport baselines: TCP, Unix socket, in-process queue.")
        @OptionGroup var options: Options
        func run() throws {
            let runner = PerfRunner(trials: options.trials)
            let plan = options.plan(loops: [])
            try Perf.execute(options, plan.latencyJobs(runner) + plan.throughputJobs(runner))
        }
    }

    struct Sweep: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Latency and throughput over sizes and transports, Swift and C, with baselines and charts.")
        @Option(name: .long, parsing: .upToNextOption, help: "Transports: inproc ipc tcp.") var transport: [Transport] = PerfPlan.transports
        @Option(name: .long, parsing: .upToNextOption, help: "Message sizes in bytes.") var size: [Int] = [64, 1024, 65536]
        @Option(name: .long, help: "Trials per figure.") var trials: Int = 3
        @Option(name: .long, help: "Report directory (default: results/perf-<time>).") var out: String?
        @Option(name: .long, help: "CURVE: off, on, or both (every figure twice, plain and encrypted).") var curve: CurveMode = .off
        enum CurveMode: String, ExpressibleByArgument { case off, on, both }
        @Option(name: .long, parsing: .upToNextOption, help: "Implementations: libzmq and agents with the perf op (their figures are plain only).")
        var impl: [String] = ["libzmq"]
        func run() throws {
            var o = try Options.parse(["--trials", String(trials)] + ["--impl"] + impl)
            o.transport = transport
            o.size = size
            o.out = out
            try o.validate()
            let (loops, agents) = try o.implementations()
            defer { for a in agents { a.shutdown() } }
            var jobs: [PerfJob] = []
            for encrypted in curve == .both ? [false, true] : [curve == .on] {
                let runner = PerfRunner(trials: trials, curve: encrypted)
                // The agents' perf op is plain: they join the unencrypted figures only.
                let plan = o.plan(loops: loops, agents: encrypted ? [] : agents)
                jobs += plan.counting(3000).latencyJobs(runner) + plan.throughputJobs(runner)
            }
            try Perf.execute(o, jobs, agents: agents)
        }
    }
}
