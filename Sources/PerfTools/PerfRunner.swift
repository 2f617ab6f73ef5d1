import CPerfLoops
import CZeroMQ
import Foundation
import Harness

public enum PerfImplementation: String, CaseIterable, Sendable {
    case swift = "libzmq-swift", c = "libzmq-c"
}

public struct LatencyPattern: Sendable {
    public let name: String, client: Int32, server: Int32
    public static let all = [
        LatencyPattern(name: "req-rep", client: ZMQ_REQ, server: ZMQ_REP),
        LatencyPattern(name: "dealer-router", client: ZMQ_DEALER, server: ZMQ_ROUTER),
        LatencyPattern(name: "pair", client: ZMQ_PAIR, server: ZMQ_PAIR),
    ]
}

public struct ThroughputPattern: Sendable {
    public let name: String, sender: Int32, receiver: Int32
    public static let all = [
        ThroughputPattern(name: "push-pull", sender: ZMQ_PUSH, receiver: ZMQ_PULL),
        ThroughputPattern(name: "dealer-dealer", sender: ZMQ_DEALER, receiver: ZMQ_DEALER),
        ThroughputPattern(name: "pair", sender: ZMQ_PAIR, receiver: ZMQ_PAIR),
        ThroughputPattern(name: "pub-sub", sender: ZMQ_PUB, receiver: ZMQ_SUB),
        ThroughputPattern(name: "dealer-router", sender: ZMQ_DEALER, receiver: ZMQ_ROUTER),
    ]
}

/// Runs latency and throughput measurements. The hot loops run in the implementation's own
/// code (Swift over libzmq, or the C reference); this only starts them and collects numbers.
public struct PerfRunner: Sendable {
    public var trials: Int
    public var warmup: Int
    /// Latency at a fixed rate (requests per second) instead of back to back; the
    /// percentiles are then corrected for coordinated omission. nil: back to back.
    public var rate: Double?
    /// When set, each subject's count is sized from a short calibration run so that a trial
    /// lasts about this long, never more than the count asked for: an implementation gone
    /// 100 times slower (the gate's injected regressions) still finishes in bounded time.
    public var trialSeconds: Double?
    /// CURVE on every ZeroMQ connection (the binding end is the server; fresh keys per
    /// trial). The raw baselines stay plain: their ratio is then what encryption costs too.
    public var curve: Bool
    /// Two-process mode: the command that starts the far end (`zmqsuite perf-peer`); the
    /// ZeroMQ figures then cross a process boundary. nil: both ends are threads of this process.
    public var peerCommand: [String]?
    /// Throughput: sender sockets (threads) sharing each trial's count, towards one receiver.
    public var senders: Int = 1
    /// libzmq's own local_thr/remote_thr, measured beside the C loop over ipc and tcp.
    public var reference: ReferencePrograms?

    public init(
        trials: Int = 3, warmup: Int = 1000, rate: Double? = nil, trialSeconds: Double? = nil, curve: Bool = false,
        peerCommand: [String]? = nil
    ) {
        self.trials = max(1, trials)
        self.warmup = warmup
        self.rate = rate
        self.trialSeconds = trialSeconds
        self.curve = curve
        self.peerCommand = peerCommand
    }

    /// The count for one subject: `count`, or fewer when a probe says it would take longer
    /// than trialSeconds (at least `floor`, which keeps percentiles meaningful).
    func calibrated(_ count: Int, floor: Int, secondsPerItem probe: () throws -> Double) rethrows -> Int {
        guard let target = trialSeconds, count > floor else { return count }
        let perItem = try probe()
        guard perItem.isFinite else { return count }
        return min(count, max(floor, Int(target / max(perItem, 1e-9))))
    }

    var intervalNs: Int64 { rate.map { Int64(1e9 / $0) } ?? 0 }

    /// A fresh endpoint for one trial (the harness's allocator: wildcard tcp port, private ipc
    /// directory, unique inproc name); the caller cleans the allocator up after the trial.
    static func endpoint(_ transport: Transport, _ endpoints: EndpointAllocator) throws -> String {
        guard PerfPlan.transports.contains(transport) else {
            throw PerfError.zmq("transport \(transport.rawValue): expected inproc, ipc or tcp")
        }
        return endpoints.bindEndpoint(for: transport)
    }

    /// One trial of one measurement: latency samples (ns) or a throughput elapsed time (ns).
    enum Subject { case zmq(PerfImplementation), raw(RawTransport), agent(AgentDriver), reference(ReferencePrograms) }

