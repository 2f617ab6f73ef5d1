import CZeroMQ
import Foundation
import Harness

/// The agent protocol's `perf` operation (agents/PROTOCOL.md), served by zmq-agent with the
/// Swift loops: both ends run as threads inside the agent, so the figures are the
/// implementation's own, and only the request and the result cross the JSON channel.
public enum AgentPerf {
    public static func perform(_ r: AgentRequest) throws -> AgentReply {
        guard let kind = r.kind, let endpoint = r.endpoint, let first = r.first.flatMap(SocketType.init(rawValue:)),
            let second = r.second.flatMap(SocketType.init(rawValue:)), let size = r.size, let count = r.count, count > 0
        else {
            throw PerfError.zmq("perf needs kind, endpoint, first, second (socket types), size and count")
        }
        var out = AgentReply()
        switch kind {
        case "latency":
            out.samplesNs = try SwiftLoops.latency(
                endpoint: endpoint, client: first.zmqValue, server: second.zmqValue,
                size: size, warmup: r.warmup ?? 0, count: count)
        case "throughput":
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
