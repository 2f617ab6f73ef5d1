import Foundation
import Harness
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A refusal is proven by the wire: a peer that closes the connection passes with no monitor
/// event at all, and one that keeps it open fails. The "implementation" here is a raw TCP peer
/// of the test's own, which reads the greeting and then either closes or holds on.
@Suite("Refusals judged on the wire")
struct WireEvidenceTests {
    /// Listens once on loopback; after the first bytes arrive, closes or keeps the connection.
    final class RawPeer: @unchecked Sendable {
        let port: UInt16
        private let listener: Int32
        private var client: Int32 = -1

        init(closes: Bool) throws {
            let (fd, port) = try #require(loopbackTCPSocket(listening: true))
            listener = fd
            self.port = port
            Thread { [self] in
                var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 5000) > 0 else { return }
                client = accept(listener, nil, nil)
                var buffer = [UInt8](repeating: 0, count: 64)
                var c = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
                guard poll(&c, 1, 5000) > 0 else { return }
                _ = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                if closes { close(client) }
            }.start()
        }

        deinit {
            close(listener)
            if client >= 0 { close(client) }
        }
    }

    static func refusalCase(port: UInt16) -> String {
        """
        id: t.refusal
        spec: "RFC 23 (ZMTP 3.0) 3.5: a peer of an invalid type SHALL be refused"
        level: MUST
        transports: [tcp]
        steps:
          - relay: { name: wire, endpoint: "tcp://127.0.0.1:\(port)" }
          - socket: { name: d, type: DEALER }
          - connect: { socket: d, to: wire }
          - relay_expect_closed: { name: wire, within: 1s }
        """
    }

    @Test func aPeerThatClosesIsARefusal() throws {
        let peer = try RawPeer(closes: true)
        let r = try runInline(Self.refusalCase(port: peer.port))
        #expect(r.map(\.outcome) == [.PASS], "\(r.map(\.detail))")
        #expect(r.first?.observations.contains { $0.contains("closed by the bound side") } == true)
    }

    @Test func aPeerThatKeepsTheConnectionFails() throws {
        let peer = try RawPeer(closes: false)
        let r = try runInline(Self.refusalCase(port: peer.port))
        #expect(r.map(\.outcome) == [.FAIL], "\(r.map(\.detail))")
        #expect(r.first?.detail.contains("still open") == true)
        _ = peer
    }
}