    /// A measurement inside an agent (the protocol's perf op): both ends are the agent's own.
    private func agentPerf(
        _ a: AgentDriver, _ kind: String, first: Int32, second: Int32, endpoint: String, size: Int,
        count: Int, windows: Int? = nil
    ) throws -> AgentReply {
        guard a.info.capabilities.features.contains("perf") else {
            throw PerfError.zmq("\(a.info.name) has no perf op (its hello lists: \(a.info.capabilities.features.joined(separator: ", ")))")
        }
        guard rate == nil, !curve, peerCommand == nil, senders == 1 else {
            throw PerfError.zmq("\(a.info.name): the agent perf op runs back to back, plain, one sender, in one process (no --rate, --curve, --senders or --processes 2)")
        }
        let name = { (t: Int32) in SocketType.allCases.first { $0.zmqValue == t }?.rawValue ?? "\(t)" }
        var request = AgentRequest(op: "perf")
        request.kind = kind
        request.first = name(first)
        request.second = name(second)
        request.endpoint = endpoint
        request.size = size
        request.warmup = warmup
        request.count = count
        request.windows = windows
        return try a.call(request, timeoutMs: 120_000)
    }

    func latencyTrial(_ subject: Subject, transport: Transport, pattern: LatencyPattern, size: Int, count: Int) throws -> LatencySummary {
        let endpoints = EndpointAllocator(cellTag: "perf")
        defer { endpoints.cleanup() }
        let expected = rate == nil ? nil : UInt64(intervalNs)
        switch subject {
        case .reference: throw PerfError.zmq("libzmq's perf programs are measured for throughput only")
        case .raw(let raw):
            return LatencySummary(samplesNs: try Baselines.latency(raw, size: size, warmup: warmup, count: count, intervalNs: intervalNs), expectedIntervalNs: expected)
        case .agent(let a):
            let r = try agentPerf(
                a, "latency", first: pattern.client, second: pattern.server, endpoint: try Self.endpoint(transport, endpoints),
                size: size, count: count)
            guard let samples = r.samplesNs, samples.count == count else {
                throw PerfError.zmq("\(a.info.name): perf latency gave no \(count) samples")
            }
            return LatencySummary(samplesNs: samples, expectedIntervalNs: expected)
        case .zmq(let impl) where peerCommand != nil:
            let peer = try RemotePeer.start(
                peerCommand!, role: "echo", type: pattern.server, endpoint: try Self.endpoint(transport, endpoints),
                messages: warmup + count)
            var samples = [Int64](repeating: 0, count: count)
            if impl == .swift {
                samples = try SwiftLoops.latencyRemote(
                    endpoint: peer.endpoint, client: pattern.client, size: size, warmup: warmup,
                    count: count, intervalNs: intervalNs)
            } else if zsp_latency_client(peer.endpoint, pattern.client, size, Int32(warmup), Int32(count), intervalNs, &samples) != 0 {
                throw ZMQError.last("C latency client, \(transport.rawValue) \(size) B")
            }
            _ = try peer.done(timeoutMs: 10000)
            return LatencySummary(samplesNs: samples, expectedIntervalNs: expected)
        case .zmq(.swift):
            return LatencySummary(
                samplesNs: try SwiftLoops.latency(
                    endpoint: try Self.endpoint(transport, endpoints), client: pattern.client,
                    server: pattern.server, size: size, warmup: warmup, count: count,
                    intervalNs: intervalNs, curve: curve), expectedIntervalNs: expected)
        case .zmq(.c):
            var buffer = [Int64](repeating: 0, count: count)
            guard
                zsp_latency(
                    try Self.endpoint(transport, endpoints), pattern.client, pattern.server, size, Int32(warmup), Int32(count),
                    intervalNs, curve ? 1 : 0, &buffer) == 0
            else {
                throw ZMQError.last("C latency loop, \(transport.rawValue) \(size) B")
            }
            return LatencySummary(samplesNs: buffer, expectedIntervalNs: expected)
        }
    }

    func throughputTrial(_ subject: Subject, transport: Transport, pattern: ThroughputPattern, size: Int, count: Int) throws -> Double {
        try throughputTrial(subject, transport: transport, pattern: pattern, size: size, count: count, windows: 0).rate
    }

