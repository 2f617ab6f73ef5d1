import Foundation

/// Seeded mutations of a valid ZMTP session (greeting, READY, one tagged message), one per
/// fuzz session: greeting fields, flags, sizes, truncation, command bodies, handshake order.
/// The same seed and index always give the same bytes (`zmqsuite fuzz --replay`).
public struct WireMutation: Sendable, Codable {
    public var index: Int
    public var name: String
    /// What the peer sends first (greeting and READY, as mutated).
    public var bytes: [UInt8]
    /// What it sends once the implementation's READY arrived (RFC 37: messages only after
    /// both READYs): the tagged message, as mutated.
    public var traffic: [UInt8] = []
    /// The message the session carries; delivering it is fine only when `valid`.
    public var tag: [UInt8]
    /// Whether the mutated bytes are still a well-formed session that delivers `tag`
    /// (judged by the suite's strict reading of RFC 37).
    public var valid: Bool
}

/// SplitMix64 (Steele, Lea and Flood): small, seeded, and the same on every platform. The
/// fuzzer's mutations and the gate's bootstrap both draw from it.
public struct SplitMix64: Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A number in 0..<n.
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
}

public enum WireMutations {
    /// The mutation kinds, in the order `index % count` cycles through them after the seed's pick.
    static let kinds = [
        "valid", "signature-octet", "version-major", "version-minor", "mechanism", "as-server", "filler", "truncate",
        "ready-name", "ready-property-size", "socket-type", "command-before-greeting", "message-before-ready",
        "frame-flags", "frame-size-larger", "frame-size-smaller", "long-size-huge", "garbage-insert", "duplicate-ready", "empty",
    ]

    /// The session for (seed, index) against a socket of `socketType`, whose valid partner is
    /// `peerType`.
    public static func session(seed: UInt64, index: Int, peerType: String) -> WireMutation {
        var rng = SplitMix64(seed: seed &+ UInt64(index) &* 0x1000_0001)
        // Fixed width and a final "." so that a cut tag (a shrunk size) is never another session's.
        let tag = Array("fuzz-\(seed)-\(String(format: "%08d", index)).".utf8)
        let greeting = ZMTPGreeting().bytes
        let ready = ZMTPCommand.ready([("Socket-Type", Array(peerType.utf8))]).frame.bytes
        let message = ZMTPFrame(flags: 0, body: tag).bytes
        let kind = kinds[(rng.below(kinds.count) + index) % kinds.count]
        var g = greeting, r = ready, m = message
        var valid = false
        switch kind {
        case "valid": valid = true
        case "signature-octet": g[[0, 9][rng.below(2)]] ^= UInt8(1 + rng.below(255))
        case "version-major": g[10] = UInt8([0, 1, 2][rng.below(3)])
        case "version-minor":
            g[11] = UInt8(rng.below(256))
            valid = true
        case "mechanism": g[12 + rng.below(20)] ^= UInt8(1 + rng.below(255))
        case "as-server":
            g[32] = UInt8(1 + rng.below(255))
            valid = true
        case "filler":
            g[33 + rng.below(31)] = UInt8(rng.below(256))
            valid = true
        case "truncate":
            let whole = g + r + m
            return WireMutation(index: index, name: kind, bytes: Array(whole.prefix(rng.below(whole.count))), tag: tag, valid: false)
        case "ready-name": r[3 + rng.below(5)] ^= UInt8(1 + rng.below(255))
        case "ready-property-size": r[r.count - 7 - rng.below(3)] = UInt8(1 + rng.below(255))
        case "socket-type": r = ZMTPCommand.ready([("Socket-Type", Array(["PUB", "FOO", "", "SUB"][rng.below(4)].utf8))]).frame.bytes
        case "command-before-greeting": g = r + g
        case "message-before-ready": return WireMutation(index: index, name: kind, bytes: g + m + r, traffic: [], tag: tag, valid: false)
        case "frame-flags": m[0] = UInt8(8 << rng.below(5)) | m[0]
        case "frame-size-larger": m[1] = m[1] &+ UInt8(1 + rng.below(100))
        case "frame-size-smaller": m[1] = m[1] &- UInt8(1 + rng.below(Int(m[1])))
        case "long-size-huge": m = [0x02] + withUnsafeBytes(of: (UInt64(1) << UInt64(40 + rng.below(24))).bigEndian, Array.init) + tag
        case "garbage-insert":
            let at = rng.below(g.count + r.count)
            var whole = g + r
            whole.insert(contentsOf: (0..<(1 + rng.below(16))).map { _ in UInt8(rng.below(256)) }, at: at)
            return WireMutation(index: index, name: kind, bytes: whole, traffic: m, tag: tag, valid: false)
        case "duplicate-ready": r = r + r
        default: return WireMutation(index: index, name: kind, bytes: [], tag: tag, valid: false)
        }
        return WireMutation(index: index, name: kind, bytes: g + r, traffic: m, tag: tag, valid: valid)
    }
}
