import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// What a relay does to the connections through it (the fault steps; `--trace` only passes).
enum RelayFault: Equatable, Sendable {
    /// Forward everything as it comes.
    case pass
    /// Forward nothing, either way, and keep every connection open: a half-open connection.
    case stall
    /// Reset every open connection (RST to both sides).
    case reset
    /// Close every open connection (FIN to both sides).
    case close
    /// Reset each new connection as soon as it arrives; it is still counted as an attempt.
    case refuse
    /// Forward each chunk this many milliseconds late, in order.
    case delay(Int)
    /// Forward at most this many octets per second each way.
    case throttle(Int)
}

/// A relay between connecting sockets and the endpoint they connect to, for any number of
/// connections: it decodes what crosses it (greetings, commands, frames, who closed) into the
/// cell's wire log (`--trace`), counts connection attempts, and does faults on command. It
/// forwards octets unchanged and never answers for a side. Back-pressure is kept: a side that
/// cannot take more stops the other side's reads, so high-water marks behave as without it.
final class ZMTPRelay: @unchecked Sendable {
    /// What the connecting socket is given instead of the target.
    let endpoint: String
    private let server: Channel
    private let state = RelayState()

    /// `target`: tcp://HOST:PORT or ipc:///path. `transcript` makes the log of the n-th connection.
    init(to target: String, ipcPath: String?, transcript: @escaping @Sendable (Int) -> WireTranscript) throws {
        let upstream = try WireEndpoint(target)
        let state = self.state
        let bootstrap = ServerBootstrap(group: WireConnection.group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // The connecting side is read only once the target is reached.
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 4096, high: 16384))
            .childChannelInitializer { inbound in
                let n = state.accepted()
                let log = transcript(n)
                inbound.closeFuture.whenComplete { _ in state.closed() }
                if state.fault == .refuse {
                    log.note("connection \(n) reset on arrival (fault: refuse)")
                    return Self.reset(inbound)
                }
                log.note("connection \(n) accepted: relaying to \(target) (→ from the connecting socket, ← from the bound one)")
                return Self.connect(inbound, to: upstream, log: log, state: state)
            }
        if let ipcPath {
            server = try bootstrap.bind(unixDomainSocketPath: ipcPath, cleanupExistingSocketFile: true).wait()
            endpoint = "ipc://" + ipcPath
        } else {
            server = try bootstrap.bind(host: "127.0.0.1", port: 0).wait()
            endpoint = "tcp://127.0.0.1:\(server.localAddress?.port ?? 0)"
        }
    }

    /// Closes with SO_LINGER 0: the peer sees a reset, not an orderly close.
    private static func reset(_ channel: Channel) -> EventLoopFuture<Void> {
        guard let provider = channel as? SocketOptionProvider else { return channel.close().recover { _ in } }
        // Closed whatever setting the option did: a fault that leaves the connection up is no fault.
        return provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).recover { _ in }.flatMap { channel.close() }.recover { _ in }
    }

    /// Opens the upstream connection and joins the two halves.
    private static func connect(_ inbound: Channel, to upstream: WireEndpoint, log: WireTranscript, state: RelayState) -> EventLoopFuture<Void> {
        let toTarget = RelayHalf(direction: .toPeer, log: log, by: "the connecting side", state: state)
        let toClient = RelayHalf(direction: .fromPeer, log: log, by: "the bound side", state: state)
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
                state.add((inbound, outbound, log))
                if state.fault != .stall { inbound.setOption(.autoRead, value: true).whenComplete { _ in } }
            }.recover { error in
                log.note("could not reach the target: \(error); the connecting side is closed")
                inbound.close(promise: nil)
            }
        }
    }

    /// Starts a fault (or `.pass` to end one), and returns once the relay does it: a stall has
    /// stopped every read before the next step runs. `reset` and `close` act on the connections
    /// open now and leave the relay passing.
    func apply(_ fault: RelayFault) {
        let pairs = state.pairs
        let channels = pairs.flatMap { [$0.0, $0.1] }
        for (_, _, log) in pairs { log.note("fault: \(fault)") }
        var done: [EventLoopFuture<Void>] = []
        switch fault {
        case .reset:
            state.closing = true
            done = channels.map(Self.reset)
            state.fault = .pass
        case .close:
            state.closing = true
            done = channels.map { $0.close().recover { _ in } }
            state.fault = .pass
        case .stall:
            state.fault = .stall
            done = channels.map { $0.setOption(.autoRead, value: false).recover { _ in } }
        default:
            let wasStalled = state.fault == .stall
            state.fault = fault
            if wasStalled { done = channels.map { $0.setOption(.autoRead, value: true).recover { _ in } } }
        }
        // Called from a cell's thread, never from the relay's event loop.
        for f in done { try? f.wait() }
        state.closing = false
    }

    /// Connections accepted so far (attempts, including refused ones), with their arrival times.
    var arrivals: [Double] { state.arrivalTimes }

    /// Waits until `count` connections have arrived in all, up to the bound.
    func awaitArrivals(_ count: Int, timeoutMs: Int) -> Bool { state.await(timeoutMs: timeoutMs) { $0.arrivals.count >= count } }

    /// Waits until every relayed connection has closed (after teardown), up to the bound, so
    /// the log ends with who closed. Returns false when some are still open.
    @discardableResult
    func awaitClosed(timeoutMs: Int) -> Bool { state.await(timeoutMs: timeoutMs) { $0.open == 0 } }

    /// Stops accepting, lifts any fault so the closes of the sockets' teardown are read, waits
    /// for them (bounded), then closes whatever is left. Returns false when something was left.
    @discardableResult
    func stop(awaitingClosesMs: Int) -> Bool {
        try? server.close().wait()
        apply(.pass)
        let clean = awaitClosed(timeoutMs: awaitingClosesMs)
        for (a, b, _) in state.pairs {
            a.close(promise: nil)
            b.close(promise: nil)
        }
        return clean
    }
}

