import Foundation
import Harness

#if canImport(Glibc)
    import Glibc
#endif

/// Raw-transport baselines, measured by the same tool in the same run as the ZeroMQ figures:
/// a plain TCP connection over loopback, a Unix-domain socket pair, and a hand-off between
/// two threads. They show how close ZeroMQ gets to what the transport itself can do.
public enum RawTransport: String, Codable, Sendable, CaseIterable {
    case tcp = "raw-tcp", unix = "raw-unix", queue = "raw-queue"

    /// The ZeroMQ transport each baseline stands beside.
    public var zmqTransport: Transport {
        switch self {
        case .tcp: return .tcp
        case .unix: return .ipc
        case .queue: return .inproc
        }
    }

    /// The baseline beside a ZeroMQ transport, if it has one.
    public static func beside(_ transport: Transport) -> RawTransport? { allCases.first { $0.zmqTransport == transport } }
}

enum Baselines {
    /// A connected pair of stream sockets: TCP over loopback (Nagle off) or a Unix socket pair.
    /// Reads and writes on both ends give up after 10 s, so no baseline can hang.
    static func streamPair(_ kind: RawTransport) throws -> (Int32, Int32) {
        let (a, b) = try connectedPair(kind)
        var bound = timeval(tv_sec: 10, tv_usec: 0)
        for fd in [a, b] {
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &bound, socklen_t(MemoryLayout<timeval>.size))
        }
        return (a, b)
    }

    private static func connectedPair(_ kind: RawTransport) throws -> (Int32, Int32) {
        if kind == .unix {
            var fds: [Int32] = [0, 0]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { throw PerfError.system("socketpair", errno) }
            return (fds[0], fds[1])
        }
        guard let (listener, port) = loopbackTCPSocket(listening: true) else { throw PerfError.system("listen", errno) }
        defer { close(listener) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        addr.sin_port = port.bigEndian
        let len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let connected = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, len) == 0 }
        }
        guard connected else { throw PerfError.system("connect(2)", errno) }
        let server = accept(listener, nil, nil)
        guard server >= 0 else { throw PerfError.system("accept", errno) }
        var one: Int32 = 1
        setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, 4)
        setsockopt(server, Int32(IPPROTO_TCP), TCP_NODELAY, &one, 4)
        return (client, server)
    }

    /// Reads exactly `count` bytes; false at end of stream or error.
    static func readFully(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Bool {
        var got = 0
        while got < count {
            let n = read(fd, buffer + got, count - got)
            if n <= 0 { return false }
            got += n
        }
        return true
    }

    static func writeFully(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Bool {
        var sent = 0
        while sent < count {
            let n = write(fd, buffer + sent, count - sent)
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    static func latency(_ kind: RawTransport, size: Int, warmup: Int, count: Int, intervalNs: Int64 = 0) throws -> [Int64] {
        let n = max(size, 1)
        if kind == .queue { return queueLatency(size: n, warmup: warmup, count: count, intervalNs: intervalNs) }
        let (a, b) = try streamPair(kind)
        defer { close(a); close(b) }
        let echo = Thread {
            let buf = UnsafeMutableRawPointer.allocate(byteCount: n, alignment: 8)
            defer { buf.deallocate() }
            for _ in 0..<(warmup + count) {
                guard readFully(b, buf, n), writeFully(b, buf, n) else { return }
            }
        }
        echo.start()
        let buf = UnsafeMutableRawPointer.allocate(byteCount: n, alignment: 8)
        defer { buf.deallocate() }
        memset(buf, 0, n)
        var samples = [Int64](repeating: 0, count: count)
        var schedule = Schedule(intervalNs: intervalNs)
        for i in 0..<(warmup + count) {
            schedule.waitForSlot()
            let t0 = SwiftLoops.nowNs()
            guard writeFully(a, buf, n), readFully(a, buf, n) else { throw PerfError.system("round trip", errno) }
            if i >= warmup { samples[i - warmup] = SwiftLoops.nowNs() - t0 }
        }
        return samples
    }

    /// Streams count x size bytes in 64 KiB batches (the transport's bulk limit, as ZeroMQ
    /// batches small messages too); elapsed from the reader's first read to its last.
    static func throughput(_ kind: RawTransport, size: Int, count: Int) throws -> Int64 {
        let n = max(size, 1)
        if kind == .queue { return queueThroughput(size: n, count: count) }
        let (a, b) = try streamPair(kind)
        defer { close(a); close(b) }
        let total = n * count
        let chunk = max(n, 65536)
        let box = ElapsedBox()
        let done = DispatchSemaphore(value: 0)
        Thread {
            let buf = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 8)
            defer { buf.deallocate(); done.signal() }
            var got = 0, start: Int64 = 0
            while got < total {
                let r = read(b, buf, min(chunk, total - got))
                if r <= 0 { return }
                if got == 0 { start = SwiftLoops.nowNs() }
                got += r
            }
            box.value = SwiftLoops.nowNs() - start
        }.start()
        let buf = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 8)
        defer { buf.deallocate() }
        memset(buf, 0, chunk)
        var sent = 0
        while sent < total, writeFully(a, buf, min(chunk, total - sent)) { sent += min(chunk, total - sent) }
        done.wait()
        return box.value
    }

    /// Two threads hand a buffer back and forth through a lock and two condition variables.
    static func queueLatency(size: Int, warmup: Int, count: Int, intervalNs: Int64 = 0) -> [Int64] {
        let q = HandOff(size: size)
        Thread {
            for _ in 0..<(warmup + count) { q.echo() }
        }.start()
        var samples = [Int64](repeating: 0, count: count)
        var schedule = Schedule(intervalNs: intervalNs)
        for i in 0..<(warmup + count) {
            schedule.waitForSlot()
            let t0 = SwiftLoops.nowNs()
            q.roundTrip()
            if i >= warmup { samples[i - warmup] = SwiftLoops.nowNs() - t0 }
        }
        return samples
    }

    /// A producer thread copies each of `count` buffers into a locked queue; a consumer drains
    /// it and copies each out into its own buffer: the two copies a zmq_send/zmq_recv pair
    /// makes. (Pushing one array `count` times would copy nothing: Swift arrays share storage
    /// until written, and 64 KiB messages then "moved" at terabytes per second.)
    static func queueThroughput(size: Int, count: Int) -> Int64 {
        let q = Channel()
        let box = ElapsedBox()
        let done = DispatchSemaphore(value: 0)
        Thread {
            var start: Int64 = 0
            var received = [UInt8](repeating: 0, count: size)
            for i in 0..<count {
                let item = q.pop()
                received.withUnsafeMutableBytes { to in item.withUnsafeBytes { from in to.copyMemory(from: from) } }
                if i == 0 { start = SwiftLoops.nowNs() }
            }
            box.value = SwiftLoops.nowNs() - start
            done.signal()
        }.start()
        let payload = [UInt8](repeating: 1, count: size)
        for _ in 0..<count { q.push(payload.withUnsafeBytes { [UInt8]($0) }) }
        done.wait()
        return box.value
    }
}

/// A fixed-rate schedule: each round trip starts at its slot (interval 0: back to back).
struct Schedule {
    let intervalNs: Int64
    var next = SwiftLoops.nowNs()

    init(intervalNs: Int64) { self.intervalNs = intervalNs }

    mutating func waitForSlot() {
        guard intervalNs > 0 else { return }
        var ts = timespec(tv_sec: Int(next / 1_000_000_000), tv_nsec: Int(next % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
        next += intervalNs
    }
}

private final class ElapsedBox: @unchecked Sendable { var value: Int64 = 0 }

/// Ping-pong between two threads: the request is copied in, the reply copied back.
private final class HandOff: @unchecked Sendable {
    private let cond = NSCondition()
    private var request: [UInt8]?
    private var reply: [UInt8]?
    private let payload: [UInt8]

    init(size: Int) { payload = [UInt8](repeating: 0, count: size) }

    func roundTrip() {
        cond.lock()
        // A fresh copy each way (see queueThroughput: assigning an array copies nothing).
        request = payload.withUnsafeBytes { [UInt8]($0) }
        cond.broadcast()
        while reply == nil { cond.wait() }
        reply = nil
        cond.unlock()
    }

    func echo() {
        cond.lock()
        while request == nil { cond.wait() }
        reply = request!.withUnsafeBytes { [UInt8]($0) }
        request = nil
        cond.broadcast()
        cond.unlock()
    }
}

/// An unbounded queue of buffers between two threads.
private final class Channel: @unchecked Sendable {
    private let cond = NSCondition()
    private var items: [[UInt8]] = []
    private var head = 0

    func push(_ item: [UInt8]) {
        cond.lock()
        items.append(item)
        cond.signal()
        cond.unlock()
    }

    func pop() -> [UInt8] {
        cond.lock()
        while head == items.count { cond.wait() }
        let item = items[head]
        head += 1
        if head > 4096 { items.removeFirst(head); head = 0 }
        cond.unlock()
        return item
    }
}

public enum PerfError: Error, CustomStringConvertible {
    case system(String, Int32)
    case zmq(String)
    public var description: String {
        switch self {
        case .system(let what, let e): return "\(what): errno \(e)"
        case .zmq(let s): return s
        }
    }
}
