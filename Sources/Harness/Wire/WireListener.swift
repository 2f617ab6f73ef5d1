import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The wire peer listening, for a socket under test that connects out: it accepts connections
/// and hands them to steps in order of arrival.
public final class WireListener: @unchecked Sendable {
    private let channel: Channel
    private let accepted = NIOLockedValueBox<[WireConnection]>([])
    private let arrived = NSCondition()
    /// The endpoint to give the socket under test (the real port after a tcp wildcard).
    public let endpoint: String

    /// Listens on `tcp://HOST:PORT` (port 0 or `*` for any) or `ipc:///path`.
    public init(endpoint requested: String, transcript: @escaping @Sendable () -> WireTranscript) throws {
        let wildcard = requested.replacingOccurrences(of: ":*", with: ":0")
        let accepted = self.accepted
        let arrived = self.arrived
        let bootstrap = ServerBootstrap(group: WireConnection.group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let c = WireConnection(channel: channel, transcript: transcript())
                let handler = WireInbound(connection: c) { c in
                    arrived.lock()
                    accepted.withLockedValue { $0.append(c) }
                    arrived.broadcast()
                    arrived.unlock()
                }
                return channel.pipeline.addHandler(handler)
            }
        do {
            if wildcard.hasPrefix("ipc://") {
                let path = String(wildcard.dropFirst(6))
                channel = try bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).wait()
                endpoint = requested
            } else {
                guard case .tcp(let host, _) = try WireEndpoint(wildcard.replacingOccurrences(of: ":0", with: ":1")) else {
                    throw WireError.endpoint("\(requested): expected tcp or ipc")
                }
                let port = Int(wildcard[wildcard.index(after: wildcard.lastIndex(of: ":")!)...]) ?? 0
                channel = try bootstrap.bind(host: host, port: port).wait()
                let real = channel.localAddress?.port ?? port
                endpoint = host.contains(":") ? "tcp://[\(host)]:\(real)" : "tcp://\(host):\(real)"
            }
        } catch let e as WireError {
            throw e
        } catch {
            throw WireError.endpoint("the wire peer cannot listen on \(requested): \(error)")
        }
    }

    /// The next connection that arrived, waiting up to the bound.
    public func accept(timeoutMs: Int) -> WireConnection? {
        let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
        arrived.lock()
        defer { arrived.unlock() }
        while accepted.withLockedValue({ $0.isEmpty }) {
            if !arrived.wait(until: deadline) { break }
        }
        return accepted.withLockedValue { $0.isEmpty ? nil : $0.removeFirst() }
    }

    public func close() {
        channel.close(promise: nil)
        for c in accepted.withLockedValue({ $0 }) { c.close() }
    }
}
