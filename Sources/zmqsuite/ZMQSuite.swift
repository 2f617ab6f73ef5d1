import ArgumentParser
import Foundation
import Harness

@main
struct ZMQSuite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zmqsuite",
        abstract: "Conformance and performance test suite for ZeroMQ implementations.",
        discussion: "Exit codes: 0 every MUST cell passed, 1 one did not, 2 the harness could not run.",
        version: RunEnvironment.suiteVersion,
        subcommands: [
            Conformance.self, Interop.self, Merge.self, AgentServe.self, WireCommand.self, FuzzCommand.self, Compare.self, Perf.self, GateCommand.self,
            BaselineCommand.self, Hosts.self,
            List.self,
            Impls.self, AgentCheckCommand.self,
            Worker.self, MulticastPeer.self, PerfPeer.self,
        ]
    )

    /// Exit code 2 for anything that stops the harness itself (bad flags, bad case files),
    /// so a pipeline can tell "could not run" from "found a regression".
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let e as CaseFileError {
            FileHandle.standardError.write(Data("zmqsuite: \(e)\n".utf8))
            Foundation.exit(2)
        } catch let e as RegistryError {
            FileHandle.standardError.write(Data("zmqsuite: \(e)\n".utf8))
            Foundation.exit(2)
        } catch let e as ExitCode {
            Foundation.exit(e.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success || code == .validationFailure && "\(error)".isEmpty { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(code == .success ? 0 : 2)
        }
    }
}

extension Transport: ExpressibleByArgument {}

/// Where implementations come from: libzmq in process, and agents/registry.yaml.
struct RegistryOptions: ParsableArguments {
    @Option(name: .long, help: "The implementations registry (agents and how to start them).")
    var registry: String = "agents/registry.yaml"

    func load() throws -> Registry {
        guard FileManager.default.fileExists(atPath: registry) else {
            throw ValidationError("--registry \(registry): no such file (expected agents/registry.yaml of the repository)")
        }
        return try Registry.load(registry)
    }

    /// The folder of this zmqsuite binary, where zmq-agent is built beside it.
    var bin: String { URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path }
}

/// Options shared by the commands that run cells.
struct RunOptions: ParsableArguments {
    @Option(name: .long, parsing: .upToNextOption, help: "Only these transports: \(Transport.allCases.map(\.rawValue).joined(separator: ", ")).")
    var transport: [Transport] = []

    @Option(name: .long, help: "Cells run in parallel (default: 4 per core; cells mostly wait).")
    var jobs: Int = 4 * ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: "Report directory (default: results/<command>-<time>, with results/latest pointing at it).")
    var out: String?

    @Option(
        name: .long,
        help: "Known outcomes (e.g. cases/expectations/libzmq.yaml): exit 0 when every cell has its expected outcome, 1 on any difference, an unexpected PASS included.")
    var expectations: String?

    @Flag(
        name: .long,
        help:
            "Pass every tcp and ipc connection a socket makes through a relay that decodes the ZMTP exchange (greetings, commands, frames, who closed) into each cell's wire log, shown in report.html's details."
    )
    var trace = false

    @Option(
        name: .long,
        help: "K/N: run only the K-th of N stable shares of the cells (a CI job matrix runs all N; 'zmqsuite merge' joins their records).")
    var shard: String?

    var transports: Set<Transport>? { transport.isEmpty ? nil : Set(transport) }

    /// The cells of this shard, marked for `--trace` when it is given.
    func traced(_ planned: [Cell]) -> [Cell] {
        var cells = planned
        if let shard, let s = Shard(shard) { cells = cells.filter(s.contains) }
        guard trace else { return cells }
        return cells.map {
            var c = $0; c.trace = true; return c
        }
    }

    func loadExpectations() throws -> Expectations? {
        guard let expectations else { return nil }
        guard FileManager.default.fileExists(atPath: expectations) else {
            throw ValidationError("--expectations \(expectations): no such file (expected a file like cases/expectations/libzmq.yaml)")
        }
        return try Expectations.load(expectations)
    }

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        if let shard, Shard(shard) == nil { throw ValidationError("--shard \(shard): expected K/N with 1 <= K <= N, e.g. 2/3") }
    }
}

/// Options shared by commands that read the catalogue.
struct CatalogueOptions: ParsableArguments {
    @Option(name: .long, help: "Directory of case files.")
    var cases: String = "cases"

    @Option(name: .long, help: "Only cases whose id matches this glob (repeatable), e.g. 'reqrep.*'.")
    var filter: [String] = []

    func load() throws -> [CaseDefinition] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: cases, isDirectory: &isDir), isDir.boolValue else {
            throw ValidationError("--cases \(cases): no such directory (expected the folder of case YAML files)")
        }
        let all = try CaseLoader.loadDirectory(cases)
        guard !filter.isEmpty else { return all }
        let chosen = all.filter { c in filter.contains { fnmatch($0, c.id, 0) == 0 } }
        if chosen.isEmpty { throw ValidationError("--filter \(filter.joined(separator: " ")) matches no case id") }
        return chosen
    }
}
