import CZeroMQ
import Foundation
import Harness

/// The agent protocol's `perf` operation (agents/PROTOCOL.md), served by zmq-agent with the
/// Swift loops: both ends run as threads inside the agent, so the figures are the
/// implementation's own, and only the request and the result cross the JSON channel.
public enum AgentPerf {
    public static func perform(_ r: [String: Any]) throws -> [String: Any] {
        guard let kind = r["kind"] as? String, let endpoint = r["endpoint"] as? String,
              let first = (r["first"] as? String).flatMap(SocketType.init(rawValue:)),
              let second = (r["second"] as? String).flatMap(SocketType.init(rawValue:)),
              let size = (r["size"] as? NSNumber)?.intValue, let count = (r["count"] as? NSNumber)?.intValue, count > 0 else {
            throw PerfError.zmq("perf needs kind, endpoint, first, second (socket types), size and count")
        }
        switch kind {
        case "latency":
            let warmup = (r["warmup"] as? NSNumber)?.intValue ?? 0
            return ["samples_ns": try SwiftLoops.latency(endpoint: endpoint, client: first.zmqValue, server: second.zmqValue,
                                                         size: size, warmup: warmup, count: count)]
        case "throughput":
            return ["elapsed_ns": try SwiftLoops.throughput(endpoint: endpoint, sender: first.zmqValue, receiver: second.zmqValue,
                                                            size: size, count: count), "received": count]
        default:
            throw PerfError.zmq("perf kind '\(kind)': expected latency or throughput")
        }
    }
}
