import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs cells in child processes (`zmqsuite worker`), one cell at a time per worker, so an
/// implementation that aborts (libzmq asserts) or hangs costs one ERROR cell: the worker is
/// killed or found dead, replaced, and the run goes on.
public final class WorkerPool: @unchecked Sendable {
    private let executable: String
    /// The in-process implementation the workers run (WorkerRequest.inProcessDrivers).
    private let driver: String
    private let lock = NSLock()
    private var idle: [LineProcess] = []

    /// `executable` is a zmqsuite binary; `driver` names the in-process implementation.
    public init(executable: String, driver: String = "libzmq") {
        self.executable = executable
        self.driver = driver
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
        let worker: LineProcess
        do { worker = try take() } catch {
            var r = base
            r.outcome = .ERROR
            r.detail = "could not start a worker process: \(error)"
            return r
        }
        let start = monotonicMs()
        let request = String(decoding: try! JSONEncoder().encode(WorkerRequest(cell: cell, driver: driver)), as: UTF8.self) + "\n"
        guard worker.write(request), let line = worker.readLine(timeoutMs: boundMs) else {
            var r = base
            r.outcome = .ERROR
            r.durationSeconds = (monotonicMs() - start) / 1000
            let crashed = worker.hasExited(waitingMs: 1000)
            let tail = worker.stderrTail()
            worker.kill()
            EndpointAllocator.removeLeftovers(ofProcess: worker.pid)
            r.detail =
                crashed
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

    private func take() throws -> LineProcess {
        lock.lock()
        if let w = idle.popLast() { lock.unlock(); return w }
        lock.unlock()
        return try LineProcess(executable: executable, arguments: ["worker"])
    }

    private func give(_ w: LineProcess) {
        lock.lock(); idle.append(w); lock.unlock()
    }

    public func shutdown() {
        lock.lock(); let all = idle; idle = []; lock.unlock()
        for w in all { w.kill() }
    }
}
