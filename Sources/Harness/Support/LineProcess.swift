import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process spoken to in lines: requests on its stdin, one answer line each on its
/// stdout, stderr kept in a file for the report when it dies. Reads and writes have a bound;
/// a child that does not answer in time is the caller's to kill. Used for cell workers and agents.
/// An agent on another machine (`zmqsuite agent-serve` there) is the same, over a TCP
/// connection: `LineProcess.start(["tcp://HOST:PORT"])`.
public final class LineProcess: @unchecked Sendable {
    /// nil for a remote agent: the connection is all there is.
    private let child: ChildProcess?
    private let remote: String?
    /// Our ends of the child's stdin and stdout (-1 once closed).
    private var input: Int32
    private let output: Int32
    private let stderrPath: String
    private var buffer: [UInt8] = []
    /// How much of `buffer` is known to hold no newline (long lines arrive in many chunks).
    private var scanned = 0
    private var outputClosed = false
    private static let writeBoundMs = 10_000

    public init(executable: String, arguments: [String], environment: [String: String]? = nil) throws {
        // A child that dies makes our next write fail with EPIPE; without this the signal kills us.
        signal(SIGPIPE, SIG_IGN)
        stderrPath = FileManager.default.temporaryDirectory.appendingPathComponent("zmqsuite-child-\(getpid())-\(UUID().uuidString).log").path
        guard let toChild = ChildProcess.closeOnExecPipe() else { throw ProcessError("pipe", code: errno) }
        guard let fromChild = ChildProcess.closeOnExecPipe() else {
            close(toChild.read); close(toChild.write)
            throw ProcessError("pipe", code: errno)
        }
        let errFd = open(stderrPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        var env = environment ?? ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"  // a crash is an outcome here; do not spend seconds symbolicating
        defer { close(toChild.read); close(fromChild.write); if errFd >= 0 { close(errFd) } }
        do {
            child = try ChildProcess(
                executable: executable, arguments: arguments, environment: env,
                stdin: toChild.read, stdout: fromChild.write, stderr: errFd >= 0 ? errFd : fromChild.write)
        } catch {
            close(toChild.write); close(fromChild.read)
            throw error
        }
        remote = nil
        input = toChild.write
        output = fromChild.read
        // Non-blocking writes: a child that stops reading cannot block us past the write bound.
        _ = fcntl(input, F_SETFL, fcntl(input, F_GETFL) | O_NONBLOCK)
    }

    /// An agent served by `zmqsuite agent-serve` at `host:port`: connected within `timeoutMs`,
    /// or an error that says why not (refused, unreachable, no answer).
    public init(connectingTo host: String, port: UInt16, timeoutMs: Int = 5000) throws {
        signal(SIGPIPE, SIG_IGN)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw ProcessError("tcp://\(host):\(port): expected an IPv4 address such as 10.0.0.2", code: EINVAL)
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw ProcessError("socket", code: errno) }
        let rc = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if rc != 0 && errno != EINPROGRESS {
            let e = errno
            close(fd)
            throw ProcessError("cannot connect to the agent at \(host):\(port)", code: e)
        }
        var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        var soError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard poll(&p, 1, Int32(timeoutMs)) == 1 else {
            close(fd)
            throw ProcessError("cannot connect to the agent at \(host):\(port): no answer within \(timeoutMs) ms", code: ETIMEDOUT)
        }
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
        guard soError == 0 else {
            close(fd)
            throw ProcessError("cannot connect to the agent at \(host):\(port)", code: soError)
        }
        child = nil
        remote = "\(host):\(port)"
        stderrPath = ""
        input = fd
        output = dup(fd)
    }

    /// Starts `command`, or connects to it when it is `tcp://HOST:PORT` (an agent-serve).
    public static func start(_ command: [String]) throws -> LineProcess {
        if command.count == 1, let (host, port) = remoteAddress(command[0]) { return try LineProcess(connectingTo: host, port: port) }
        guard let exe = command.first else { throw ProcessError("empty command", code: EINVAL) }
        return try LineProcess(executable: exe, arguments: Array(command.dropFirst()))
    }

