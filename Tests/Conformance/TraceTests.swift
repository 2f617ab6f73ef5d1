import Foundation
import Harness
import Testing

/// `--trace`: connections pass through a relay that decodes the exchange into the wire log,
/// without changing what the sockets see.
@Suite("Traced cells")
struct TraceTests {
    static let subscribeCase = """
        id: t.trace
        spec: "RFC 29 (PUBSUB) 2.3: the empty subscription matches all messages"
        level: MUST
        transports: [tcp, ipc, inproc]
        steps:
          - socket: { name: pub, type: PUB }
          - bind: { socket: pub }
          - socket: { name: sub, type: SUB, options: { subscribe: "" } }
          - connect: { socket: sub, to: pub }
          - await_subscription: { pub: pub, subs: [sub] }
          - send: { socket: pub, frames: ["one"] }
          - recv: { socket: sub, expect: ["one"] }
          - disconnect: { socket: sub, to: pub }
        """

    func run(_ yaml: String, traced: Bool) throws -> [String: CellResult] {
        let cases = try CaseLoader.load(yaml: yaml, file: "inline.yaml")
        let runner = ConformanceRunner(driver: sharedDriver, jobs: 3)
        let cells = runner.plan(cases).map { cell -> Cell in
            var c = cell
            c.trace = traced
            return c
        }
        return Dictionary(uniqueKeysWithValues: runner.run(cells).map { ($0.transport, $0) })
    }

    @Test func theWireLogShowsTheExchangeAndTheVerdictStays() throws {
        let traced = try run(Self.subscribeCase, traced: true)
        let plain = try run(Self.subscribeCase, traced: false)
        for transport in ["tcp", "ipc", "inproc"] {
            #expect(traced[transport]?.outcome == .PASS, "\(transport): \(traced[transport]?.detail ?? "")")
            #expect(plain[transport]?.outcome == .PASS)
            #expect(plain[transport]?.wire == nil)
        }
        for transport in ["tcp", "ipc"] {
            let log = traced[transport]?.wire ?? []
            // The connecting SUB's greeting and READY go out (→); the PUB's come back (←).
            #expect(log.contains { $0.contains("→ greeting ZMTP 3.") }, "\(log)")
            #expect(log.contains { $0.contains("← greeting ZMTP 3.") })
            #expect(log.contains { $0.contains("→ READY Socket-Type=\"SUB\"") })
            #expect(log.contains { $0.contains("← READY Socket-Type=\"PUB\"") })
            #expect(log.contains { $0.contains("→ SUBSCRIBE") })
            #expect(log.contains { $0.contains("← frame \"one\"") })
            // The connection's end is in the log (the disconnect's, or teardown's under load).
            #expect(log.contains { $0.contains("closed the connection") }, "\(log)")
        }
        // inproc has no octets to relay: the log says so rather than staying silent.
        #expect(traced["inproc"]?.wire?.contains { $0.contains("not traced") } == true)
    }
}
