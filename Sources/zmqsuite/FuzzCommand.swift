import ArgumentParser
import Foundation
import Harness

/// The fuzzing peer: mutated ZMTP sessions against an implementation's socket (through its
/// agent, so a crash ends nothing but the agent) or a running service, seeded and replayable.
struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Send seeded, mutated ZMTP sessions to an implementation or a running service; report crashes, hangs, garbage accepted and descriptor leaks.",
        discussion: "Exit codes: 0 nothing found, 1 findings (in fuzz.json, each with its seed and bytes), 2 bad input.")

    @Option(name: .long, help: "The implementation to fuzz, through its agent (libzmq: zmq-agent).")
    var impl: String?

    @Option(name: .long, help: "A running service to fuzz instead, tcp://HOST:PORT or ipc:///PATH.")
    var target: String?

    @Option(name: .long, help: "The socket type fuzzed (the service's with --target).")
    var socketType: String = "PULL"

    @Option(name: .long, help: "The most sessions to play.")
    var count: Int = 10000

    @Option(name: .long, help: "The most seconds to play for.")
    var time: Double = 60

    @Option(name: .long, help: "The campaign's seed: the same seed plays the same sessions.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Sessions in flight at once.")
    var concurrency: Int = 64

    @Option(name: .long, help: "A session with no close and no handshake after this many ms is a hang (the socket's HANDSHAKE_IVL is set to half of it).")
    var hangMs: Int = 2000

    @Option(name: .long, help: "Replay the findings of a fuzz.json (each session by its seed and index) instead of a campaign.")
    var replay: String?

    @OptionGroup var registryOptions: RegistryOptions

    @Option(name: .long, help: "Report directory (default: results/fuzz-<time>).")
    var out: String?

    func validate() throws {
        guard (impl == nil) != (target == nil) || replay != nil else { throw ValidationError("give --impl NAME or --target ENDPOINT") }
        guard let t = SocketType(rawValue: socketType.uppercased()), ZMTPSocketTypes.validPeers[t] != nil else {
            throw ValidationError("--socket-type '\(socketType)': expected one of \(SocketType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard count > 0, time > 0, concurrency > 0, hangMs >= 200 else {
            throw ValidationError("--count, --time and --concurrency must be positive, --hang-ms at least 200")
        }
    }

    func run() throws {
        let type = SocketType(rawValue: socketType.uppercased())!
        let peerType = ZMTPSocketTypes.validPeers[type]![0].rawValue
        let subject = try Subject(impl: impl, target: target, type: type, handshakeIvl: hangMs / 2, registry: registryOptions)
        defer { subject.close() }
        let fuzzer = WireFuzzer(
            endpoint: subject.endpoint, peerType: peerType, seed: seed, count: count, seconds: time, concurrency: concurrency, hangMs: hangMs)
        if let replay {
            let old = try JSONDecoder().decode(WireFuzzer.Report.self, from: Data(contentsOf: URL(fileURLWithPath: replay)))
            for f in old.findings {
                let m = WireMutations.session(seed: f.seed, index: f.session.index, peerType: peerType)
                print("replay \(f.kind) seed \(f.seed) session \(m.index) (\(m.name)): \(fuzzer.play(m).rawValue); process alive: \(subject.alive())")
            }
            return
        }
        print("zmqsuite fuzz: up to \(count) sessions or \(Int(time)) s against a \(type.rawValue) at \(subject.endpoint), seed \(seed)")
        let report = fuzzer.run(alive: subject.alive, delivered: subject.drain, descriptors: subject.descriptors)
        let directory = out ?? "results/fuzz-" + stamp(Date())
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(report).write(to: URL(fileURLWithPath: directory + "/fuzz.json"))
        print(
            String(
                format: "%d sessions in %.1f s (%.0f/s); endings: %@", report.sessions, report.seconds, Double(report.sessions) / report.seconds,
                report.endings.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))
        if let b = report.descriptorsBefore, let a = report.descriptorsAfter { print("descriptors of the process: \(b) before, \(a) after") }
        for f in report.findings.prefix(20) {
            print("finding \(f.kind): session \(f.session.index) (\(f.session.name)): \(f.detail); replay: zmqsuite fuzz --replay \(directory)/fuzz.json")
        }
        print("\(report.findings.count) finding(s); record: \(directory)/fuzz.json")
        if !report.findings.isEmpty { throw ExitCode(1) }
    }
}

/// The socket fuzzed: one made in an implementation's agent, or a service already running.
private final class Subject {
    let endpoint: String
    private let driver: AgentDriver?
    private let session: DriverSession?
    private let socket: SocketID?

    init(impl: String?, target: String?, type: SocketType, handshakeIvl: Int, registry options: RegistryOptions) throws {
        guard let impl else {
            endpoint = target!
            driver = nil
            session = nil
            socket = nil
            return
        }
        let registry = try options.load()
        guard case .ready(let d) = registry.open([impl], bin: options.bin, isolated: true)[0].1, let agent = d as? AgentDriver else {
            throw ValidationError("--impl \(impl): not an agent this registry can start (see 'zmqsuite impls')")
        }
        driver = agent
        let s = try agent.openSession()
        session = s
        let id = try s.socket(type)
        try s.set(id, .handshake_ivl, .int(handshakeIvl))
        socket = id
        endpoint = try s.bind(id, "tcp://127.0.0.1:*")
    }

    func alive() -> Bool {
        guard let driver else { return (try? WireConnection.connect(to: endpoint, timeoutMs: 2000))?.close() != nil }
        return !driver.runningProcessIDs.isEmpty
    }

    /// Every frame the socket received during the campaign (none for a service).
    func drain() -> [[UInt8]] {
        guard let session, let socket else { return [] }
        var frames: [[UInt8]] = []
        while let m = try? session.receive(socket, timeoutMs: 0, properties: []) { frames += m.frames }
        return frames
    }

    /// Open descriptors of the agent processes (nil for a service).
    func descriptors() -> Int? {
        guard let driver else { return nil }
        return driver.runningProcessIDs.reduce(0) { $0 + ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\($1)/fd").count) ?? 0) }
    }

    func close() { driver?.shutdown() }
}
