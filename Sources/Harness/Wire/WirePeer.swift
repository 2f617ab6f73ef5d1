import Foundation

/// The suite as a ZMTP peer on one connection: it greets, handshakes (NULL, PLAIN, CURVE, from
/// either side), sends frames and commands (correct ones, or with one thing wrong), and reads
/// what the implementation sends back, decoded, each read bounded. Everything goes to the
/// connection's transcript.
public final class WirePeer: @unchecked Sendable {
    public let connection: WireConnection
    public var transcript: WireTranscript { connection.transcript }
    public private(set) var theirGreeting: ZMTPGreeting?
    public private(set) var ourGreeting: ZMTPGreeting?
    var greetingSent = false
    var handshakeDone = false
    /// After a CURVE handshake, frames travel in MESSAGE boxes.
    var curveBox: CurveMessageBox?
    /// Every octet read from the implementation, as it came (to check what crossed in clear).
    public private(set) var octetsRead: [UInt8] = []
    /// PLAIN, with the peer as server: the credentials the implementation sent in HELLO.
    public internal(set) var plainCredentials: (username: [UInt8], password: [UInt8])?

    public init(connection: WireConnection) { self.connection = connection }

    /// What a read saw instead of what it wanted.
    public enum Shortfall: Error, CustomStringConvertible {
        case closed(before: [UInt8])
        case timeout(partial: [UInt8], ms: Int)
        case malformed(String)

        public var description: String {
            switch self {
            case .closed(let b): return b.isEmpty ? "the connection closed" : "the connection closed after \(b.count) octets \(wireHex(b))"
            case .timeout(let b, let ms): return "nothing within \(ms) ms" + (b.isEmpty ? "" : " but \(b.count) octets \(wireHex(b))")
            case .malformed(let s): return s
            }
        }
    }

    // MARK: greeting

    /// Sends a greeting, the signature first; then looks at the peer's first 11 octets, as RFC 23
    /// asks of a peer that wants to detect older ones. Returns the peer's version when it said,
    /// in its own bytes, that it speaks ZMTP/1.0 or 2.0.
    @discardableResult
    public func sendGreeting(_ g: ZMTPGreeting, octets: Int = ZMTPGreeting.size, timeoutMs: Int) throws -> String? {
        ourGreeting = g
        greetingSent = true
        let bytes = Array(g.bytes.prefix(octets))
        let head = Array(bytes.prefix(10))
        try connection.write(head, as: "signature", timeoutMs: timeoutMs)
        var legacy: String?
        if bytes.count > 10 {
            let theirs = connection.peek(11, timeoutMs: timeoutMs).bytes
            legacy = Self.legacyVersion(theirs)
            try connection.write(Array(bytes[10...]), as: "rest of the " + g.summary, timeoutMs: timeoutMs)
        }
        return legacy
    }

    /// "ZMTP/1.0" or "ZMTP/2.0" when the peer's first octets say so, else nil.
    static func legacyVersion(_ theirs: [UInt8]) -> String? {
        guard let first = theirs.first else { return nil }
        if first != 0xFF { return "ZMTP/1.0" }
        if theirs.count >= 11, theirs[9] & 1 == 1, theirs[10] < 3 { return "ZMTP/2.0 (revision \(theirs[10]))" }
        return nil
    }

    /// Sends an older ZMTP's greeting whole (RFC 23 asks a 3.x peer to recognise it).
    public func sendLegacy(_ bytes: [UInt8], label: String, timeoutMs: Int) throws {
        greetingSent = true
        try connection.write(bytes, as: label, timeoutMs: timeoutMs)
    }

    public enum GreetingSeen {
        case zmtp3(ZMTPGreeting)
        case legacy(version: String, octets: [UInt8])
    }

