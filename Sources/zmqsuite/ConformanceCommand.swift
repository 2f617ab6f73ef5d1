import ArgumentParser
import Foundation
import Harness

struct Conformance: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the case catalogue against libzmq and write the reports.",
        discussion: "Exit codes: 0 every MUST cell passed, 1 one did not (FAIL or ERROR), 2 the harness could not run.")

    @OptionGroup var catalogue: CatalogueOptions

    @OptionGroup var registryOptions: RegistryOptions

    @Option(name: .long, help: "The implementation to test: libzmq (in process) or an agent of the registry (see 'zmqsuite impls').")
    var impl: String = "libzmq"

    @OptionGroup var running: RunOptions

    @Option(
        name: .long,
        help:
            "Where cells run: 'process' (worker processes; an implementation crash is one ERROR cell) or 'thread' (in this process; faster to start, a crash ends the run)."
    )
    var isolation: Isolation = .process

    enum Isolation: String, ExpressibleByArgument, CaseIterable { case process, thread }

    @Flag(name: .long, help: "Run tcp and ws cells with their peers on two hosts (network namespaces; needs root) instead of over loopback.")
    var acrossHosts = false

    func run() throws {
        let expectations = try running.loadExpectations()
        let cases = try catalogue.load()
        let registry = try registryOptions.load()
        let driver: Driver
        switch registry.open([impl], bin: registryOptions.bin)[0].1 {
        case .ready(let d): driver = d
        case .unavailable(let why): throw ValidationError("--impl \(impl): \(why)")
        }
        defer { (driver as? AgentDriver)?.shutdown() }
        var pool: WorkerPool?
        // An agent is a process of its own already: its crash is one ERROR cell without workers.
        if isolation == .process && driver is LibzmqDriver {
            guard let exe = WorkerPool.defaultExecutable() else { throw ValidationError("cannot find the zmqsuite binary to start workers; use --isolation thread") }
            pool = WorkerPool(executable: exe)
        }
        defer { pool?.shutdown() }
        let runner = ConformanceRunner(driver: driver, jobs: running.jobs, pool: pool)
        // Multicast cells (and --across-hosts) run in network namespaces, with the
        // implementation's agent started inside each: zmq-agent for the in-process libzmq.
        let (cells, rig) = ConformanceRunner.placeOnHosts(
            running.traced(runner.plan(cases, transports: running.transports)), acrossHosts: acrossHosts,
            implementation: impl, agent: registry.agentCommand(for: impl, bin: registryOptions.bin), log: printError)
        defer { rig?.shutdown() }
        if cells.isEmpty {
            throw ValidationError("no cell to run: the chosen cases do not apply to --transport \(running.transport.map(\.rawValue).joined(separator: " "))")
        }

        print("zmqsuite conformance: \(cases.count) cases, \(cells.count) cells on \(driver.info.name) \(driver.info.version), \(running.jobs) jobs")
        try runAndReport(
            kind: "conformance", runner: runner, cells: cells, implementations: [driver.info], out: running.out,
            expectations: expectations)
    }

}
