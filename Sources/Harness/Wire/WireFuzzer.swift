import Foundation
import NIOConcurrencyHelpers

/// A fuzzing campaign: many mutated sessions against one socket on the wire, bounded by count
/// and time, watching for a crash (the process holding the socket died), a hang (no close and
/// no handshake within the bound), garbage accepted (a malformed session's message delivered)
/// and descriptors left open.
public struct WireFuzzer: Sendable {
    public struct Finding: Codable, Sendable {
        public var kind: String
        public var seed: UInt64
        public var session: WireMutation
        public var detail: String
    }

    public struct Report: Codable, Sendable {
        public var seed: UInt64
        public var target: String
        public var sessions: Int
        public var seconds: Double
        public var byMutation: [String: Int]
        /// How sessions ended: closed by the implementation, handshake completed, open.
        public var endings: [String: Int]
        /// The endings per mutation kind, to see what each kind of fault does.
        public var endingsByMutation: [String: [String: Int]]
        public var findings: [Finding]
        public var descriptorsBefore: Int?
        public var descriptorsAfter: Int?
    }

    public var endpoint: String
    public var peerType: String
    public var seed: UInt64
    public var count: Int
    public var seconds: Double
    public var concurrency: Int
    /// How long one session may stay without a close or a handshake (the target's handshake
    /// interval plus a margin).
    public var hangMs: Int

    public init(endpoint: String, peerType: String, seed: UInt64, count: Int, seconds: Double, concurrency: Int, hangMs: Int) {
        self.endpoint = endpoint
        self.peerType = peerType
        self.seed = seed
        self.count = count
        self.seconds = seconds
        self.concurrency = concurrency
        self.hangMs = hangMs
    }

    /// How one session ended.
    public enum Ending: String, Sendable { case closed, handshake, open, refused }

    /// Plays one session: writes its handshake octets, waits for the implementation's close or
    /// its READY (up to the hang bound), then writes the traffic and gives a close a moment.
    public func play(_ m: WireMutation) -> Ending {
        guard let c = try? WireConnection.connect(to: endpoint, timeoutMs: 2000) else { return .refused }
        defer { c.close() }
        try? c.write(m.bytes, as: m.name, timeoutMs: 1000)
        let deadline = Date().addingTimeInterval(Double(hangMs) / 1000)
        while Date() < deadline {
            let seen = c.peek(Int.max, timeoutMs: 50)
            if c.isClosedByPeer { return .closed }
            // Their greeting (64) and a READY frame after it: the handshake completed.
            if seen.bytes.count > 64, let (f, _) = ZMTPFrameReader.frame(in: seen.bytes[64...]), f.isCommand,
                ZMTPCommand(body: f.body)?.name == "READY"
            {
                if m.traffic.isEmpty { return .handshake }
                try? c.write(m.traffic, as: "traffic", timeoutMs: 1000)
                _ = c.peek(Int.max, timeoutMs: 100)
                return c.isClosedByPeer ? .closed : .handshake
            }
        }
        return .open
    }

    /// Runs the campaign. `alive` says whether the process behind the socket still runs;
    /// `delivered` drains the frames the socket received; `descriptors` counts its open
    /// descriptors.
    public func run(alive: () -> Bool, delivered: () -> [[UInt8]], descriptors: () -> Int?) -> Report {
        let start = Date()
        let before = descriptors()
        let next = NIOLockedValueBox(0)
        let results = NIOLockedValueBox<[(WireMutation, Ending)]>([])
        let stop = Date().addingTimeInterval(seconds)
        let group = DispatchGroup()
        for _ in 0..<concurrency {
            group.enter()
            Thread {
                while Date() < stop {
                    let i = next.withLockedValue { n -> Int in
                        n += 1
                        return n - 1
                    }
                    if i >= count { break }
                    let m = WireMutations.session(seed: seed, index: i, peerType: peerType)
                    let e = play(m)
                    results.withLockedValue { $0.append((m, e)) }
                }
                group.leave()
            }.start()
        }
        group.wait()
        var findings: [Finding] = []
        let played = results.withLockedValue { $0 }
        if !alive() {
            let last = played.suffix(concurrency).map(\.0)
            for m in last { findings.append(Finding(kind: "crash", seed: seed, session: m, detail: "the process holding the socket died during the last sessions")) }
        }
        for (m, e) in played where e == .open && !m.valid {
            findings.append(Finding(kind: "hang", seed: seed, session: m, detail: "no close and no handshake within \(hangMs) ms"))
        }
        let byTag = Dictionary(played.map { ($0.0.tag, $0.0) }, uniquingKeysWith: { a, _ in a })
        for frame in delivered() {
            if let m = byTag[frame], !m.valid {
                findings.append(
                    Finding(kind: "garbage-accepted", seed: seed, session: m, detail: "its message was delivered though the session is malformed (\(m.name))"))
            }
        }
        // Let the implementation finish closing what the campaign opened.
        Thread.sleep(forTimeInterval: 0.5)
        let after = descriptors()
        if let before, let after, after > before + 8 {
            findings.append(
                Finding(
                    kind: "descriptor-leak", seed: seed, session: WireMutations.session(seed: seed, index: 0, peerType: peerType),
                    detail: "\(after - before) more descriptors open after the campaign (\(before) -> \(after))"))
        }
        var byMutation: [String: Int] = [:]
        var endings: [String: Int] = [:]
        var endingsByMutation: [String: [String: Int]] = [:]
        for (m, e) in played {
            byMutation[m.name, default: 0] += 1
            endings[e.rawValue, default: 0] += 1
            endingsByMutation[m.name, default: [:]][e.rawValue, default: 0] += 1
        }
        return Report(
            seed: seed, target: endpoint, sessions: played.count, seconds: Date().timeIntervalSince(start), byMutation: byMutation, endings: endings,
            endingsByMutation: endingsByMutation,
            findings: findings, descriptorsBefore: before, descriptorsAfter: after)
    }
}
