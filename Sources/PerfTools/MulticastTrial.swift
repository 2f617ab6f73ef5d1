import Foundation
import Harness

/// One multicast throughput trial between hosts: a sender (PUB) and receivers (SUB), each a
/// `zmqsuite multicast-peer` process inside its own host, spoken to in lines. Each peer says
/// `connected`; each receiver says `joined` at its first probe; the orchestrator says `go`
/// and the sender streams; each peer ends with one JSON line of counts; the sender then stays
/// until `close` (a receiver that lost packets asks it for repairs, which needs it alive).
/// Messages on the group: "P" probes, "D" + 8-byte sequence number + padding, "E" the end.
public enum MulticastTrial {
    public enum Role: String, CaseIterable, Sendable { case sender, receiver }

    /// What a peer is told on its command line.
    public struct Settings: Sendable {
        public var endpoint: String
        public var size: Int
        public var count: Int
        /// ZMQ_RATE in kbit/s (sender).
        public var rate: Int
        public var boundMs: Int

        public init(endpoint: String, size: Int, count: Int, rate: Int, boundMs: Int) {
            self.endpoint = endpoint
            self.size = size
            self.count = count
            self.rate = rate
            self.boundMs = boundMs
        }

        /// The peer's arguments after `multicast-peer ROLE`.
        var arguments: [String] {
            ["--endpoint", endpoint, "--size", "\(size)", "--count", "\(count)", "--rate", "\(rate)", "--bound-ms", "\(boundMs)"]
        }
    }

    public struct SenderCounts: Codable, Sendable { public var sent: Int; public var elapsedMs: Double }
    public struct ReceiverCounts: Codable, Sendable {
        public var received: Int
        public var lost: Int
        public var duplicates: Int
        public var reordered: Int
        public var elapsedMs: Double
    }

    /// What a trial measured: the slowest receiver's rate and the messages lost over all.
    public struct Outcome: Sendable {
        public var senderRate: Double
        public var slowestReceiverRate: Double
        public var lost: Int
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    enum Word: String { case connected, joined, go, close }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }()

    // MARK: the orchestrator

    /// Runs one trial on `network`: host 0 sends, the others receive. `exe` is zmqsuite.
    public static func run(on network: HostNetwork, exe: String, transport: Transport, size: Int, count: Int, rate: Int) throws -> Outcome {
        let group = EndpointAllocator(cellTag: "mcast")
        // The data at RATE takes count * size * 8 / rate ms; allow three times that and 20 s.
        let boundMs = Int(Double(count * size * 8) / Double(rate)) * 3 + 20000
        let peer = { (host: NamespaceHost, role: Role) throws -> LineProcess in
            let settings = Settings(
                endpoint: group.multicastEndpoint(for: transport, interface: host.address), size: size, count: count,
                rate: rate, boundMs: boundMs)
            return try LineProcess(
                executable: HostNetwork.ip,
                arguments: ["netns", "exec", host.namespace, exe, "multicast-peer", role.rawValue] + settings.arguments)
        }
        let subs = try network.hosts.dropFirst().map { try peer($0, .receiver) }
        let pub = try peer(network.hosts[0], .sender)
        defer { for p in subs + [pub] { p.finish(waitingMs: 2000) } }
        func expect(_ p: LineProcess, _ word: Word, _ ms: Int) throws {
            guard let line = p.readLine(timeoutMs: ms), line == word.rawValue else {
                throw Failure(description: "a multicast peer did not say '\(word.rawValue)' within \(ms) ms (\(p.exitDescription)) \(p.stderrTail())")
            }
        }
        for p in subs + [pub] { try expect(p, .connected, 10000) }
        for p in subs { try expect(p, .joined, 15000) }
        guard pub.write(Word.go.rawValue + "\n") else { throw Failure(description: "the sender died before 'go': \(pub.stderrTail())") }
        func counts<T: Decodable>(_ p: LineProcess, _ type: T.Type) throws -> T {
            guard let line = p.readLine(timeoutMs: boundMs + 5000), let c = try? decoder.decode(type, from: Data(line.utf8)) else {
                throw Failure(description: "a multicast peer gave no result (\(p.exitDescription)) \(p.stderrTail())")
            }
            return c
        }
        let sent = try counts(pub, SenderCounts.self)
        var slowest = Double.infinity
        var lost = 0
        for p in subs {
            let c = try counts(p, ReceiverCounts.self)
            lost += c.lost
            slowest = min(slowest, c.received > 1 ? Double(c.received - 1) / max(c.elapsedMs / 1000, 1e-9) : 0)
        }
        _ = pub.write(Word.close.rawValue + "\n")
        return Outcome(senderRate: Double(sent.sent) / max(sent.elapsedMs / 1000, 1e-9), slowestReceiverRate: slowest, lost: lost)
    }