    /// Reads the peer's greeting: 64 octets of ZMTP 3.x, or the start of an older one.
    public func readGreeting(timeoutMs: Int) throws -> GreetingSeen {
        let head = connection.peek(11, timeoutMs: timeoutMs)
        if let legacy = Self.legacyVersion(head.bytes) {
            let octets = connection.read(64, timeoutMs: min(timeoutMs, 200)).bytes
            transcript.record(.fromPeer, "greeting of a \(legacy) peer", octets)
            return .legacy(version: legacy, octets: octets)
        }
        let r = connection.read(ZMTPGreeting.size, timeoutMs: timeoutMs)
        guard r.bytes.count == ZMTPGreeting.size else {
            if r.bytes.isEmpty == false { transcript.record(.fromPeer, "part of a greeting", r.bytes) }
            throw r.closed ? Shortfall.closed(before: r.bytes) : Shortfall.timeout(partial: r.bytes, ms: timeoutMs)
        }
        guard let g = ZMTPGreeting(decoding: r.bytes) else {
            transcript.record(.fromPeer, "not a greeting", r.bytes)
            throw Shortfall.malformed("not a ZMTP greeting: \(wireHex(r.bytes))")
        }
        transcript.record(.fromPeer, g.summary, r.bytes)
        theirGreeting = g
        return .zmtp3(g)
    }

    /// A 3.x implementation's answer to a ZMTP/2.0 greeting (RFC 37, Backwards
    /// Interoperability): its signature and major version, then the ZMTP/2.0 socket type and an
    /// identity frame.
    public func readZMTP20Answer(timeoutMs: Int) throws -> (revision: UInt8, socketType: UInt8, identity: [UInt8]) {
        let head = try readExactly(12, what: "a signature, version and socket type", timeoutMs: timeoutMs)
        guard head[0] == 0xFF, head[9] & 1 == 1 else { throw Shortfall.malformed("not a ZMTP signature: \(wireHex(head))") }
        let frameHead = try readExactly(2, what: "an identity frame", timeoutMs: timeoutMs)
        let identity = try readExactly(Int(frameHead[1]), what: "the identity", timeoutMs: timeoutMs)
        transcript.record(
            .fromPeer, "ZMTP/2.0 answer: version octet \(head[10]), socket type \(head[11]), identity \(ZMTPMetadata.show(identity))", head + frameHead + identity)
        return (head[10], head[11], identity)
    }

    /// A 3.x implementation's answer to a ZMTP/1.0 peer: an identity frame (RFC 13 framing: a
    /// length that counts the flags octet, %xFF then 8 octets when long).
    public func readZMTP10Answer(timeoutMs: Int) throws -> [UInt8] {
        let first = try readExactly(1, what: "an identity frame", timeoutMs: timeoutMs)
        var length: UInt64 = UInt64(first[0])
        var header = first
        if first[0] == 0xFF {
            let long = try readExactly(8, what: "an 8-octet length", timeoutMs: timeoutMs)
            header += long
            length = long.reduce(0) { $0 << 8 | UInt64($1) }
        }
        guard length >= 1, length <= 256 else { throw Shortfall.malformed("an identity frame of length \(length): \(wireHex(header))") }
        let rest = try readExactly(Int(length), what: "the identity frame's flags and body", timeoutMs: timeoutMs)
        transcript.record(.fromPeer, "ZMTP/1.0 identity frame, identity \(ZMTPMetadata.show(Array(rest.dropFirst())))", header + rest)
        return Array(rest.dropFirst())
    }

    private func readExactly(_ n: Int, what: String, timeoutMs: Int) throws -> [UInt8] {
        let r = connection.read(n, timeoutMs: timeoutMs)
        guard r.bytes.count == n else {
            if !r.bytes.isEmpty { transcript.record(.fromPeer, "part of \(what)", r.bytes) }
            throw r.closed ? Shortfall.closed(before: r.bytes) : Shortfall.timeout(partial: r.bytes, ms: timeoutMs)
        }
        octetsRead += r.bytes
        return r.bytes
    }

    // MARK: frames

    /// Sends a frame as encoded by the caller (which may lie), boxed when CURVE is on.
    public func send(
        _ frame: ZMTPFrame, encoded: [UInt8]? = nil, label: String? = nil, reuseNonce: Bool = false, corrupt: Bool = false, timeoutMs: Int
    ) throws {
        let what = label ?? Self.describe(frame)
        if var box = curveBox {
            var sealed = box.seal(frame, reuseNonce: reuseNonce)
            if corrupt { sealed.data[sealed.data.count - 1] ^= 0xFF }
            curveBox = box
            // In a data frame, as libzmq sends it; RFC 25 names MESSAGE a command without saying
            // which frame carries it, and the reader below takes either.
            try connection.write(
                ZMTPFrame(flags: 0, body: sealed.body).bytes, as: "MESSAGE box of: \(what)" + (reuseNonce ? " (nonce reused)" : "") + (corrupt ? " (box corrupted)" : ""),
                timeoutMs: timeoutMs)
            return
        }
        try connection.write(encoded ?? frame.bytes, as: what, timeoutMs: timeoutMs)
    }

