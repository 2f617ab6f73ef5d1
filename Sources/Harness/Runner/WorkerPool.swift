import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs cells in child processes (`zmqsuite worker`), one cell at a time per worker, so an
/// implementation that aborts (libzmq asserts) or hangs costs one ERROR cell: the worker is
/// killed or found dead, replaced, and the run goes on.
public final class WorkerPool: @unchecked Sendable {
    private let executable: String
    private let casesDirectory: String
    private let lock = NSLock()
    private var idle: [Worker] = []

    /// `executable` is a zmqsuite binary; `casesDirectory` the catalogue the cells come from.
    public init(executable: String, casesDirectory: String) {
        self.executable = executable
        self.casesDirectory = casesDirectory
    }

    /// The zmqsuite binary to start workers from: this process if it is zmqsuite, else the
    /// one beside it (the test runner lives next to it in .build/debug).
    public static func defaultExecutable() -> String? {
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        if me.lastPathComponent == "zmqsuite" { return me.path }
        var dir = me.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("zmqsuite").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    public func run(_ cell: Cell, base: CellResult, boundMs: Int) -> CellResult {
        let worker: Worker
        do { worker = try take() } catch {
            var r = base
            r.outcome = .ERROR
            r.detail = "could not start a worker process: \(error)"
            return r
        }
        let start = monotonicMs()
        let request = "{\"caseId\":\(json(cell.definition.id)),\"transport\":\(json(cell.transport.rawValue))}\n"
        guard worker.write(request), let line = worker.readLine(timeoutMs: boundMs) else {
            var r = base
            r.outcome = .ERROR
            r.durationSeconds = (monotonicMs() - start) / 1000
            let crashed = worker.hasExited(waitingMs: 1000)
            let tail = worker.stderrTail()
            worker.kill()
            r.detail = crashed
                ? "the implementation crashed the worker process (\(worker.exitDescription))" + (tail.isEmpty ? "" : ": \(tail)")
                : "cell did not finish within \(boundMs) ms: the implementation hung; worker killed"
            return r
        }
        give(worker)
        guard let data = line.data(using: .utf8), let result = try? JSONDecoder().decode(CellResult.self, from: data) else {
            var r = base
            r.outcome = .ERROR
            r.detail = "worker answered something that is not a cell result: \(line.prefix(200))"
            return r
        }
        return result
    }

    private func take() throws -> Worker {
        lock.lock()
        if let w = idle.popLast() { lock.unlock(); return w }
        lock.unlock()
        return try Worker(executable: executable, casesDirectory: casesDirectory)
    }

    private func give(_ w: Worker) {
        lock.lock(); idle.append(w); lock.unlock()
    }

    public func shutdown() {
        lock.lock(); let all = idle; idle = []; lock.unlock()
        for w in all { w.kill() }
    }
}

private func json(_ s: String) -> String {
    String(decoding: try! JSONEncoder().encode(s), as: UTF8.self)
}

/// One `zmqsuite worker` child: JSON lines in on stdin, one result line out per request.
private final class Worker {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let stderrPath: String
    private var buffer: [UInt8] = []

    init(executable: String, casesDirectory: String) throws {
        stderrPath = FileManager.default.temporaryDirectory.appendingPathComponent("zmqsuite-worker-\(getpid())-\(UUID().uuidString).log").path
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["worker", "--cases", casesDirectory]
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"  // a crash is expected here; do not spend seconds symbolicating
        process.environment = env
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
    }

    /// True when the worker is gone (its output closed because it died), waiting a moment
    /// for the exit to be reaped.
    func hasExited(waitingMs: Int) -> Bool {
        guard outputClosed else { return false }
        let deadline = monotonicMs() + Double(waitingMs)
        while process.isRunning && monotonicMs() < deadline { usleep(5000) }
        return true
    }

    private var outputClosed = false

    var exitDescription: String {
        guard !process.isRunning else { return "still running" }
        return process.terminationReason == .uncaughtSignal ? "signal \(process.terminationStatus)" : "exit \(process.terminationStatus)"
    }

    func write(_ line: String) -> Bool {
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

    /// The next line, or nil when the bound passed or the worker died.
    func readLine(timeoutMs: Int) -> String? {
        let fd = output.fileHandleForReading.fileDescriptor
        let deadline = monotonicMs() + Double(timeoutMs)
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let nl = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<nl], as: UTF8.self)
                buffer.removeSubrange(...nl)
                return line
            }
            let left = Int(deadline - monotonicMs())
            guard left > 0 else { return nil }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32(min(left, 1000))) > 0 else { continue }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { outputClosed = true; return nil }
            buffer += chunk[0..<n]
        }
    }

    /// The last lines the worker wrote to stderr (an assertion message, usually).
    func stderrTail() -> String {
        guard let text = try? String(contentsOfFile: stderrPath, encoding: .utf8) else { return "" }
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("swift-runtime:") && !$0.contains("Backtracing") && !$0.isEmpty }
        return lines.suffix(2).joined(separator: " | ")
    }

    func kill() {
        if process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: stderrPath)
    }
}