    // MARK: the peers

    /// Runs one end of a trial inside a host; `say` writes a line to the orchestrator.
    public static func runPeer(_ role: Role, _ s: Settings, say: (String) -> Void) throws {
        let context = try Context()
        defer { context.terminate() }
        let deadline = monotonicMs() + Double(s.boundMs)
        switch role {
        case .sender: try send(context, s, deadline, say)
        case .receiver: try receive(context, s, deadline, say)
        }
    }

    private static func line<T: Encodable>(_ value: T) -> String {
        String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }

    /// Waits up to `ms` for a line on stdin.
    private static func stdinLine(within ms: Int) -> String? {
        var p = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, Int32(max(0, ms))) > 0 ? readLine() : nil
    }

    private static func send(_ context: Context, _ s: Settings, _ deadline: Double, _ say: (String) -> Void) throws {
        let pub = try Socket(context: context, type: .PUB)
        defer { pub.close() }
        try pub.set(.rate, .int(s.rate))
        // A PUB drops at its high-water mark rather than block: with no mark, every message
        // queues and the PGM engine sends them at RATE.
        try pub.set(.sndhwm, .int(0))
        try pub.set(.linger, .int(Int(max(0, deadline - monotonicMs()))))
        try pub.connect(s.endpoint)
        say(Word.connected.rawValue)
        // Probes until the orchestrator, having heard every receiver join, says "go".
        while true {
            guard monotonicMs() < deadline else { throw Failure(description: "no 'go' within the bound") }
            try? pub.send([Array("P".utf8)], dontWait: true, timeoutMs: 0)
            if let word = stdinLine(within: 20) {
                guard word == Word.go.rawValue else { throw Failure(description: "expected 'go' on stdin, got '\(word)'") }
                break
            }
        }
        let start = monotonicMs()
        var sent = 0
        var frame = [UInt8](repeating: 0x2e, count: max(s.size, 9))
        frame[0] = UInt8(ascii: "D")
        for seq in 0..<s.count {
            withUnsafeBytes(of: UInt64(seq).bigEndian) { for (i, b) in $0.enumerated() { frame[1 + i] = b } }
            let left = Int(deadline - monotonicMs())
            guard left > 0, (try? pub.send([frame], dontWait: false, timeoutMs: left)) != nil else { break }
            sent += 1
        }
        let elapsed = monotonicMs() - start
        for _ in 0..<5 { try? pub.send([Array("E".utf8)], dontWait: false, timeoutMs: 1000) }
        say(line(SenderCounts(sent: sent, elapsedMs: elapsed)))
        // Stay in the group until every receiver has reported (repairs need this session).
        _ = stdinLine(within: Int(deadline - monotonicMs()))
    }

    private static func receive(_ context: Context, _ s: Settings, _ deadline: Double, _ say: (String) -> Void) throws {
        let sub = try Socket(context: context, type: .SUB)
        defer { sub.close() }
        try sub.set(.subscribe, .bytes([]))
        try sub.set(.linger, .int(0))
        try sub.set(.rcvhwm, .int(0))  // no drops at the socket: losses are the network's
        try sub.connect(s.endpoint)
        say(Word.connected.rawValue)
        var joined = false, received = 0, duplicates = 0, reordered = 0
        var seen = Set<UInt64>()
        var highest: UInt64?
        var first = 0.0, last = 0.0
        while monotonicMs() < deadline {
            guard let m = try? sub.receive(timeoutMs: 100), let frame = m.frames.first, let kind = frame.first else { continue }
            if kind == UInt8(ascii: "P") {
                if !joined { joined = true; say(Word.joined.rawValue) }
            } else if kind == UInt8(ascii: "E") {
                break
            } else if kind == UInt8(ascii: "D"), frame.count >= 9 {
                let seq = frame[1..<9].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                if received == 0 { first = monotonicMs() }
                last = monotonicMs()
                if !seen.insert(seq).inserted { duplicates += 1; continue }
                if let h = highest, seq < h { reordered += 1 }
                highest = max(highest ?? 0, seq)
                received += 1
            }
        }
        say(
            line(
                ReceiverCounts(
                    received: received, lost: s.count - received, duplicates: duplicates, reordered: reordered,
                    elapsedMs: last - first)))
    }
}
