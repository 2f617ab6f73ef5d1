import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP relay between one client and a target endpoint, on a thread of its own, that keeps a
/// copy of the bytes in both directions and sees who closes the connection: what any
/// implementation shows on the wire, whatever its API reports.
final class TCPRelay: @unchecked Sendable {
    /// The end that closed the relayed connection first.
    enum Side: String, Sendable {
        /// The endpoint the relay forwards to (the socket that bound).
        case target = "the bound side"
        /// The peer that connected to the relay.
        case client = "the connecting side"
    }

    let endpoint: String
    private let listener: Int32
    private let target: (host: String, port: UInt16)
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    /// The same bytes by direction: what the connecting peer sent, and what the target sent.
    private var sent: (byClient: [UInt8], byTarget: [UInt8]) = ([], [])
    private var stopping = false
    private var closer: Side?
    private let done = DispatchSemaphoreBox()
    private let closed = DispatchSemaphoreBox()

    init(to targetEndpoint: String) throws {
        guard targetEndpoint.hasPrefix("tcp://127.0.0.1:"), let port = UInt16(targetEndpoint.split(separator: ":").last ?? "") else {
            throw StepProblem.error("tcp relays reach tcp://127.0.0.1 endpoints only, got \(targetEndpoint)")
        }
        target = ("127.0.0.1", port)
        guard let (fd, port) = loopbackTCPSocket(listening: true) else {
            throw StepProblem.error("tcp relay: cannot listen (errno \(errno))")
        }
        listener = fd
        endpoint = "tcp://127.0.0.1:\(port)"
    }

    func start() {
        Thread { [self] in
            run(); done.signal()
        }.start()
    }

    /// Everything relayed so far, both directions, in arrival order.
    var seen: [UInt8] {
        lock.lock(); defer { lock.unlock() }
        return bytes
    }

    /// Waits until the relayed connection has ended; returns the side that closed it first, or
    /// nil when it is still open after `timeoutMs`.
    func awaitClose(timeoutMs: Int) -> Side? {
        guard closed.wait(timeoutMs: timeoutMs) else { return nil }
        closed.signal()  // later waits see it too
        lock.lock(); defer { lock.unlock() }
        return closer
    }

    private func ended(by side: Side) {
        lock.lock()
        let first = closer == nil
        if first { closer = side }
        lock.unlock()
        if first { closed.signal() }
    }

    /// What each side sent so far.
    var bySide: (client: [UInt8], target: [UInt8]) {
        lock.lock(); defer { lock.unlock() }
        return (sent.byClient, sent.byTarget)
    }

    private var isStopping: Bool {
        lock.lock(); defer { lock.unlock() }
        return stopping
    }

    private func run() {
        defer { close(listener) }
        var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        while !isStopping && poll(&p, 1, 20) <= 0 {}
        guard !isStopping else { return }
        let client = accept(listener, nil, nil)
        guard client >= 0, let upstream = try? RawConnection(endpoint: "tcp://\(target.host):\(target.port)", timeoutMs: 1000) else { return }
        defer { close(client); upstream.close() }
        var fds = [pollfd(fd: client, events: Int16(POLLIN), revents: 0), pollfd(fd: upstream.descriptor, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !isStopping {
            guard poll(&fds, 2, 20) > 0 else { continue }
            for (i, f) in fds.enumerated() where f.revents != 0 {
                let n = buffer.withUnsafeMutableBytes { recv(f.fd, $0.baseAddress, $0.count, 0) }
                // End of stream or a reset: that side closed the connection; the relay closes the other.
                if n <= 0 {
                    ended(by: i == 0 ? .client : .target)
                    return
                }
                lock.lock()
                bytes += buffer[0..<n]
                if i == 0 { sent.byClient += buffer[0..<n] } else { sent.byTarget += buffer[0..<n] }
                lock.unlock()
                let out = fds[1 - i].fd
                var sent = 0
                while sent < n {
                    let m = buffer[sent..<n].withUnsafeBytes { send(out, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if m <= 0 {
                        ended(by: i == 0 ? .target : .client)
                        return
                    }
                    sent += m
                }
            }
        }
    }

    func stop() {
        lock.lock(); stopping = true; lock.unlock()
        _ = done.wait(timeoutMs: 1000)
    }
}
