import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP relay between one client and a target endpoint, on a thread of its own, that keeps a
/// copy of the bytes in both directions: to look at what an implementation puts on the wire.
final class TCPRelay: @unchecked Sendable {
    let endpoint: String
    private let listener: Int32
    private let target: (host: String, port: UInt16)
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    private var stopping = false
    private let done = DispatchSemaphoreBox()

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
                if n <= 0 { return }
                lock.lock(); bytes += buffer[0..<n]; lock.unlock()
                let out = fds[1 - i].fd
                var sent = 0
                while sent < n {
                    let m = buffer[sent..<n].withUnsafeBytes { send(out, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if m <= 0 { return }
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
