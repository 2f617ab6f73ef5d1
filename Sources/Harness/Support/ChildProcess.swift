import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with posix_spawn and reaped with waitpid, so that every wait has a
/// bound. Foundation's Process was used before: its waitUntilExit has no bound and, with
/// agents started from many threads, once never returned and hung a CI run for 90 minutes.
/// swift-subprocess is async-only; the runner's cells are plain threads.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    /// glibc's posix_spawn_file_actions_addclosefrom_np (2.34+), which Swift's Glibc module
    /// does not import.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(sym, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()
    private let lock = NSLock()
    private var status: Int32?

    /// Starts `executable`; the given descriptors become the child's stdin, stdout and stderr.
    /// Every other descriptor is closed in the child: ours are close-on-exec (pipes are made
    /// with O_CLOEXEC), but swift-nio's accepted sockets are not, and a child holding a relay's
    /// connection keeps it open after the relay closes it (the peer never sees the close).
    public init(
        executable: String, arguments: [String], environment: [String: String]?,
        stdin: Int32, stdout: Int32, stderr: Int32
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }

        // The child starts with default SIGPIPE handling even though we ignore it.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        // A process group of its own: Ctrl-C in the terminal goes to zmqsuite alone, which stops
        // the run; a worker or agent killed by that SIGINT would be recorded as a crash of the
        // implementation. Children end when their stdin closes, so they do not outlive us.
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { for p in argv + envp { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else {
            throw ProcessError("posix_spawn \(executable)", code: rc)
        }
        pid = child
    }

    /// The wait status once the child has been reaped; nil while it runs.
    private func reap(blocking: Bool) -> Int32? {
        lock.lock(); defer { lock.unlock() }
        if let status { return status }
        var st: Int32 = 0
        let r = waitpid(pid, &st, blocking ? 0 : WNOHANG)
        if r == pid { status = st } else if r < 0 && errno == ECHILD { status = -1 }
        return status
    }

    public var isRunning: Bool { reap(blocking: false) == nil }

    /// Waits at most `ms` for the child to end; true when it has.
    @discardableResult
    public func wait(ms: Int) -> Bool {
        let deadline = monotonicMs() + Double(ms)
        while isRunning {
            if monotonicMs() >= deadline { return false }
            usleep(2000)
        }
        return true
    }

    /// SIGKILL, then a bounded wait for the kernel to end it.
    public func kill() {
        guard isRunning else { return }
        Glibc.kill(pid, SIGKILL)
        wait(ms: 5000)
    }

    /// "exit N" or "signal N", or "still running".
    public var exitDescription: String {
        guard let st = reap(blocking: false) else { return "still running" }
        if st == -1 { return "reaped elsewhere" }
        let signal = st & 0x7f
        return signal == 0 ? "exit \((st >> 8) & 0xff)" : "signal \(signal)"
    }

    /// A pipe whose both ends are close-on-exec from the start (pipe2 with O_CLOEXEC; Glibc's
    /// Swift module hides pipe2 behind _GNU_SOURCE, so it is looked up by name).
    public static func closeOnExecPipe() -> (read: Int32, write: Int32)? {
        typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
        guard let symbol = dlsym(nil, "pipe2") else { return nil }
        var fds: [Int32] = [0, 0]
        guard unsafeBitCast(symbol, to: Pipe2.self)(&fds, O_CLOEXEC) == 0 else { return nil }
        return (fds[0], fds[1])
    }

    /// Runs a command to its end and returns its standard output, or nil when it fails or
    /// takes longer than the bound.
    public static func output(of executable: String, _ arguments: [String], boundMs: Int = 5000) -> String? {
        let r = run(executable, arguments, boundMs: boundMs, withStderr: false)
        return r.status == 0 ? r.output : nil
    }

    /// Runs a command to its end: its exit status (-1 when it could not start, was killed at
    /// the bound or died of a signal) and its output (stdout, and stderr when asked).
    public static func run(_ executable: String, _ arguments: [String], boundMs: Int = 10000, withStderr: Bool = true) -> (status: Int32, output: String) {
        guard let (outRead, outWrite) = closeOnExecPipe() else { return (-1, "cannot make a pipe") }
        let devnull = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(outRead); if devnull >= 0 { close(devnull) } }
        let child: ChildProcess
        do {
            child = try ChildProcess(
                executable: executable, arguments: arguments, environment: nil,
                stdin: devnull, stdout: outWrite, stderr: withStderr ? outWrite : devnull)
        } catch {
            close(outWrite)
            return (-1, "\(error)")
        }
        close(outWrite)
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let deadline = monotonicMs() + Double(boundMs)
        while true {
            let left = Int(deadline - monotonicMs())
            var p = pollfd(fd: outRead, events: Int16(POLLIN), revents: 0)
            guard left > 0, poll(&p, 1, Int32(left)) > 0 else {
                child.kill()
                return (-1, "\(executable) did not finish within \(boundMs) ms")
            }
            let n = chunk.withUnsafeMutableBytes { read(outRead, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            data += chunk[0..<n]
        }
        let text = String(decoding: data, as: UTF8.self)
        guard child.wait(ms: max(0, Int(deadline - monotonicMs()))) else {
            child.kill()
            return (-1, text)
        }
        let description = child.exitDescription
        return (description.hasPrefix("exit ") ? Int32(description.dropFirst(5)) ?? -1 : -1, text)
    }
}
