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

    @Option(name: .long, help: "The service's security mechanism: NULL, PLAIN or CURVE. Cases that name no mechanism handshake with it.")
    var mechanism: String = "NULL"

    @Option(name: .long, help: "PLAIN: the username the service accepts (or, with --listen, sends).")
    var username: String = ""

    @Option(name: .long, help: "PLAIN: the password that goes with --username.")
    var password: String = ""

    @Option(name: .long, help: "CURVE, a service that binds: its long-term public key (Z85, 40 characters, or hex). It must accept any client key.")
    var serverKey: String?

    @Option(name: .long, help: "CURVE, a service that connects out (--listen): the secret key of the server key pair it trusts (Z85 or hex).")
    var serverSecret: String?

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
        _ = try security()
        guard jobs > 0 else { throw ValidationError("--jobs must be positive") }
    }

    /// The target's security as the options give it, checked.
    func security() throws -> WireSecurity {
        var s = WireSecurity()
        guard let m = WireHandshake.Mechanism(rawValue: mechanism.uppercased()) else {
            throw ValidationError("--mechanism '\(mechanism)': expected NULL, PLAIN or CURVE")
        }
        s.mechanism = m
        if m != .PLAIN, !(username.isEmpty && password.isEmpty) { throw ValidationError("--username and --password are for --mechanism PLAIN") }
        if m != .CURVE, serverKey != nil || serverSecret != nil { throw ValidationError("--server-key and --server-secret are for --mechanism CURVE") }
        s.username = Array(username.utf8)
        s.password = Array(password.utf8)
        if m == .CURVE {
            if let serverKey {
                guard let k = WireSecurity.curveKey(serverKey) else {
                    throw ValidationError("--server-key '\(serverKey)': expected a CURVE public key, 40 characters of Z85 or 64 of hex")
                }
                s.serverPublicKey = k
            }
            if let serverSecret {
                guard let k = WireSecurity.curveKey(serverSecret) else {
                    throw ValidationError("--server-secret: expected a CURVE secret key, 40 characters of Z85 or 64 of hex")
                }
                s.serverSecretKey = k
                s.serverPublicKey = CurveCrypto.publicKey(of: k)
            }
            if target != nil, s.serverPublicKey == nil { throw ValidationError("--mechanism CURVE with --target needs --server-key, the service's public key") }
            if listen != nil, s.serverSecretKey == nil {
                throw ValidationError("--mechanism CURVE with --listen needs --server-secret: the suite's peer plays the server the service trusts")
            }
        }
        return s
    }

    func run() throws {
        let driver: WireTargetDriver
        do {
            driver = try WireTargetDriver(
                target: target, listen: listen, socketType: SocketType(rawValue: socketType.uppercased())!, security: try security())
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
