import Foundation
import Harness

/// The far end of a two-process measurement: `zmqsuite perf-peer` in a child process runs
/// the C reference peer (echo for latency, sink for throughput, like libzmq's local_lat and
/// local_thr), says "ready ENDPOINT" once bound, and "done ELAPSED_NS" when it has served.
struct RemotePeer {
    let process: LineProcess
    let endpoint: String

    static func start(_ command: [String], role: String, type: Int32, endpoint: String, messages: Int) throws -> RemotePeer {
        let p = try LineProcess(
            executable: command[0], arguments: Array(command.dropFirst()) + ["--role", role, "--type", "\(type)", "--endpoint", endpoint, "--messages", "\(messages)"])
        guard let line = p.readLine(timeoutMs: 10000), line.hasPrefix("ready ") else {
            p.kill()
            throw PerfError.zmq("the peer process did not bind \(endpoint): \(p.stderrTail())")
        }
        return RemotePeer(process: p, endpoint: String(line.dropFirst(6)))
    }

    /// The peer's result once it has served every message: the sink's elapsed nanoseconds.
    func done(timeoutMs: Int) throws -> Int64 {
        defer { process.finish() }
        guard let line = process.readLine(timeoutMs: timeoutMs), line.hasPrefix("done "), let ns = Int64(line.dropFirst(5)) else {
            throw PerfError.zmq("the peer process did not finish (\(process.exitDescription)) \(process.stderrTail())")
        }
        return ns
    }
}