/// The relay's shared state: its fault, its connections, the arrivals.
private final class RelayState: @unchecked Sendable {
    struct Counts {
        var arrivals: [Double] = []
        var open = 0
        var pairs: [(Channel, Channel, WireTranscript)] = []
        var fault = RelayFault.pass
        /// A reset or close fault is closing connections: their ends are the relay's doing.
        var closing = false
    }
    private let box = NIOLockedValueBox(Counts())
    private let changed = NSCondition()

    private func update(_ body: (inout Counts) -> Void) {
        changed.lock()
        box.withLockedValue(body)
        changed.broadcast()
        changed.unlock()
    }

    func accepted() -> Int {
        var n = 0
        update {
            $0.arrivals.append(monotonicMs())
            $0.open += 1
            n = $0.arrivals.count
        }
        return n
    }
    func closed() { update { $0.open -= 1 } }
    func add(_ pair: (Channel, Channel, WireTranscript)) { update { $0.pairs.append(pair) } }
    var pairs: [(Channel, Channel, WireTranscript)] { box.withLockedValue { $0.pairs.filter { $0.0.isActive || $0.1.isActive } } }
    var arrivalTimes: [Double] { box.withLockedValue { $0.arrivals } }
    var fault: RelayFault {
        get { box.withLockedValue { $0.fault } }
        set { update { $0.fault = newValue } }
    }
    var closing: Bool {
        get { box.withLockedValue { $0.closing } }
        set { update { $0.closing = newValue } }
    }

    func await(timeoutMs: Int, until done: (Counts) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
        changed.lock()
        defer { changed.unlock() }
        while !done(box.withLockedValue { $0 }) {
            if !changed.wait(until: deadline) { return done(box.withLockedValue { $0 }) }
        }
        return true
    }
}

/// One direction of a relayed connection: decodes what it reads, forwards it to the partner
/// (late, under a delay or throttle fault), and when its side closes, closes the partner and
/// notes who closed first.
private final class RelayHalf: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let direction: WireTranscript.Direction
    let log: WireTranscript
    let by: String
    let state: RelayState
    var partner: Channel?
    private var decoder = ZMTPStreamDecoder()
    /// Under delay or throttle: when the last scheduled chunk goes out (monotonic ms).
    private var nextFree = 0.0

    init(direction: WireTranscript.Direction, log: WireTranscript, by: String, state: RelayState) {
        self.direction = direction
        self.log = log
        self.by = by
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        for (label, octets) in decoder.feed(Array(buffer.readableBytesView)) { log.record(direction, label, octets) }
        guard let partner else { return }
        let now = monotonicMs()
        switch state.fault {
        case .delay(let ms):
            nextFree = max(now + Double(ms), nextFree)
        case .throttle(let rate):
            nextFree = max(now, nextFree) + Double(buffer.readableBytes) * 1000 / Double(max(rate, 1))
        default:
            if nextFree <= now {
                partner.write(buffer, promise: nil)
                return
            }
        }
        // Later chunks never overtake earlier ones: each waits for the one before.
        let wait = Int64(max(0, nextFree - now) * 1_000_000)
        context.eventLoop.scheduleTask(in: .nanoseconds(wait)) { partner.writeAndFlush(buffer, promise: nil) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard let partner else { return }
        partner.flush()
        if !partner.isWritable { context.channel.setOption(.autoRead, value: false).whenComplete { _ in } }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, state.fault != .stall { partner?.setOption(.autoRead, value: true).whenComplete { _ in } }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !decoder.pending.isEmpty { log.record(direction, "part of a frame, then the close", decoder.pending) }
        if partner?.isActive ?? false { log.note(state.closing ? "the relay closed the connection (the fault)" : "\(by) closed the connection") }
        partner?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        log.note("\(by): \(error)")
        context.close(promise: nil)
    }
}
