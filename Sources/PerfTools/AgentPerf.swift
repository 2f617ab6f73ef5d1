import CPerfLoops
import CZeroMQ
import Foundation
import Harness

/// The agent protocol's `perf` operation (agents/PROTOCOL.md), served by zmq-agent with the
/// Swift loops (or, `zmq-agent --perf-loop c`, the C reference loops, so that their
/// instructions can be counted the same way): both ends run as threads inside the agent, so
/// the figures are the implementation's own, and only the request and the result cross the
/// JSON channel.
public enum AgentPerf {
    public enum Loop: String, Sendable { case swift, c }

    public static func perform(_ r: AgentRequest) throws -> AgentReply { try perform(r, loop: .swift) }

    public static func perform(_ r: AgentRequest, loop: Loop) throws -> AgentReply {
        guard let kind = r.kind, let endpoint = r.endpoint, let first = r.first.flatMap(SocketType.init(rawValue:)),
            let second = r.second.flatMap(SocketType.init(rawValue:)), let size = r.size, let count = r.count, count > 0
        else {
            throw PerfError.zmq("perf needs kind, endpoint, first, second (socket types), size and count")
        }
        var out = AgentReply()
        switch (kind, loop) {
        case ("latency", .c):
            var samples = [Int64](repeating: 0, count: count)
            guard zsp_latency(endpoint, first.zmqValue, second.zmqValue, size, Int32(r.warmup ?? 0), Int32(count), 0, 0, &samples) == 0 else {
                throw ZMQError.last("C latency loop, \(endpoint) \(size) B")
            }
            out.samplesNs = samples
        case ("throughput", .c):
            var elapsed: Int64 = 0
            guard zsp_throughput(endpoint, first.zmqValue, second.zmqValue, size, Int32(count), 1, 0, &elapsed) == 0 else {
                throw ZMQError.last("C throughput loop, \(endpoint) \(size) B")
            }
            (out.elapsedNs, out.received) = (elapsed, count)
        case ("latency", .swift):
            out.samplesNs = try SwiftLoops.latency(
                endpoint: endpoint, client: first.zmqValue, server: second.zmqValue,
                size: size, warmup: r.warmup ?? 0, count: count)
        case ("throughput", .swift):
            let (elapsed, windows) = try SwiftLoops.throughput(
                endpoint: endpoint, sender: first.zmqValue, receiver: second.zmqValue, size: size, count: count, windows: r.windows ?? 0)
            (out.elapsedNs, out.received) = (elapsed, count)
            if !windows.isEmpty { out.windowsNs = windows }
        default:
            throw PerfError.zmq("perf kind '\(kind)': expected latency or throughput")
        }
        return out
    }
}