    public func send(_ command: ZMTPCommand, timeoutMs: Int) throws {
        try send(command.frame, label: command.summary, timeoutMs: timeoutMs)
    }

    public func sendMessage(_ parts: [[UInt8]], timeoutMs: Int) throws {
        for f in ZMTPFrame.message(parts) { try send(f, timeoutMs: timeoutMs) }
    }

    /// The largest frame the peer reads from an implementation (a guard, not a protocol limit).
    static let readLimit: UInt64 = 64 << 20

    /// Reads the next frame, opened when CURVE is on.
    public func readFrame(timeoutMs: Int) throws -> ZMTPFrame {
        let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
        func left() -> Int { max(0, Int(deadline.timeIntervalSinceNow * 1000)) }
        var header = connection.peek(2, timeoutMs: timeoutMs)
        if header.bytes.count == 2, header.bytes[0] & ZMTPFrame.long != 0 { header = connection.peek(9, timeoutMs: left()) }
        guard let size = ZMTPFrameReader.announcedSize(in: header.bytes[...]) else {
            throw header.closed ? Shortfall.closed(before: connection.awaitClose(timeoutMs: 0).bytes) : Shortfall.timeout(partial: header.bytes, ms: timeoutMs)
        }
        guard size <= Self.readLimit else { throw Shortfall.malformed("a frame of \(size) octets announced: \(wireHex(header.bytes))") }
        let whole = (header.bytes[0] & ZMTPFrame.long != 0 ? 9 : 2) + Int(size)
        let r = connection.peek(whole, timeoutMs: left())
        guard let (frame, length) = ZMTPFrameReader.frame(in: r.bytes[...]) else {
            throw r.closed ? Shortfall.closed(before: connection.awaitClose(timeoutMs: 0).bytes) : Shortfall.timeout(partial: r.bytes, ms: timeoutMs)
        }
        connection.consume(length)
        octetsRead += r.bytes.prefix(length)
        if var box = curveBox, let c = ZMTPCommand(body: frame.body), c.name == "MESSAGE" {
            guard let inner = box.open(c) else {
                transcript.record(.fromPeer, "MESSAGE that does not open", Array(r.bytes.prefix(length)))
                throw Shortfall.malformed("a MESSAGE box that does not open (or whose nonce did not increase)")
            }
            curveBox = box
            transcript.record(.fromPeer, "MESSAGE box of: " + Self.describe(inner), Array(r.bytes.prefix(length)))
            return inner
        }
        transcript.record(.fromPeer, Self.describe(frame), Array(r.bytes.prefix(length)))
        return frame
    }

    /// Reads the next command.
    public func readCommand(timeoutMs: Int) throws -> ZMTPCommand {
        let f = try readFrame(timeoutMs: timeoutMs)
        guard f.isCommand, let c = ZMTPCommand(body: f.body) else {
            throw Shortfall.malformed(f.isCommand ? "a command frame whose name overruns it: \(wireHex(f.body))" : "a message frame, not a command: \(Self.describe(f))")
        }
        return c
    }

    /// Reads a whole message (frames up to one without MORE); heartbeat commands in between are
    /// noted and skipped.
    public func readMessage(timeoutMs: Int) throws -> [[UInt8]] {
        let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
        var parts: [[UInt8]] = []
        while true {
            let f = try readFrame(timeoutMs: max(0, Int(deadline.timeIntervalSinceNow * 1000)))
            if f.isCommand {
                if let c = ZMTPCommand(body: f.body), ["PING", "PONG"].contains(c.name) { continue }
                throw Shortfall.malformed("a command where a message frame was due: \(Self.describe(f))")
            }
            parts.append(f.body)
            if !f.hasMore { return parts }
        }
    }

    static func describe(_ f: ZMTPFrame) -> String {
        if f.isCommand { return ZMTPCommand(body: f.body)?.summary ?? "command frame (malformed name)" }
        return "frame \(ZMTPMetadata.show(f.body))" + (f.hasMore ? " MORE" : "")
    }
}

/// Octets as hex for a failure text, the first 64 of them.
func wireHex(_ bytes: [UInt8]) -> String { "0x" + hex(bytes.prefix(64)) + (bytes.count > 64 ? "..." : "") }
