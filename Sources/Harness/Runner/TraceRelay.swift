import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// `--trace`: a relay between a connecting socket and the endpoint it connects to, for any
/// number of connections, that decodes what crosses it (greetings, commands, frames, who
/// closed) into the cell's wire log. It forwards octets unchanged; it never answers for a side.
final class TraceRelay: @unchecked Sendable {
    /// What the connecting socket is given instead of the target.
    let endpoint: String
    private let server: Channel
    /// Connections still open, so the log can wait for their closes after teardown.
    private let open = NIOLockedValueBox(0)
    private let changed = NSCondition()

    /// `target`: tcp://HOST:PORT or ipc:///path. `transcript` makes the log of the n-th connection.
    init(to target: String, ipcPath: String?, transcript: @escaping @Sendable (Int) -> WireTranscript) throws {
        let upstream = try WireEndpoint(target)
        let count = NIOLockedValueBox(0)
        let open = self.open
        let changed = self.changed
        let bootstrap = ServerBootstrap(group: WireConnection.group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // The connecting side is read only once the target is reached.
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 4096, high: 16384))
            .childChannelInitializer { inbound in
                let n = count.withLockedValue {
                    $0 += 1; return $0
                }
                let log = transcript(n)
                Self.adjust(open, by: 1, changed)
                inbound.closeFuture.whenComplete { _ in Self.adjust(open, by: -1, changed) }
                log.note("connection \(n) accepted: relaying to \(target) (→ from the connecting socket, ← from the bound one)")
                return Self.connect(inbound, to: upstream, log: log)
            }
        if let ipcPath {
            server = try bootstrap.bind(unixDomainSocketPath: ipcPath, cleanupExistingSocketFile: true).wait()
            endpoint = "ipc://" + ipcPath
        } else {
            server = try bootstrap.bind(host: "127.0.0.1", port: 0).wait()
            endpoint = "tcp://127.0.0.1:\(server.localAddress?.port ?? 0)"
        }
    }

    /// Opens the upstream connection and joins the two; the inbound side reads only once it is up.
    private static func connect(_ inbound: Channel, to upstream: WireEndpoint, log: WireTranscript) -> EventLoopFuture<Void> {
        let toTarget = TraceHalf(direction: .toPeer, log: log, by: "the connecting side")
        let toClient = TraceHalf(direction: .fromPeer, log: log, by: "the bound side")
        toClient.partner = inbound
        let client = ClientBootstrap(group: inbound.eventLoop)
            .connectTimeout(.seconds(2))
            .channelOption(.writeBufferWaterMark, value: .init(low: 4096, high: 16384))
            .channelInitializer { $0.pipeline.addHandler(toClient) }
        let connecting: EventLoopFuture<Channel>
        switch upstream {
        case .tcp(let host, let port): connecting = client.connect(host: host, port: port)
        case .ipc(let path): connecting = client.connect(unixDomainSocketPath: path)
        }
        return inbound.pipeline.addHandler(toTarget).flatMap {
            connecting.map { outbound in
                toTarget.partner = outbound
                inbound.setOption(.autoRead, value: true).whenComplete { _ in }
            }.recover { error in
                log.note("could not reach the target: \(error); the connecting side is closed")
                inbound.close(promise: nil)
            }
        }
    }

    private static func adjust(_ open: NIOLockedValueBox<Int>, by delta: Int, _ changed: NSCondition) {
        changed.lock()
        open.withLockedValue { $0 += delta }
        changed.broadcast()
        changed.unlock()
    }

    /// Waits until every relayed connection has closed (after teardown), up to the bound, so
    /// the log ends with who closed. Returns false when some are still open.
    @discardableResult
    func awaitClosed(timeoutMs: Int) -> Bool {
        let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
        changed.lock()
        defer { changed.unlock() }
        while open.withLockedValue({ $0 > 0 }) {
            if !changed.wait(until: deadline) { return false }
        }
        return true
    }

    func stop() { try? server.close().wait() }
}

/// One direction of a traced connection: decodes what it reads, forwards it to the partner,
/// and when its side closes, closes the partner and notes who closed first.
private final class TraceHalf: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let direction: WireTranscript.Direction
    let log: WireTranscript
    let by: String
    var partner: Channel?
    private var decoder = ZMTPStreamDecoder()

    init(direction: WireTranscript.Direction, log: WireTranscript, by: String) {
        self.direction = direction
        self.log = log
        self.by = by
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        for (label, octets) in decoder.feed(Array(buffer.readableBytesView)) { log.record(direction, label, octets) }
        partner?.write(buffer, promise: nil)
    }

    /// Back-pressure as a direct connection has it: a partner that cannot take more stops this
    /// side's reads, so high-water marks and blocking sends behave as they would untraced.
    func channelReadComplete(context: ChannelHandlerContext) {
        guard let partner else { return }
        partner.flush()
        if !partner.isWritable { context.channel.setOption(.autoRead, value: false).whenComplete { _ in } }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.setOption(.autoRead, value: true).whenComplete { _ in } }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !decoder.pending.isEmpty { log.record(direction, "part of a frame, then the close", decoder.pending) }
        if partner?.isActive ?? false { log.note("\(by) closed the connection") }
        partner?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        log.note("\(by): \(error)")
        context.close(promise: nil)
    }
}
