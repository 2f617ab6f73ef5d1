import ArgumentParser
import Foundation
import Harness

struct Interop: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the catalogue on each implementation alone and across every ordered pair (A binds, B connects).",
        discussion: "Implementations are agents of the registry, so a crash of one is one ERROR cell. Exit codes as for conformance.")

    @OptionGroup var catalogue: CatalogueOptions
    @OptionGroup var registryOptions: RegistryOptions

    @Option(name: .long, help: "An implementation to include (repeatable; default: every agent of the registry that answers).")
    var impl: [String] = []

    @OptionGroup var running: RunOptions

    func run() throws {
        let expectations = try running.loadExpectations()
        let cases = try catalogue.load()
        let registry = try registryOptions.load()
        let names = impl.isEmpty ? registry.entries.map(\.name) : impl
        var drivers: [Driver] = []
        for (name, availability) in registry.open(names, bin: registryOptions.bin, isolated: true) {
            switch availability {
            case .ready(let d): drivers.append(d)
            case .unavailable(let why):
                if !impl.isEmpty { throw ValidationError("--impl \(name): \(why)") }
                print("zmqsuite interop: leaving out \(name): \(why)")
            }
        }
        defer { for case let d as AgentDriver in drivers { d.shutdown() } }
        guard drivers.count >= 2 else { throw ValidationError("interop needs two implementations; \(drivers.count) available") }
        let cells = running.traced(ConformanceRunner.planInterop(cases, drivers: drivers, transports: running.transports))
        let runner = ConformanceRunner(driver: drivers[0], jobs: running.jobs)
        print("zmqsuite interop: \(drivers.map { "\($0.info.name) \($0.info.version)" }.joined(separator: ", ")); \(cells.count) cells, \(running.jobs) jobs")
        try runAndReport(
            kind: "interop", runner: runner, cells: cells, implementations: drivers.map(\.info), out: running.out,
            expectations: expectations)
    }
}
