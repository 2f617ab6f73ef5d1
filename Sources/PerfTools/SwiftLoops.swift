import CZeroMQ
import Foundation
import Harness

/// The Swift driver's hot loops: libzmq through Swift, the same semantics as the C
/// reference loops (CPerfLoops), so their ratio is the Swift driver's overhead.
enum SwiftLoops {
    static func nowNs() -> Int64 { Int64(DispatchTime.now().uptimeNanoseconds) }

    /// CURVE key pairs of one measurement (z85 text): the binding end is the server.
    struct CurveKeys: Sendable {
        var serverPublic = "", serverSecret = "", clientPublic = "", clientSecret = ""

        static func make() throws -> CurveKeys {
            func pair() throws -> (String, String) {
                var pub = [CChar](repeating: 0, count: 41), sec = [CChar](repeating: 0, count: 41)
                guard zmq_curve_keypair(&pub, &sec) == 0 else { throw ZMQError.last("zmq_curve_keypair") }
                return (String(cString: pub), String(cString: sec))
            }
            var k = CurveKeys()
            (k.serverPublic, k.serverSecret) = try pair()
            (k.clientPublic, k.clientSecret) = try pair()
            return k
        }

        func server(_ s: UnsafeMutableRawPointer) {
            var one: Int32 = 1
            zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, 4)
            zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, serverSecret, 40)
        }

        func client(_ s: UnsafeMutableRawPointer) {
            zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, serverPublic, 40)
            zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, clientPublic, 40)
            zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, clientSecret, 40)
        }
    }

    /// Binds `type` on `endpoint` on a thread of its own; returns the real endpoint once bound.
    private static func startPeer(
        _ context: UnsafeMutableRawPointer, _ type: Int32, _ endpoint: String, receiveHWMZero: Bool, curve: CurveKeys?,
        body: @escaping @Sendable (UnsafeMutableRawPointer) -> Void
    ) throws -> (String, Thread, DispatchSemaphore) {
        let ready = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let box = PeerBox()
        let thread = Thread {
            let s = zmq_socket(context, type)!
            // Linger long enough for the last reply to leave (with 0 a large one would be dropped
            // at close); every wait is bounded, so a dead peer ends the loop.
            var zero: Int32 = 0, linger: Int32 = 2000, timeout: Int32 = 10000
            zmq_setsockopt(s, ZMQ_LINGER, &linger, 4)
            zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, 4)
            // Unlimited at the sink except over inproc, as in the C loop (perfloops.c says why).
            if receiveHWMZero { zmq_setsockopt(s, ZMQ_RCVHWM, &zero, 4) }
            curve?.server(s)
            var buffer = [CChar](repeating: 0, count: 256)
            var len = buffer.count
            if zmq_bind(s, endpoint) == 0, zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, &buffer, &len) == 0 {
                box.endpoint = String(cString: buffer)
                ready.signal()
                body(s)
            } else {
                box.error = ZMQError.last("bind \(endpoint)")
                ready.signal()
            }
            zmq_close(s)
            finished.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
        ready.wait()
        if let e = box.error { throw e }
        return (box.endpoint, thread, finished)
    }

    static func latency(
        endpoint: String, client: Int32, server: Int32, size: Int, warmup: Int, count: Int, intervalNs: Int64 = 0,
        curve: Bool = false
    ) throws -> [Int64] {
        let keys = curve ? try CurveKeys.make() : nil
        let context = zmq_ctx_new()!
        defer { zmq_ctx_term(context) }
        let total = warmup + count
        let (real, _, finished) = try startPeer(context, server, endpoint, receiveHWMZero: false, curve: keys) { s in
            var msg = zmq_msg_t()
            zmq_msg_init(&msg)
            defer { zmq_msg_close(&msg) }
            for _ in 0..<total {
                while true {
                    if zmq_msg_recv(&msg, s, 0) < 0 { return }
                    let more = zmq_msg_more(&msg) == 1
                    if zmq_msg_send(&msg, s, more ? ZMQ_SNDMORE : 0) < 0 { return }
                    if !more { break }
                }
            }
        }
        defer { finished.wait() }
        return try latencyClient(context, real, client: client, size: size, warmup: warmup, count: count, intervalNs: intervalNs, keys: keys)
    }

    /// The measuring end alone, against an echo peer in another process (two-process mode).
    static func latencyRemote(endpoint: String, client: Int32, size: Int, warmup: Int, count: Int, intervalNs: Int64 = 0) throws -> [Int64] {
        let context = zmq_ctx_new()!
        defer { zmq_ctx_term(context) }
        return try latencyClient(context, endpoint, client: client, size: size, warmup: warmup, count: count, intervalNs: intervalNs, keys: nil)
    }

    /// Round trips to the echo peer at `real`; each one's time in nanoseconds after `warmup`.
    private static func latencyClient(
        _ context: UnsafeMutableRawPointer, _ real: String, client: Int32, size: Int, warmup: Int, count: Int,
        intervalNs: Int64, keys: CurveKeys?
    ) throws -> [Int64] {
        let total = warmup + count
        let endpoint = real
        let c = zmq_socket(context, client)!
        var zero: Int32 = 0, timeout: Int32 = 10000
        zmq_setsockopt(c, ZMQ_LINGER, &zero, 4)
        zmq_setsockopt(c, ZMQ_RCVTIMEO, &timeout, 4)
        keys?.client(c)
        defer { zmq_close(c) }
        guard zmq_connect(c, real) == 0 else { throw ZMQError.last("connect \(real)") }
        var samples = [Int64](repeating: 0, count: count)
        let buffer = [UInt8](repeating: 0, count: max(size, 1))
        var reply = zmq_msg_t()
        zmq_msg_init(&reply)
        defer { zmq_msg_close(&reply) }
        try buffer.withUnsafeBytes { raw in
            var next = nowNs()
            for i in 0..<total {
                if intervalNs > 0 {
                    // The next slot of the fixed-rate schedule: a clock wait, not a synchronisation.
                    var ts = timespec(tv_sec: Int(next / 1_000_000_000), tv_nsec: Int(next % 1_000_000_000))
                    while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
                    next += intervalNs
                }
                let t0 = nowNs()
                guard zmq_send(c, raw.baseAddress, size, 0) >= 0, zmq_msg_recv(&reply, c, 0) >= 0 else {
                    throw ZMQError.last("\(endpoint) \(size) B: round trip \(i) of \(total)")
                }
                if i >= warmup { samples[i - warmup] = nowNs() - t0 }
            }
        }
        return samples
    }

    /// Messages per throughput window: `windows` equal runs after the first message
    /// (agents/PROTOCOL.md, perf `windows`).
    static func windowSize(count: Int, windows: Int) -> Int { max((count - 1) / max(windows, 1), 1) }

    /// `count` messages from a sender to a receiver in this process; the receiver's time from
    /// the first message to the last, and with `windows` > 0 also the time of each of that
    /// many equal runs of messages after the first (a trial's steady rate, see PerfRunner).
    static func throughput(
        endpoint: String, sender: Int32, receiver: Int32, size: Int, count: Int, curve: Bool = false,
        senders: Int = 1, windows: Int = 0
    ) throws -> (elapsed: Int64, windows: [Int64]) {
        let keys = curve ? try CurveKeys.make() : nil
        let context = zmq_ctx_new()!
        defer { zmq_ctx_term(context) }
        let box = PeerBox()
        let (real, _, finished) = try startPeer(context, receiver, endpoint, receiveHWMZero: !endpoint.hasPrefix("inproc:"), curve: keys) { s in
            if receiver == ZMQ_SUB { zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0) }
            var msg = zmq_msg_t()
            zmq_msg_init(&msg)
            defer { zmq_msg_close(&msg) }
            var start: Int64 = 0
            var firstFrame = true
            // A local count: the box's property would cost an exclusivity check per message,
            // which the C loop does not pay.
            var received = 0
            defer { box.received = received }
            // Window marks: one clock read per window, not per message.
            let step = windowSize(count: count, windows: windows)
            var nextMark = windows > 0 ? 1 + step : Int.max
            var marks: [Int64] = []
            marks.reserveCapacity(windows + 1)
            // Counted at a message's last frame (a ROUTER prefixes the id); an empty single
            // frame is a PUB's probe: it says the subscription has arrived.
            while received < count {
                if zmq_msg_recv(&msg, s, 0) < 0 { return }
                let more = zmq_msg_more(&msg) != 0
                if !more && firstFrame && zmq_msg_size(&msg) == 0 { box.subscribed.signal(); continue }
                firstFrame = !more
                if more { continue }
                if received == 0 {
                    start = nowNs()
                    marks.append(start)
                }
                received += 1
                if received == nextMark && marks.count <= windows {
                    marks.append(nowNs())
                    nextMark += step
                }
            }
            box.elapsed = nowNs() - start
            box.windows = zip(marks.dropFirst(), marks).map { $0 - $1 }
        }
        // Several senders share the count (the first takes the remainder); one sends on this thread.
        let shares = (0..<senders).map { count / senders + ($0 == 0 ? count % senders : 0) }
        let others = (1..<max(senders, 1)).map { i -> (DispatchSemaphore, ResultBox) in
            let done = DispatchSemaphore(value: 0), result = ResultBox()
            Thread {
                result.value = Result { try sendStream(context, real, sender: sender, size: size, count: shares[i], keys: keys, subscribed: box.subscribed) }
                done.signal()
            }.start()
            return (done, result)
        }
        let sent = Result { try sendStream(context, real, sender: sender, size: size, count: shares[0], keys: keys, subscribed: box.subscribed) }
        for (done, _) in others { done.wait() }
        finished.wait()
        try sent.get()
        for (_, result) in others { try result.value.get() }
        guard box.received == count else {
            throw PerfError.zmq("the receiver got \(box.received) of \(count) messages before its 10 s timeout")
        }
        return (box.elapsed, box.windows)
    }

    /// The sending end alone, to a sink in another process (two-process mode).
    static func throughputRemote(endpoint: String, sender: Int32, size: Int, count: Int) throws {
        let context = zmq_ctx_new()!
        defer { zmq_ctx_term(context) }
        try sendStream(context, endpoint, sender: sender, size: size, count: count, keys: nil, subscribed: nil)
    }

    /// `count` messages of `size` bytes to `real`. A PUB first probes until `subscribed` says
    /// the sink has seen one (in one process only: across processes a PUB is refused).
    private static func sendStream(
        _ context: UnsafeMutableRawPointer, _ real: String, sender: Int32, size: Int, count: Int,
        keys: CurveKeys?, subscribed: DispatchSemaphoreBox?
    ) throws {
        let s = zmq_socket(context, sender)!
        var hwm: Int32 = 0
        if sender == ZMQ_PUB || sender == ZMQ_XPUB { zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, 4) }
        keys?.client(s)
        guard zmq_connect(s, real) == 0 else { zmq_close(s); throw ZMQError.last("connect \(real)") }
        if let subscribed, sender == ZMQ_PUB || sender == ZMQ_XPUB {
            // A PUB drops what it sends before the subscription arrives: probe until the
            // receiver has seen one (an event, bounded at 10 s).
            let deadline = nowNs() + 10_000_000_000
            while !subscribed.wait(timeoutMs: 1) {
                guard nowNs() < deadline else { zmq_close(s); throw PerfError.zmq("the subscription did not reach the PUB within 10 s") }
                zmq_send(s, "", 0, ZMQ_DONTWAIT)
            }
        }
        var msg = zmq_msg_t()
        for _ in 0..<count {
            zmq_msg_init_size(&msg, size)
            memset(zmq_msg_data(&msg), 0, size)
            if zmq_msg_send(&msg, s, 0) < 0 { zmq_msg_close(&msg); break }
        }
        zmq_close(s)
    }
}

/// How one extra sender thread ended.
private final class ResultBox: @unchecked Sendable {
    var value: Result<Void, Error> = .success(())
}

private final class PeerBox: @unchecked Sendable {
    var endpoint = ""
    var error: Error?
    var elapsed: Int64 = 0
    var windows: [Int64] = []
    var received = 0
    let subscribed = DispatchSemaphoreBox()
}