    /// One throughput trial: its rate over the whole trial, and with `windows` > 0 (an agent
    /// whose perf op times windows) its steady rate, the messages of one window over the
    /// median window's time. The median keeps a trial's figure from moving with one pause of
    /// the machine (a preempted thread, a page-cache flush) that the whole-trial rate absorbs.
    func throughputTrial(
        _ subject: Subject, transport: Transport, pattern: ThroughputPattern, size: Int, count: Int, windows: Int
    ) throws -> (rate: Double, steady: Double?) {
        let endpoints = EndpointAllocator(cellTag: "perf")
        defer { endpoints.cleanup() }
        let elapsed: Int64
        var steady: Double?
        switch subject {
        case .reference(let programs): return (programs.throughput(transport: transport, size: size, count: count), nil)
        case .raw(let raw): elapsed = try Baselines.throughput(raw, size: size, count: count)
        case .agent(let a):
            let r = try agentPerf(
                a, "throughput", first: pattern.sender, second: pattern.receiver, endpoint: try Self.endpoint(transport, endpoints),
                size: size, count: count, windows: windows > 0 ? windows : nil)
            guard let ns = r.elapsedNs, r.received == count else {
                throw PerfError.zmq("\(a.info.name): perf throughput did not report \(count) messages received")
            }
            elapsed = ns
            if let w = r.windowsNs, w.count == windows, w.allSatisfy({ $0 > 0 }) {
                steady = Double(SwiftLoops.windowSize(count: count, windows: windows)) / (Trials.median(of: w.map(Double.init)) / 1e9)
            }
        case .zmq(let impl) where peerCommand != nil:
            let peer = try RemotePeer.start(
                peerCommand!, role: "sink", type: pattern.receiver, endpoint: try Self.endpoint(transport, endpoints),
                messages: count)
            if impl == .swift {
                try SwiftLoops.throughputRemote(endpoint: peer.endpoint, sender: pattern.sender, size: size, count: count)
            } else if zsp_throughput_sender(peer.endpoint, pattern.sender, size, Int32(count)) != 0 {
                throw ZMQError.last("C throughput sender, \(transport.rawValue) \(size) B")
            }
            elapsed = try peer.done(timeoutMs: 30000)
        case .zmq(.swift):
            elapsed = try SwiftLoops.throughput(
                endpoint: try Self.endpoint(transport, endpoints), sender: pattern.sender, receiver: pattern.receiver, size: size, count: count, curve: curve,
                senders: senders
            ).elapsed
        case .zmq(.c):
            var e: Int64 = 0
            guard zsp_throughput(try Self.endpoint(transport, endpoints), pattern.sender, pattern.receiver, size, Int32(count), Int32(senders), curve ? 1 : 0, &e) == 0
            else {
                throw ZMQError.last("C throughput loop, \(transport.rawValue) \(size) B")
            }
            elapsed = e
        }
        // local_thr measures from the first message to the last: count - 1 intervals.
        return (Double(max(count - 1, 1)) / (Double(max(elapsed, 1)) / 1e9), steady)
    }

    /// Runs trial k of every subject before trial k+1 of any, so drift on a noisy machine falls
    /// on all of them; returns each subject's trials.
    private func interleaved<T>(_ subjects: [Subject], _ trial: (Int) throws -> T) rethrows -> [[T]] {
        var runs = [[T]](repeating: [], count: subjects.count)
        for _ in 0..<trials {
            for i in subjects.indices { runs[i].append(try trial(i)) }
        }
        return runs
    }

    private static func subjects(_ impls: [PerfImplementation], _ agents: [AgentDriver], _ baseline: RawTransport?) -> [Subject] {
        impls.map { Subject.zmq($0) } + agents.map { Subject.agent($0) } + (baseline.map { [Subject.raw($0)] } ?? [])
    }

    /// Subject i's ratio to the raw baseline and to the C loop, each the median of per-trial
    /// ratios (`over(a, b)` divides trial a by trial b in whatever sense "better" means).
    private static func ratios<T>(_ i: Int, _ subjects: [Subject], _ runs: [[T]], over: (T, T) -> Double) -> (baseline: Double?, c: Double?) {
        let isRaw = { (s: Subject) in if case .raw = s { return true } else { return false } }
        let isC = { (s: Subject) in if case .zmq(.c) = s { return true } else { return false } }
        guard !isRaw(subjects[i]) else { return (nil, nil) }
        let raw = subjects.lastIndex(where: isRaw)
        let c = isC(subjects[i]) ? nil : subjects.firstIndex(where: isC)
        let paired = { (j: Int) in Trials(zip(runs[i], runs[j]).map(over)).median }
        return (raw.map(paired), c.map(paired))
    }

