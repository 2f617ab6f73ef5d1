import Foundation
import Harness
import Testing

/// `zmqsuite wire --target`: the suite judges a running service on the wire alone. A pyzmq
/// ROUTER gets the verdicts its agent-driven run gets, and a ZMTP service of our own
/// (Tests/Interop/WirePeers/zmtp_peer.py) with one seeded defect is caught by the case about it.
@Suite("the wire peer judges services with no agent")
struct WireTargetTests {
    /// A Python service (the pyzmq venv's interpreter); its port arrives in a file, and closing
    /// its input ends it.
    static func service(_ script: String, _ args: [String]) throws -> (endpoint: String, process: LineProcess) {
        let python = root.appendingPathComponent(".venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "scripts/setup makes .venv")
        let portFile = FileManager.default.temporaryDirectory.appendingPathComponent("zs-port-\(UUID().uuidString)").path
        let p = try LineProcess(executable: python, arguments: [root.appendingPathComponent("Tests/Interop/WirePeers/\(script)").path, portFile] + args)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text) { return ("tcp://127.0.0.1:\(port)", p) }
            Thread.sleep(forTimeInterval: 0.05)
        }
        p.kill()
        throw WireError.endpoint("\(script) did not start within 10 s")
    }

    static func runTarget(_ endpoint: String, _ type: SocketType, only ids: [String]? = nil, security: WireSecurity = WireSecurity()) throws -> [String: Outcome] {
        let driver = try WireTargetDriver(target: endpoint, listen: nil, socketType: type, security: security)
        let chosen = try CaseLoader.loadDirectory(root.appendingPathComponent("cases").path).filter {
            driver.reason(notApplying: $0) == nil && (ids?.contains($0.id) ?? true)
        }
        let runner = ConformanceRunner(driver: driver, jobs: 4)
        return Dictionary(uniqueKeysWithValues: runner.run(runner.plan(chosen, transports: [.tcp])).map { ($0.caseId, $0.outcome) })
    }

    @Test("a pyzmq ROUTER on the wire gets the verdicts of its agent-driven run")
    func pyzmqRouterLikeItsAgent() throws {
        let (endpoint, process) = try Self.service("pyzmq_router.py", [])
        defer { _ = process.closeInputAndWait(ms: 3000) }
        let onWire = try Self.runTarget(endpoint, .ROUTER)
        #expect(onWire.count >= 5, "cases that apply to a ROUTER target: \(onWire.keys.sorted())")
        let driver = try agent("pyzmq")
        defer { driver.shutdown() }
        let runner = ConformanceRunner(driver: driver, jobs: 4)
        let viaAgent = runner.run(runner.plan(try cases(Array(onWire.keys)), transports: [.tcp]))
        for r in viaAgent {
            #expect(onWire[r.caseId] == r.outcome, "\(r.caseId): \(onWire[r.caseId]?.rawValue ?? "-") on the wire, \(r.outcome.rawValue) via the agent: \(r.detail)")
        }
    }

    /// Each seeded defect of our own ZMTP service, and the case that must catch it.
    static let defects: [(defect: String, type: SocketType, caughtBy: String)] = [
        ("no-close-on-invalid-type", .ROUTER, "wire.socket-type.router.refuses-invalid"),
        ("pong-without-context", .DEALER, "wire.command.ping-answered-with-context"),
        ("wrong-socket-type", .ROUTER, "wire.socket-type.router.accepts-valid"),
        ("accepts-bad-signature", .ROUTER, "wire.greeting.bad-signature-closed"),
    ]

    @Test("a seeded protocol defect is caught by its case, which passes without it", arguments: defects.map(\.defect))
    func defectCaught(_ defect: String) throws {
        let d = try #require(Self.defects.first { $0.defect == defect })
        let (healthy, p1) = try Self.service("zmtp_peer.py", [d.type.rawValue])
        defer { _ = p1.closeInputAndWait(ms: 3000) }
        #expect(try Self.runTarget(healthy, d.type, only: [d.caughtBy])[d.caughtBy] == .PASS, "\(d.caughtBy) passes on the healthy service")
        let (broken, p2) = try Self.service("zmtp_peer.py", [d.type.rawValue, defect])
        defer { _ = p2.closeInputAndWait(ms: 3000) }
        let seen = try Self.runTarget(broken, d.type, only: [d.caughtBy])[d.caughtBy]
        #expect(seen != nil && seen != .PASS, "\(defect): \(d.caughtBy) was \(seen?.rawValue ?? "not run")")
    }

    @Test("a PLAIN service: cases that name no mechanism handshake with its credentials, which matter")
    func plainTarget() throws {
        let (endpoint, process) = try Self.service("pyzmq_router.py", ["plain", "admin", "secret"])
        defer { _ = process.closeInputAndWait(ms: 3000) }
        var security = WireSecurity()
        security.mechanism = .PLAIN
        security.username = Array("admin".utf8)
        security.password = Array("secret".utf8)
        let right = try Self.runTarget(endpoint, .ROUTER, security: security)
        #expect(right["wire.socket-type.router.accepts-valid"] == .PASS, "\(right)")
        #expect(right["wire.plain.hello-malformed-closed"] == .PASS, "a case about a PLAIN server applies")
        #expect(right["wire.greeting.null-mechanism"] == nil, "a case about NULL does not")
        #expect(right.values.allSatisfy { $0 == .PASS }, "\(right)")
        security.password = Array("wrong".utf8)
        let wrong = try Self.runTarget(endpoint, .ROUTER, only: ["wire.socket-type.router.accepts-valid"], security: security)
        #expect(wrong["wire.socket-type.router.accepts-valid"] == .FAIL, "refused credentials fail the handshake")
    }

    @Test("a CURVE service: the suite's client uses its public key; the cases about a CURVE server apply")
    func curveTarget() throws {
        let server = CurveCrypto.keyPair()
        let hex = { (key: [UInt8]) in key.map { String(format: "%02x", $0) }.joined() }
        let (endpoint, process) = try Self.service("pyzmq_router.py", ["curve", hex(server.secretKey)])
        defer { _ = process.closeInputAndWait(ms: 3000) }
        var security = WireSecurity()
        security.mechanism = .CURVE
        // As --server-key takes it (hex here; Z85 goes through zmq_z85_decode).
        security.serverPublicKey = WireSecurity.curveKey(hex(server.publicKey))
        let outcomes = try Self.runTarget(endpoint, .ROUTER, security: security)
        for id in ["wire.socket-type.router.accepts-valid", "wire.curve.wrong-server-key-refused", "wire.curve.tampered-cookie-refused"] {
            #expect(outcomes[id] == .PASS, "\(id): \(outcomes)")
        }
        security.serverPublicKey = CurveCrypto.keyPair().publicKey
        let wrongKey = try Self.runTarget(endpoint, .ROUTER, only: ["wire.socket-type.router.accepts-valid"], security: security)
        #expect(wrongKey["wire.socket-type.router.accepts-valid"] == .FAIL, "another server key fails the handshake")
    }
}
