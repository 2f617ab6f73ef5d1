import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP client, the non-ZeroMQ peer of STREAM cases and wire checks. Every read and
/// write waits through poll(2) with a bound.
final class RawConnection {
    private let fd: Int32
    var descriptor: Int32 { fd }

    init(endpoint: String, timeoutMs: Int) throws {
        guard endpoint.hasPrefix("tcp://"), let colon = endpoint.lastIndex(of: ":") else {
            throw StepProblem.error("raw connections need a tcp endpoint, got \(endpoint)")
        }
        var host = String(endpoint[endpoint.index(endpoint.startIndex, offsetBy: 6)..<colon])
        let port = UInt16(endpoint[endpoint.index(after: colon)...]) ?? 0
        let v6 = host.hasPrefix("[")
        if v6 { host = String(host.dropFirst().dropLast()) }
        fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw StepProblem.error("socket(2) failed: errno \(errno)") }
        var rc: Int32
        if v6 {
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = port.bigEndian
            inet_pton(AF_INET6, host, &a.sin6_addr)
            rc = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = port.bigEndian
            inet_pton(AF_INET, host, &a.sin_addr)
            rc = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        if rc != 0 {
            Glibc.close(fd)
            throw StepProblem.mismatch(expected: "a TCP connection to \(endpoint)", seen: "connect failed: errno \(errno)")
        }
    }

    private func wait(_ events: Int16, timeoutMs: Int) -> Bool {
        var p = pollfd(fd: fd, events: events, revents: 0)
        return Glibc.poll(&p, 1, Int32(timeoutMs)) > 0
    }

    func send(_ data: [UInt8], timeoutMs: Int) throws {
        var offset = 0
        let deadline = monotonicMs() + Double(timeoutMs)
        while offset < data.count {
            guard wait(Int16(POLLOUT), timeoutMs: max(0, Int(deadline - monotonicMs()))) else {
                throw StepProblem.error("raw send did not complete within \(timeoutMs) ms")
            }
            let n = data[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { throw StepProblem.mismatch(expected: "the peer to accept data", seen: "send failed: errno \(errno)") }
            offset += n
        }
    }

    /// Reads until `count` bytes arrived or the bound passed; returns what came (maybe fewer)
    /// and whether the peer closed.
    func receive(count: Int, timeoutMs: Int) -> (bytes: [UInt8], closed: Bool) {
        var out: [UInt8] = []
        let deadline = monotonicMs() + Double(timeoutMs)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while out.count < count {
            let left = Int(deadline - monotonicMs())
            guard left > 0, wait(Int16(POLLIN), timeoutMs: left) else { break }
            let n = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, min($0.count, count - out.count), 0) }
            if n <= 0 { return (out, true) }
            out += buffer[0..<n]
        }
        return (out, false)
    }

    /// Waits until `count` bytes are there to read (or the bound passes) and returns them
    /// without consuming them (MSG_PEEK): a later receive reads them again.
    func peek(count: Int, timeoutMs: Int) -> [UInt8] {
        let deadline = monotonicMs() + Double(timeoutMs)
        var buffer = [UInt8](repeating: 0, count: count)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, count, Int32(MSG_PEEK | MSG_DONTWAIT)) }
            let left = Int(deadline - monotonicMs())
            // n == 0: the peer closed; nothing more will come.
            if n >= count || n == 0 || left <= 0 { return Array(buffer[0..<max(0, n)]) }
            Glibc.poll(nil, 0, Int32(min(5, left)))
        }
    }

    func close() { Glibc.close(fd) }
}
