import ArgumentParser
import Foundation
import Harness

/// h2spec's mode: the suite is the peer on the wire of a service that is already running, with
/// no agent: a NetMQ, Go or Erlang service is judged by its bytes and closes alone.
struct WireCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wire",
        abstract: "Run the wire cases against a running service (no agent): --target for one that binds, --listen for one that connects out.",
        discussion: """
            Only cases whose one socket is of --socket-type and whose other steps are wire steps apply; \
            the others are listed with the reason. Exit codes as conformance: 0 every MUST cell passed, 1 one did not, 2 bad input.
            """)

    @Option(name: .long, help: "The service's endpoint, tcp://HOST:PORT or ipc:///PATH (a service that binds).")
    var target: String?

    @Option(name: .long, help: "Where the suite's peer listens for a service that connects out, tcp://HOST:PORT or ipc:///PATH.")
    var listen: String?

    @Option(name: .long, help: "The service's socket type, e.g. ROUTER.")
    var socketType: String

    @Option(name: .long, help: "The service's security mechanism: NULL (PLAIN and CURVE targets are not supported yet).")
    var mechanism: String = "NULL"

    @OptionGroup var catalogue: CatalogueOptions

    @Option(name: .long, help: "Cells run in parallel against the service.")
    var jobs: Int = 4

    @Option(name: .long, help: "Report directory (default: results/wire-<time>, with results/latest pointing at it).")
    var out: String?

    @Flag(name: .long, help: "List the cases that do not apply to this target, with the reason.")
    var showSkipped = false

    func validate() throws {
        guard SocketType(rawValue: socketType.uppercased()) != nil else {
            throw ValidationError("--socket-type '\(socketType)': expected one of \(SocketType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard mechanism.uppercased() == "NULL" else {
            throw ValidationError("--mechanism \(mechanism): only NULL targets are supported; PLAIN and CURVE services need the agent-driven run for now")
        }
        guard jobs > 0 else { throw ValidationError("--jobs must be positive") }
    }

    func run() throws {
        let driver: WireTargetDriver
        do {
            driver = try WireTargetDriver(target: target, listen: listen, socketType: SocketType(rawValue: socketType.uppercased())!)
        } catch let e as WireError {
            throw ValidationError(e.description)
        }
        let all = try catalogue.load()
        var applicable: [CaseDefinition] = []
        var skipped: [(String, String)] = []
        for c in all {
            if let why = driver.reason(notApplying: c) { skipped.append((c.id, why)) } else { applicable.append(c) }
        }
        if showSkipped { for (id, why) in skipped { printError("skipped \(id): \(why)") } }
        guard !applicable.isEmpty else {
            throw ValidationError("no case applies to a \(driver.socketType.rawValue) \(target != nil ? "that binds" : "that connects out")")
        }
        // One listening endpoint can carry one cell at a time.
        let runner = ConformanceRunner(driver: driver, jobs: listen == nil ? jobs : 1)
        let cells = runner.plan(applicable, transports: [driver.transport])
        print("zmqsuite wire: \(applicable.count) cases apply to \(driver.socketType.rawValue) at \(target ?? listen!) (\(skipped.count) do not)")
        try runAndReport(kind: "wire", runner: runner, cells: cells, implementations: [driver.info], out: out)
    }
}
