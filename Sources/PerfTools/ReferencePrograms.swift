import Foundation
import Harness

/// libzmq's own perf programs (perf/local_thr and perf/remote_thr of the libzmq source,
/// built against the installed library by scripts/build-libzmq-perf, never committed): the
/// figure the C loop is held against, so that "the C loop" is known to measure what libzmq's
/// maintainers measure. Two processes: local_thr binds and receives, remote_thr connects and sends.
public struct ReferencePrograms: Sendable {
    public let directory: String
    /// Why the last trial failed: a failed reference trial is recorded, not fatal to the
    /// group (the C and Swift figures beside it stand on their own).
    let failure = FailureBox()

    public init(directory: String) throws {
        for p in ["local_thr", "remote_thr"] where !FileManager.default.isExecutableFile(atPath: "\(directory)/\(p)") {
            throw PerfError.zmq("\(directory)/\(p) is missing: build libzmq's perf programs with scripts/build-libzmq-perf")
        }
        self.directory = directory
    }

    /// One trial: local_thr's own "mean throughput" in msg/s (it times the first message to
    /// the last, as the C loop does), or nan when the programs failed (`lastFailure` says why).
    func throughput(transport: Transport, size: Int, count: Int) -> Double {
        do { return try measure(transport: transport, size: size, count: count) } catch {
            failure.set("\(error)")
            return .nan
        }
    }

    var lastFailure: String? { failure.get() }

    private func measure(transport: Transport, size: Int, count: Int) throws -> Double {
        let endpoint: String
        switch transport {
        case .tcp:
            guard let (fd, port) = loopbackTCPSocket(listening: false) else { throw PerfError.zmq("no free loopback port for local_thr") }
            close(fd)
            endpoint = "tcp://127.0.0.1:\(port)"
        case .ipc:
            endpoint = "ipc://" + FileManager.default.temporaryDirectory.appendingPathComponent("zs-local-thr-\(getpid())-\(UUID().uuidString.prefix(8)).sock").path
        default:
            throw PerfError.zmq("local_thr and remote_thr cross processes: tcp or ipc, not \(transport.rawValue)")
        }
        let bound = 30_000
        // local_thr binds and waits; remote_thr connects and sends. Each run is bounded.
        let ((status, output), remote) = try simultaneously(
            { ChildProcess.run("\(directory)/local_thr", [endpoint, "\(size)", "\(count)"], boundMs: bound) },
            {
                // Over ipc, remote_thr starts once local_thr's socket file exists: a remote_thr
                // that connected first left local_thr waiting for ever, about one trial in twenty here.
                if transport == .ipc {
                    let path = String(endpoint.dropFirst("ipc://".count))
                    let deadline = Date().addingTimeInterval(5)
                    while !FileManager.default.fileExists(atPath: path) && Date() < deadline { usleep(1000) }
                }
                return ChildProcess.run("\(directory)/remote_thr", [endpoint, "\(size)", "\(count)"], boundMs: bound)
            })
        guard remote.status == 0 else { throw PerfError.zmq("remote_thr failed (\(remote.status)): \(remote.output)") }
        // "mean throughput: 2345678 [msg/s]"
        guard status == 0,
            let line = output.split(separator: "\n").first(where: { $0.contains("[msg/s]") }),
            let rate = Double(line.split(separator: ":").last?.split(separator: "[").first?.trimmingCharacters(in: .whitespaces) ?? "")
        else { throw PerfError.zmq("local_thr gave no throughput (\(status)): \(output)") }
        return rate
    }
}

final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var text: String?
    func set(_ s: String) { lock.lock(); text = s; lock.unlock() }
    func get() -> String? { lock.lock(); defer { lock.unlock() }; return text }
}
