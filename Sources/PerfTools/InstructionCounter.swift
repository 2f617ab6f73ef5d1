import Foundation
import Harness

/// Instructions per message (throughput) or per round trip (latency) of an agent's perf op,
/// counted by valgrind's callgrind: the same binary and inputs give nearly the same count
/// whatever the machine is doing, so it catches per-message cost changes that wall-clock noise
/// hides. Two runs of the op with different counts, each in a fresh agent process; their
/// difference over the difference of counts cancels start-up and set-up.
public struct InstructionCounter: Sendable {
    public var small = 2000
    /// Items of the larger run, per kind. Where a count varies, it varies per run more than
    /// per item, so a larger difference narrows the figure: throughput's 40000 messages
    /// between the runs repeat within about 0.1% (10000 did within 0.4-0.6%). A round trip
    /// costs eight times a message under callgrind, and repeats closely at 10000.
    public var large: [PairedJob.Kind: Int] = [.throughput: 42000, .latency: 12000]
    /// Counts of each figure; their spread is the figure's own variation. A round trip's count
    /// repeats within about 0.02-0.3%. A throughput count depends on how many messages each
    /// wake-up carries, which depends on when valgrind switches threads: with its default
    /// scheduler the counts spread about 1%, with --fair-sched=yes (threads take turns in
    /// order) and 40000 messages about 0.1%.
    public var repeats = 3

    public init() {}

    /// valgrind on the PATH, or why not.
    public static func valgrind() throws -> String {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(dir)/valgrind"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw PerfError.zmq("instruction counts need valgrind (Debian package valgrind; scripts/setup installs it)")
    }

    /// `repeats` counts of instructions per item of `job` in the agent `command`.
    public func perItem(command: [String], name: String, job: PairedJob) throws -> [Double] {
        // The programs valgrind can read, prepared once for every run below.
        let programs = FileManager.default.temporaryDirectory.appendingPathComponent("zmqsuite-callgrind-bin-\(getpid())-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: programs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: programs) }
        let readable = try command.map { try Self.withoutDebugInfo($0, in: programs) }
        let large = self.large[job.kind] ?? 12000
        return try (0..<repeats).map { _ in
            let few = try total(command: readable, name: name, job: job, count: small)
            let many = try total(command: readable, name: name, job: job, count: large)
            return (many - few) / Double(large - small)
        }
    }

    /// `argument`, or when it is a program SwiftPM built (under a .build folder), a copy of it
    /// without debug information: valgrind 3.19 cannot read the DWARF 5 that Swift writes
    /// ("Possibly corrupted debuginfo file ... Giving up"). The counts do not depend on it.
    /// Other programs stay where they are (a venv's python finds its venv from its own path).
    static func withoutDebugInfo(_ argument: String, in folder: String) throws -> String {
        let real = URL(fileURLWithPath: argument).resolvingSymlinksInPath().path
        guard argument.hasPrefix("/"), real.contains("/.build/"), FileManager.default.isExecutableFile(atPath: argument),
            let file = FileHandle(forReadingAtPath: argument), let head = try? file.read(upToCount: 4), head.elementsEqual([0x7f, 0x45, 0x4c, 0x46])
        else { return argument }
        let copy = "\(folder)/\(URL(fileURLWithPath: argument).lastPathComponent)"
        let strip = ChildProcess.run("/usr/bin/strip", ["--strip-debug", "-o", copy, argument], boundMs: 60000)
        guard strip.status == 0 else { throw PerfError.zmq("strip --strip-debug \(argument) failed: \(strip.output)") }
        return copy
    }

    /// Instructions of one agent process (its children included) that runs one perf op of
    /// `count`; `command` is one valgrind can read (see withoutDebugInfo).
    func total(command: [String], name: String, job: PairedJob, count: Int) throws -> Double {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zmqsuite-callgrind-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let valgrind = try Self.valgrind()
        let agent = try AgentDriver(
            name: name,
            command: [
                valgrind, "--tool=callgrind", "--fair-sched=yes", "--trace-children=yes", "--callgrind-out-file=\(folder.path)/out.%p",
                "--log-file=\(folder.path)/log.%p",
            ]
                + command)
        var runner = PerfRunner(trials: 1, warmup: 0)
        runner.trialSeconds = nil
        do {
            switch job.kind {
            case .throughput: _ = try runner.throughputTrial(.agent(agent), transport: job.transport, pattern: ThroughputPattern.all[0], size: job.size, count: count)
            case .latency: _ = try runner.latencyTrial(.agent(agent), transport: job.transport, pattern: LatencyPattern.all[0], size: job.size, count: count)
            }
        } catch {
            agent.shutdown()
            throw error
        }
        // callgrind writes its counts when the process exits: give it time to.
        agent.shutdown(waitingMs: 30000)
        var sum = 0.0
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasPrefix("out.") {
            let text = try String(contentsOfFile: "\(folder.path)/\(file)", encoding: .utf8)
            // "summary: N" (or "totals: N") is the process's Ir total.
            guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("summary:") || $0.hasPrefix("totals:") }),
                let n = Double(line.split(separator: " ").dropFirst().first ?? "")
            else { continue }
            sum += n
        }
        guard sum > 0 else { throw PerfError.zmq("callgrind wrote no instruction total for \(name) (see valgrind's log; a JVM does not run under it)") }
        return sum
    }
}
