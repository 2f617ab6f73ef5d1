import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process spoken to in lines: requests on its stdin, one answer line each on its
/// stdout, stderr kept in a file for the report when it dies. Reads and writes have a bound;
/// a child that does not answer in time is the caller's to kill. Used for cell workers and agents.
public final class LineProcess: @unchecked Sendable {
    private let child: ChildProcess
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
        input = toChild.write
        output = fromChild.read
        // Non-blocking writes: a child that stops reading cannot block us past the write bound.
        _ = fcntl(input, F_SETFL, fcntl(input, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        if input >= 0 { close(input) }
        close(output)
    }

    public var pid: Int32 { child.pid }

    /// True when the child is gone (its output closed because it died), waiting a moment for
    /// the exit to be reaped.
    public func hasExited(waitingMs: Int) -> Bool {
        guard outputClosed || !child.isRunning else { return false }
        child.wait(ms: waitingMs)
        return true
    }

    public var exitDescription: String { child.exitDescription }

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
        guard let text = try? String(contentsOfFile: stderrPath, encoding: .utf8) else { return "" }
        let kept = text.split(separator: "\n").filter { !$0.hasPrefix("swift-runtime:") && !$0.contains("Backtracing") && !$0.isEmpty }
        return kept.suffix(lines).joined(separator: " | ")
    }

    public func kill() {
        child.kill()
        try? FileManager.default.removeItem(atPath: stderrPath)
    }

    /// Closes stdin and waits up to `ms` for the child to exit; true when it did.
    public func closeInputAndWait(ms: Int) -> Bool {
        if input >= 0 { close(input); input = -1 }
        child.wait(ms: ms)
        return !child.isRunning
    }

    /// Closes stdin (the polite end: the child exits at end of input), then kills what is left.
    public func finish(waitingMs: Int = 1000) {
        if input >= 0 { close(input); input = -1 }
        child.wait(ms: waitingMs)
        kill()
    }
}
