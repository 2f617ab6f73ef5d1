import Foundation
import Harness

/// Progress on stderr: one rewritten line on a terminal, a plain line per problem cell otherwise.
/// Keeps the finished results for the reports.
final class Progress: @unchecked Sendable {
    private let total: Int
    private let lock = NSLock()
    private var done: [CellResult] = []
    private var failures = 0
    private let tty = isatty(STDERR_FILENO) == 1

    init(total: Int) { self.total = total }

    func add(_ r: CellResult) {
        lock.lock(); defer { lock.unlock() }
        done.append(r)
        let bad = r.outcome == .FAIL || r.outcome == .ERROR
        if bad { failures += 1 }
        if tty {
            var line = "\r\u{1B}[K[\(done.count)/\(total)] failures: \(failures)"
            if bad { line = "\r\u{1B}[K\(r.outcome.rawValue) \(r.key): \(r.detail)\n" + line }
            FileHandle.standardError.write(Data(line.utf8))
        } else if bad || done.count % 100 == 0 || done.count == total {
            let line = bad ? "\(r.outcome.rawValue) \(r.key): \(r.detail)\n" : "[\(done.count)/\(total)] failures: \(failures)\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    func end() { if tty { FileHandle.standardError.write(Data("\n".utf8)) } }

    /// The finished cells, in the order they finished.
    var results: [CellResult] {
        lock.lock(); defer { lock.unlock() }
        return done
    }
}

/// Ctrl-C: the first asks the run to stop starting cells; the second runs `onSecond`.
final class Interrupt: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var source: DispatchSourceSignal?

    var requested: Bool {
        lock.lock(); defer { lock.unlock() }
        return count > 0
    }

    func install(onSecond: @escaping @Sendable () -> Void) {
        signal(SIGINT, SIG_IGN)
        let s = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        s.setEventHandler { [self] in
            lock.lock(); count += 1; let n = count; lock.unlock()
            if n == 1 {
                FileHandle.standardError.write(Data("\nzmqsuite: stopping after the cells in progress (Ctrl-C again to stop now)\n".utf8))
            } else {
                onSecond()
            }
        }
        s.resume()
        source = s
    }
}