    /// Latency of every implementation and the raw baseline of one configuration, side by side.
    public func latencyGroup(
        _ impls: [PerfImplementation], agents: [AgentDriver] = [], baseline: RawTransport?, transport: Transport,
        pattern: LatencyPattern, size: Int, count: Int
    ) throws -> [PerfResult] {
        let subjects = Self.subjects(impls, agents, baseline)
        let counts = try subjects.map { s in
            try calibrated(count, floor: 1000) { try latencyTrial(s, transport: transport, pattern: pattern, size: size, count: 200).meanUs / 1e6 }
        }
        let runs = try interleaved(subjects) { i in
            try latencyTrial(subjects[i], transport: transport, pattern: pattern, size: size, count: counts[i])
        }
        return subjects.indices.map { i in
            var (name, patternName) = names(subjects[i], pattern.name, raw: "ping-pong")
            if let rate { patternName += " @\(Int(rate))/s" }
            let merged = LatencySummary.merged(runs[i])
            var r = PerfResult(
                kind: "latency", implementation: name, transport: transport.rawValue, pattern: patternName, size: size, count: counts[i],
                latency: merged, latencyTrials: runs[i], latencyDistribution: merged?.distribution, latencyP50Us: Trials(runs[i].map(\.p50Us)),
                latencyP99Us: Trials(runs[i].map(\.p99Us)))
            // vs raw: raw p50 over this one (1.0 = as fast as the transport); vs C: this p50 over C's.
            (r.ratioToBaseline, _) = Self.ratios(i, subjects, runs) { mine, raw in raw.p50Us / max(mine.p50Us, 1e-9) }
            (_, r.ratioToC) = Self.ratios(i, subjects, runs) { mine, c in mine.p50Us / max(c.p50Us, 1e-9) }
            return r
        }
    }

    /// Throughput of every implementation and the raw baseline of one configuration, side by side.
    public func throughputGroup(
        _ impls: [PerfImplementation], agents: [AgentDriver] = [], baseline: RawTransport?, transport: Transport,
        pattern: ThroughputPattern, size: Int, count: Int
    ) throws -> [PerfResult] {
        var subjects = Self.subjects(impls, agents, baseline)
        // libzmq's own programs beside the C loop, where they can run (push-pull across processes).
        if let reference, impls.contains(.c), pattern.name == "push-pull", [.tcp, .ipc].contains(transport), !curve, senders == 1 {
            subjects.append(.reference(reference))
        }
        let counts = try subjects.map { s in
            try calibrated(count, floor: 1000) { 1 / (try throughputTrial(s, transport: transport, pattern: pattern, size: size, count: 2000)) }
        }
        let runs = try interleaved(subjects) { i in
            try throughputTrial(subjects[i], transport: transport, pattern: pattern, size: size, count: counts[i])
        }
        return subjects.indices.map { i in
            let (name, patternName) = names(subjects[i], pattern.name, raw: "stream")
            let t = Trials(runs[i])
            var r = PerfResult(
                kind: "throughput", implementation: name, transport: transport.rawValue, pattern: patternName, size: size, count: counts[i],
                messagesPerSecond: t, megabytesPerSecond: t.median * Double(size) / 1e6)
            (r.ratioToBaseline, r.ratioToC) = Self.ratios(i, subjects, runs) { mine, other in mine / max(other, 1e-9) }
            let reference = subjects.firstIndex { if case .reference = $0 { return true } else { return false } }
            if let ref = reference, runs[ref].contains(where: \.isNaN), case .reference(let programs) = subjects[ref] {
                // A trial of local_thr/remote_thr failed: say why, and compare with nothing.
                if i == ref {
                    return .failed(
                        kind: "throughput", implementation: name, transport: transport.rawValue, pattern: patternName, size: size, count: counts[i],
                        error: programs.lastFailure ?? "failed")
                }
            } else if case .zmq(.c) = subjects[i], let ref = reference {
                r.ratioToReference = Trials(zip(runs[i], runs[ref]).map { $0 / max($1, 1e-9) }).median
            }
            return r
        }
    }

    private func names(_ s: Subject, _ pattern: String, raw: String) -> (String, String) {
        switch s {
        case .zmq(let impl):
            return (impl.rawValue, pattern + (curve ? " +curve" : "") + (peerCommand != nil ? " 2-process" : "") + (senders > 1 ? " x\(senders) senders" : ""))
        case .raw(let r): return (r.rawValue, raw)
        case .agent(let a): return (a.info.name, pattern)
        case .reference: return ("libzmq-perf", pattern + " (local_thr)")
        }
    }

}
