import ArgumentParser
import Foundation
import Gate
import Harness
import PerfTools

extension GateCommand {
    /// A/B: both implementations' agents measure the perf set in ABBA pairs, then (with
    /// --instructions) their instructions per message under callgrind; the paired ratios decide.
    /// The pairs come in blocks, each in a fresh pair of agent processes: a process's own
    /// memory layout moves its speed by a few percent for its whole life, which pairing
    /// within one process cannot cancel (measured here: an A/A run with one process a side
    /// called a 4% "regression" at p = 0.0008).
    func runAB(a nameA: String, b nameB: String) throws {
        let registry = try self.registry.load()
        let directory = out ?? "results/gate-ab-" + stamp(Date())
        func command(_ name: String, _ flag: String) throws -> [String] {
            guard let registered = registry.agentCommand(for: name, bin: self.registry.bin) else {
                throw ValidationError("\(flag) \(name): not in the registry (known: \(registry.allNames.joined(separator: ", ")))")
            }
            return registered
        }
        func open(_ name: String, _ flag: String, _ command: [String]) throws -> AgentDriver {
            let agent: AgentDriver
            do { agent = try AgentDriver(name: name, command: command) } catch { throw ValidationError("\(flag) \(name): \(error)") }
            guard agent.info.capabilities.features.contains("perf") else {
                agent.shutdown()
                throw ValidationError("\(flag) \(name): its agent has no perf op (hello lists: \(agent.info.capabilities.features.joined(separator: ", ")))")
            }
            return agent
        }
        // Instruction counts run unpinned (callgrind runs one thread at a time anyway).
        let (countedA, countedB) = (try command(nameA, "--a"), try command(nameB, "--b"))
        // Duet: A and B at the same time, each on a CPU of its own (the first two); else both
        // on one CPU, one after the other.
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let (commandA, commandB) =
            duet
            ? (try pinned(countedA, to: cpu == "none" ? "none" : "0"), try pinned(countedB, to: cpu == "none" ? "none" : "\(min(1, cores - 1))"))
            : (try pinned(countedA, to: cpu), try pinned(countedB, to: cpu))
        let (infoA, infoB): (ImplementationInfo, ImplementationInfo)
        do {
            let a = try open(nameA, "--a", commandA), b = try open(nameB, "--b", commandB)
            (infoA, infoB) = (a.info, b.info)
            a.shutdown()
            b.shutdown()
        }
        let start = Date()
        var runner = PerfRunner(trials: 1)
        runner.trialSeconds = trialSeconds
        let jobs = suite.pairedJobs
        let blocks = max(1, min(blocks, pairs))
        printError(
            "zmqsuite gate A/B (\(suite.rawValue)): A = \(nameA) \(infoA.version), B = \(nameB) \(infoB.version); \(jobs.count) figures, \(pairs) pairs each in \(blocks) block(s) of fresh processes"
        )
        var figures: [PairedFigure?] = Array(repeating: nil, count: jobs.count * 2)
        var counts: [Int?] = Array(repeating: nil, count: jobs.count)
        var instructionFigures: [PairedFigure] = []
        // Written after every block: an interrupted gate keeps what it measured.
        func record() -> ABRecord {
            ABRecord(
                suite: suite.rawValue, a: infoA, b: infoB, environment: RunEnvironment.capture(implementations: [infoA, infoB], start: start),
                figures: figures.compactMap { $0 }, instructions: instructionFigures)
        }
        var done = 0  // pairs of the blocks before this one: where the ABBA order goes on
        // --suite instructions: only the counts below.
        for block in 0..<(jobs.isEmpty ? 0 : blocks) {
            let a = try open(nameA, "--a", commandA)
            defer { a.shutdown() }
            let b = try open(nameB, "--b", commandB)
            defer { b.shutdown() }
            let share = pairs / blocks + (block < pairs % blocks ? 1 : 0)
            for (i, job) in jobs.enumerated() {
                printError("block \(block + 1)/\(blocks) [\(i + 1)/\(jobs.count)] \(job.label)")
                do {
                    let count = try counts[i] ?? runner.pairedCount(job, on: a)
                    counts[i] = count
                    for (k, figure) in try runner.paired(job, a: a, b: b, pairs: share, count: count, firstPair: done, together: duet).enumerated() {
                        if figures[2 * i + k] == nil { figures[2 * i + k] = figure } else { figures[2 * i + k]!.append(figure) }
                    }
                } catch {
                    printError("  failed: \(error)")
                    let failed = PairedFigure(name: job.label, kind: job.kind.rawValue, unit: "", biggerIsBetter: true, count: 0, a: [], b: [], error: "\(error)")
                    if figures[2 * i] == nil { figures[2 * i] = failed } else { figures[2 * i]!.error = figures[2 * i]!.error ?? "\(error)" }
                }
            }
            try record().write(to: directory + "/ab.json")
            done += share
        }
        if instructions || suite == .instructions {
            for job in GateSuite.countedJobs {
                printError("instructions: \(job.label) (A and B under callgrind)")
                let unit = job.kind == .throughput ? "instr/msg" : "instr/round trip"
                var figure = PairedFigure(name: "instructions \(job.label)", kind: "instructions", unit: unit, biggerIsBetter: false, count: 0, a: [], b: [])
                do {
                    figure.a = try InstructionCounter().perItem(command: countedA, name: nameA, job: job)
                    figure.b = try InstructionCounter().perItem(command: countedB, name: nameB, job: job)
                } catch {
                    printError("  failed: \(error)")
                    figure.error = "\(error)"
                }
                instructionFigures.append(figure)
            }
        }
        let measured = record()
        try measured.write(to: directory + "/ab.json")
        let report = ABGatekeeper.decide(measured, policy: try policy())
        try GateOutput.write(report, to: directory)
        print(GateOutput.markdown(report))
        print("reports: \(directory)/gate.md (also gate.json, gate-junit.xml, ab.json); \(String(format: "%.0f", Date().timeIntervalSince(start))) s")
        if !report.passed { throw ExitCode(1) }
    }

    /// Both sides on one CPU of their own (the last, unless --cpu says otherwise): measured
    /// here, that takes a tcp round trip's trial-to-trial spread from about 10% to under 1%,
    /// since no thread of a side migrates or waits for the harness's core.
    func pinned(_ command: [String], to cpu: String?) throws -> [String] {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        // A remote agent (tcp://HOST:PORT) runs where its agent-serve put it.
        if command.count == 1 && LineProcess.remoteAddress(command[0]) != nil { return command }
        guard cpu != "none", cores > 1 || cpu != nil else { return command }
        let which = cpu ?? "\(cores - 1)"
        guard let n = Int(which), n >= 0, n < cores else { throw ValidationError("--cpu \(which): expected a CPU number from 0 to \(cores - 1), or none") }
        let taskset = "/usr/bin/taskset"
        guard FileManager.default.isExecutableFile(atPath: taskset) else { throw ValidationError("--cpu: \(taskset) (util-linux) is missing; use --cpu none") }
        return [taskset, "-c", "\(n)"] + command
    }
}