    /// "tcp://10.0.0.2:5600" as host and port.
    public static func remoteAddress(_ text: String) -> (String, UInt16)? {
        guard text.hasPrefix("tcp://"), let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else { return nil }
        let host = String(text[text.index(text.startIndex, offsetBy: 6)..<colon])
        return host.isEmpty ? nil : (host, port)
    }

    deinit {
        if input >= 0 { close(input) }
        close(output)
    }

    public var pid: Int32 { child?.pid ?? -1 }

    /// True when the child is gone (its output closed because it died), waiting a moment for
    /// the exit to be reaped.
    public func hasExited(waitingMs: Int) -> Bool {
        guard let child else { return outputClosed }
        guard outputClosed || !child.isRunning else { return false }
        child.wait(ms: waitingMs)
        return true
    }

    public var exitDescription: String { child?.exitDescription ?? "the agent at \(remote ?? "?") closed the connection" }

    public func write(_ line: String) -> Bool {
        guard input >= 0 else { return false }
        let bytes = Array(line.utf8)
        let deadline = monotonicMs() + Double(Self.writeBoundMs)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.write(input, $0.baseAddress, $0.count) }
            if n > 0 { sent += n; continue }
            guard n < 0, errno == EAGAIN || errno == EINTR else { return false }
            let left = Int(deadline - monotonicMs())
            guard left > 0 else { return false }
            var p = pollfd(fd: input, events: Int16(POLLOUT), revents: 0)
            _ = poll(&p, 1, Int32(min(left, 1000)))
        }
        return true
    }

    /// The next line, or nil when the bound passed or the child closed its output.
    public func readLine(timeoutMs: Int) -> String? {
        let deadline = monotonicMs() + Double(timeoutMs)
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let nl = buffer[scanned...].firstIndex(of: 10) {
                let line = String(decoding: buffer[..<nl], as: UTF8.self)
                buffer.removeSubrange(...nl)
                scanned = 0
                return line
            }
            scanned = buffer.count
            let left = Int(deadline - monotonicMs())
            guard left > 0, !outputClosed else { return nil }
            var p = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32(min(left, 1000))) > 0 else { continue }
            let n = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { outputClosed = true; return nil }
            buffer += chunk[0..<n]
        }
    }

    /// The last lines the child wrote to stderr (an assertion or a traceback, usually).
    public func stderrTail(lines: Int = 2) -> String {
        guard child != nil, let text = try? String(contentsOfFile: stderrPath, encoding: .utf8) else { return "" }
        let kept = text.split(separator: "\n").filter { !$0.hasPrefix("swift-runtime:") && !$0.contains("Backtracing") && !$0.isEmpty }
        return kept.suffix(lines).joined(separator: " | ")
    }

    public func kill() {
        guard let child else {
            // A remote agent: closing the connection ends its process there.
            Glibc.shutdown(output, Int32(SHUT_RDWR))
            return
        }
        child.kill()
        try? FileManager.default.removeItem(atPath: stderrPath)
    }

    /// Closes stdin and waits up to `ms` for the child to exit; true when it did.
    public func closeInputAndWait(ms: Int) -> Bool {
        endInput()
        guard let child else { return awaitRemoteClose(ms: ms) }
        child.wait(ms: ms)
        return !child.isRunning
    }

    /// Closes stdin (the polite end: the child exits at end of input), then kills what is left.
    public func finish(waitingMs: Int = 1000) {
        endInput()
        if child == nil { _ = awaitRemoteClose(ms: waitingMs) } else { child!.wait(ms: waitingMs) }
        kill()
    }

    /// The end of our input: a pipe is closed; a connection is half-closed (the agent still
    /// answers what it had, then sees end of input and exits).
    private func endInput() {
        guard input >= 0 else { return }
        if child == nil { Glibc.shutdown(input, Int32(SHUT_WR)) }
        close(input)
        input = -1
    }

    /// A remote agent closes its end when it exits: true when that happened within `ms`.
    private func awaitRemoteClose(ms: Int) -> Bool {
        // One bound for the whole wait: an agent that keeps writing lines cannot extend it.
        let deadline = monotonicMs() + Double(ms)
        while !outputClosed {
            let left = Int(deadline - monotonicMs())
            guard left > 0, readLine(timeoutMs: left) != nil else { break }
        }
        return outputClosed
    }
}
