import CPerfLoops
import CZeroMQ
import Foundation
import Harness

public enum PerfImplementation: String, CaseIterable, Sendable {
    case swift = "libzmq-swift", c = "libzmq-c"
}

public struct LatencyPattern: Sendable {
    public let name: String, client: Int32, server: Int32
    public static let all = [LatencyPattern(name: "req-rep", client: ZMQ_REQ, server: ZMQ_REP),
                             LatencyPattern(name: "dealer-router", client: ZMQ_DEALER, server: ZMQ_ROUTER),
                             LatencyPattern(name: "pair", client: ZMQ_PAIR, server: ZMQ_PAIR)]
}

public struct ThroughputPattern: Sendable {
    public let name: String, sender: Int32, receiver: Int32
    public static let all = [ThroughputPattern(name: "push-pull", sender: ZMQ_PUSH, receiver: ZMQ_PULL),
                             ThroughputPattern(name: "dealer-dealer", sender: ZMQ_DEALER, receiver: ZMQ_DEALER),
                             ThroughputPattern(name: "pair", sender: ZMQ_PAIR, receiver: ZMQ_PAIR)]
}

/// Runs latency and throughput measurements. The hot loops run in the implementation's own
/// code (Swift over libzmq, or the C reference); this only starts them and collects numbers.
public struct PerfRunner: Sendable {
    public var trials: Int
    public var warmup: Int

    public init(trials: Int = 3, warmup: Int = 1000) {
        self.trials = max(1, trials)
        self.warmup = warmup
    }

    private static let counter = AtomicCounter()

    static func endpoint(_ transport: String) throws -> String {
        let n = counter.next()
        switch transport {
        case "inproc": return "inproc://zsperf-\(n)"
        case "ipc": return "ipc://" + FileManager.default.temporaryDirectory.appendingPathComponent("zsperf-\(getpid())-\(n).sock").path
        case "tcp": return "tcp://127.0.0.1:*"
        default: throw PerfError.zmq("unknown transport \(transport): expected inproc, ipc or tcp")
        }
    }

    public func latency(_ impl: PerfImplementation, transport: String, pattern: LatencyPattern, size: Int, count: Int) throws -> PerfResult {
        var p50: [Double] = [], p99: [Double] = []
        var last: LatencySummary?
        for _ in 0..<trials {
            let ep = try Self.endpoint(transport)
            let samples: [Int64]
            switch impl {
            case .swift:
                samples = try SwiftLoops.latency(endpoint: ep, client: pattern.client, server: pattern.server, size: size, warmup: warmup, count: count)
            case .c:
                var buffer = [Int64](repeating: 0, count: count)
                guard zsp_latency(ep, pattern.client, pattern.server, size, Int32(warmup), Int32(count), &buffer) == 0 else {
                    throw ZMQError.last("C latency loop")
                }
                samples = buffer
            }
            let s = LatencySummary(samplesNs: samples)
            p50.append(s.p50Us)
            p99.append(s.p99Us)
            last = s
        }
        return PerfResult(kind: "latency", implementation: impl.rawValue, transport: transport, pattern: pattern.name, size: size,
                          count: count, latency: last, latencyP50Us: Trials(p50), latencyP99Us: Trials(p99))
    }

    public func throughput(_ impl: PerfImplementation, transport: String, pattern: ThroughputPattern, size: Int, count: Int) throws -> PerfResult {
        var rates: [Double] = []
        for _ in 0..<trials {
            let ep = try Self.endpoint(transport)
            let elapsed: Int64
            switch impl {
            case .swift:
                elapsed = try SwiftLoops.throughput(endpoint: ep, sender: pattern.sender, receiver: pattern.receiver, size: size, count: count)
            case .c:
                var e: Int64 = 0
                guard zsp_throughput(ep, pattern.sender, pattern.receiver, size, Int32(count), &e) == 0 else {
                    throw ZMQError.last("C throughput loop")
                }
                elapsed = e
            }
            // local_thr measures from the first message to the last: count - 1 intervals.
            rates.append(Double(max(count - 1, 1)) / (Double(max(elapsed, 1)) / 1e9))
        }
        let t = Trials(rates)
        return PerfResult(kind: "throughput", implementation: impl.rawValue, transport: transport, pattern: pattern.name, size: size,
                          count: count, messagesPerSecond: t, megabytesPerSecond: t.median * Double(size) / 1e6)
    }

    public func baselineLatency(_ raw: RawTransport, size: Int, count: Int) throws -> PerfResult {
        var p50: [Double] = [], p99: [Double] = []
        var last: LatencySummary?
        for _ in 0..<trials {
            let s = LatencySummary(samplesNs: try Baselines.latency(raw, size: size, warmup: warmup, count: count))
            p50.append(s.p50Us)
            p99.append(s.p99Us)
            last = s
        }
        return PerfResult(kind: "latency", implementation: raw.rawValue, transport: raw.zmqTransport, pattern: "ping-pong", size: size,
                          count: count, latency: last, latencyP50Us: Trials(p50), latencyP99Us: Trials(p99))
    }

    public func baselineThroughput(_ raw: RawTransport, size: Int, count: Int) throws -> PerfResult {
        var rates: [Double] = []
        for _ in 0..<trials {
            let elapsed = try Baselines.throughput(raw, size: size, count: count)
            rates.append(Double(max(count - 1, 1)) / (Double(max(elapsed, 1)) / 1e9))
        }
        let t = Trials(rates)
        return PerfResult(kind: "throughput", implementation: raw.rawValue, transport: raw.zmqTransport, pattern: "stream", size: size,
                          count: count, messagesPerSecond: t, megabytesPerSecond: t.median * Double(size) / 1e6)
    }

    /// Fills in each ZeroMQ figure's ratio to the raw baseline and to the C loop of the same
    /// kind, transport, pattern and size, all measured in this run.
    public static func relate(_ results: [PerfResult]) -> [PerfResult] {
        results.map { r in
            var r = r
            guard !r.implementation.hasPrefix("raw-") else { return r }
            let baseline = results.first { $0.implementation.hasPrefix("raw-") && $0.kind == r.kind && $0.transport == r.transport && $0.size == r.size }
            let c = results.first { $0.implementation == PerfImplementation.c.rawValue && $0.kind == r.kind && $0.transport == r.transport && $0.pattern == r.pattern && $0.size == r.size }
            if r.kind == "throughput" {
                if let b = baseline?.messagesPerSecond?.median, b > 0 { r.ratioToBaseline = (r.messagesPerSecond?.median ?? 0) / b }
                if let c, r.implementation != c.implementation, let cm = c.messagesPerSecond?.median, cm > 0 { r.ratioToC = (r.messagesPerSecond?.median ?? 0) / cm }
            } else {
                if let b = baseline?.latencyP50Us?.median, let mine = r.latencyP50Us?.median, mine > 0 { r.ratioToBaseline = b / mine }
                if let c, r.implementation != c.implementation, let cm = c.latencyP50Us?.median, cm > 0 { r.ratioToC = (r.latencyP50Us?.median ?? 0) / cm }
            }
            return r
        }
    }
}
