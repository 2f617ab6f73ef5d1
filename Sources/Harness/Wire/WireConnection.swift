import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One connection of the wire peer, on swift-nio: bytes in are buffered until a step reads
/// them, every read and write has a bound, and the peer's close (FIN or RST) is seen. Every
/// octet both ways goes to the transcript.
public final class WireConnection: @unchecked Sendable {
    let channel: Channel
    private let state = NIOLockedValueBox(Inbound())
    private let arrived = NSCondition()
    public let transcript: WireTranscript

    struct Inbound {
        var bytes: [UInt8] = []
        var closed = false
        var reset = false
    }

    init(channel: Channel, transcript: WireTranscript) {
        self.channel = channel
        self.transcript = transcript
    }

    /// The event loop every wire connection runs on: one thread is plenty for a test peer.
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// Connects to `tcp://host:port` or `ipc:///path` within the bound.
    public static func connect(to endpoint: String, timeoutMs: Int, transcript: WireTranscript = WireTranscript()) throws -> WireConnection {
        let target = try WireEndpoint(endpoint)
        let box = NIOLockedValueBox<WireConnection?>(nil)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.milliseconds(Int64(timeoutMs)))
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                let c = WireConnection(channel: channel, transcript: transcript)
                box.withLockedValue { $0 = c }
                return channel.pipeline.addHandler(WireInbound(connection: c))
            }
        let future: EventLoopFuture<Channel>
        switch target {
        case .tcp(let host, let port): future = bootstrap.connect(host: host, port: port)
        case .ipc(let path): future = bootstrap.connect(unixDomainSocketPath: path)
        }
        do {
            let channel = try future.wait()
            if case .tcp = target { _ = try? channel.setOption(.socketOption(.tcp_nodelay), value: 1).wait() }
        } catch {
            throw WireError.connect("\(endpoint): \(error)")
        }
        guard let c = box.withLockedValue({ $0 }) else { throw WireError.connect("\(endpoint): no channel") }
        transcript.note("connected to \(endpoint)")
        return c
    }

    func received(_ bytes: [UInt8]) {
        arrived.lock()
        state.withLockedValue { $0.bytes += bytes }
        arrived.broadcast()
        arrived.unlock()
    }

    func ended(reset: Bool) {
        arrived.lock()
        let first = state.withLockedValue { s -> Bool in
            let first = !s.closed
            s.closed = true
            s.reset = s.reset || reset
            return first
        }
        arrived.broadcast()
        arrived.unlock()
        if first { transcript.note(reset ? "the peer reset the connection" : "the peer closed the connection") }
    }

    /// Writes bytes; a write the peer no longer takes is not an error here (a case about
    /// closing sees the close in its next read).
    public func write(_ bytes: [UInt8], as label: String, timeoutMs: Int) throws {
        transcript.record(.toPeer, label, bytes)
        guard channel.isActive else { return }
        let done = DispatchSemaphore(value: 0)
        channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).whenComplete { _ in done.signal() }
        if done.wait(timeout: .now() + .milliseconds(timeoutMs)) == .timedOut {
            throw WireError.timeout("writing \(bytes.count) octets did not finish within \(timeoutMs) ms")
        }
    }

    /// Waits until `count` octets are buffered, the peer closed, or the bound passed; returns
    /// the buffered octets (maybe fewer) without consuming them.
    public func peek(_ count: Int, timeoutMs: Int) -> (bytes: [UInt8], closed: Bool) {
        let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
        arrived.lock()
        defer { arrived.unlock() }
        while true {
            let s = state.withLockedValue { $0 }
            if s.bytes.count >= count || s.closed || !arrived.wait(until: deadline) {
                let now = state.withLockedValue { $0 }
                return (Array(now.bytes.prefix(count)), now.closed && now.bytes.count < count)
            }
        }
    }

    /// Like peek, and consumes what it returns.
    public func read(_ count: Int, timeoutMs: Int) -> (bytes: [UInt8], closed: Bool) {
        let r = peek(count, timeoutMs: timeoutMs)
        consume(r.bytes.count)
        return r
    }

    public func consume(_ n: Int) { state.withLockedValue { $0.bytes.removeFirst(min(n, $0.bytes.count)) } }

    /// Waits for the peer to close within the bound; returns what arrived before (consumed).
    public func awaitClose(timeoutMs: Int) -> (bytes: [UInt8], closed: Bool) {
        let r = peek(Int.max, timeoutMs: timeoutMs)
        let closed = state.withLockedValue { $0.closed }
        consume(r.bytes.count)
        return (r.bytes, closed)
    }

    public var isClosedByPeer: Bool { state.withLockedValue { $0.closed } }
    public var buffered: [UInt8] { state.withLockedValue { $0.bytes } }

    public func close() {
        if channel.isActive { transcript.note("the suite closed the connection") }
        channel.close(promise: nil)
    }
}

final class WireInbound: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let connection: WireConnection
    /// Called once the connection is active (an accepted one is handed to steps only then).
    let activated: (@Sendable (WireConnection) -> Void)?

    init(connection: WireConnection, activated: (@Sendable (WireConnection) -> Void)? = nil) {
        self.connection = connection
        self.activated = activated
    }

    func channelActive(context: ChannelHandlerContext) {
        activated?(connection)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if let bytes = buffer.readBytes(length: buffer.readableBytes) { connection.received(bytes) }
    }

    func channelInactive(context: ChannelHandlerContext) { connection.ended(reset: false) }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let reset = (error as? IOError)?.errnoCode == ECONNRESET
        connection.ended(reset: reset)
        context.close(promise: nil)
    }
}

public enum WireError: Error, CustomStringConvertible {
    case connect(String), timeout(String), endpoint(String)

    public var description: String {
        switch self {
        case .connect(let s): return "cannot connect: \(s)"
        case .timeout(let s): return s
        case .endpoint(let s): return s
        }
    }
}

/// The endpoints a wire peer reaches: tcp (v4 and v6) and ipc paths.
enum WireEndpoint {
    case tcp(host: String, port: Int)
    case ipc(path: String)

    init(_ endpoint: String) throws {
        if endpoint.hasPrefix("ipc://") {
            let path = String(endpoint.dropFirst(6))
            guard !path.isEmpty, !path.hasPrefix("@") else {
                throw WireError.endpoint("\(endpoint): expected ipc:///path (abstract names are not reachable by the wire peer)")
            }
            self = .ipc(path: path)
            return
        }
        guard endpoint.hasPrefix("tcp://"), let colon = endpoint.lastIndex(of: ":"), let port = Int(endpoint[endpoint.index(after: colon)...]),
            (1...65535).contains(port)
        else { throw WireError.endpoint("\(endpoint): expected tcp://HOST:PORT or ipc:///PATH") }
        var host = String(endpoint[endpoint.index(endpoint.startIndex, offsetBy: 6)..<colon])
        if host.hasPrefix("[") { host = String(host.dropFirst().dropLast()) }
        if host == "*" || host.isEmpty { host = "127.0.0.1" }
        self = .tcp(host: host, port: port)
    }
}
