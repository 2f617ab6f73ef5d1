import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process spoken to in lines: requests on its stdin, one answer line each on its
/// stdout, stderr kept in a file for the report when it dies. Reads have a bound; a child that
/// does not answer in time is the caller's to kill. Used for cell workers and agents.
public final class LineProcess: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let stderrPath: String
    private var buffer: [UInt8] = []
    /// How much of `buffer` is known to hold no newline (long lines arrive in many chunks).
    private var scanned = 0
    private var outputClosed = false

    public init(executable: String, arguments: [String], environment: [String: String]? = nil) throws {
        // A child that dies makes our next write fail with EPIPE; without this the signal kills us.
        signal(SIGPIPE, SIG_IGN)
        stderrPath = FileManager.default.temporaryDirectory.appendingPathComponent("zmqsuite-child-\(getpid())-\(UUID().uuidString).log").path
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = environment ?? ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"  // a crash is an outcome here; do not spend seconds symbolicating
        process.environment = env
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }

    /// True when the child is gone (its output closed because it died), waiting a moment for
    /// the exit to be reaped.
    public func hasExited(waitingMs: Int) -> Bool {
        guard outputClosed || !process.isRunning else { return false }
        let deadline = monotonicMs() + Double(waitingMs)
        while process.isRunning && monotonicMs() < deadline { usleep(5000) }
        return true
    }

    public var exitDescription: String {
        guard !process.isRunning else { return "still running" }
        return process.terminationReason == .uncaughtSignal ? "signal \(process.terminationStatus)" : "exit \(process.terminationStatus)"
    }

    public func write(_ line: String) -> Bool {
        let fd = input.fileHandleForWriting.fileDescriptor
        let bytes = Array(line.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    /// The next line, or nil when the bound passed or the child closed its output.
    public func readLine(timeoutMs: Int) -> String? {
        let fd = output.fileHandleForReading.fileDescriptor
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
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32(min(left, 1000))) > 0 else { continue }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
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
        if process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: stderrPath)
    }

    /// Closes stdin (the polite end: the child exits at end of input), then kills what is left.
    public func finish(waitingMs: Int = 1000) {
        try? input.fileHandleForWriting.close()
        let deadline = monotonicMs() + Double(waitingMs)
        while process.isRunning && monotonicMs() < deadline { usleep(5000) }
        kill()
    }
}
