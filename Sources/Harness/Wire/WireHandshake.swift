import Foundation

/// What the wire peer brings to a handshake: its mechanism and role, its READY properties, its
/// credentials or keys, and at most one deliberate fault.
public struct WireHandshake: Sendable {
    public enum Mechanism: String, CaseIterable, Sendable { case NULL, PLAIN, CURVE }

    /// Faults inside the security handshake (the greeting's faults are the greeting's fields).
    public enum Fault: String, CaseIterable, Sendable {
        /// CURVE client: the HELLO box does not open (RFC 26: the server SHALL drop it).
        case badHelloBox = "bad_hello_box"
        /// CURVE client: the cookie sent back in INITIATE is not the one received.
        case tamperedCookie = "tampered_cookie"
        /// Any mechanism: READY (or INITIATE) is never sent; the handshake stalls.
        case noReady = "no_ready"
    }

    public var mechanism: Mechanism = .NULL
    /// PLAIN and CURVE: the peer is the server (the implementation the client).
    public var asServer = false
    public var minor: UInt8 = 1
    public var properties: [(String, [UInt8])] = []
    public var username: [UInt8] = []
    public var password: [UInt8] = []
    /// CURVE: the peer's long-term pair, and (as client) the server's public key.
    public var curveKeys = CurveCrypto.keyPair()
    public var serverKey: [UInt8] = []
    public var fault: Fault?

    public init() {}

    public var greeting: ZMTPGreeting { ZMTPGreeting(mechanism: mechanism.rawValue, minor: minor, asServer: asServer && mechanism != .NULL) }
}

/// How a handshake ended, as the peer saw it.
public enum HandshakeEnd: Sendable {
    /// The implementation's READY (or INITIATE, for a server peer) properties.
    case ready([(String, [UInt8])])
    case error(String)
    case closed([UInt8])
    /// The implementation greeted as an older ZMTP.
    case legacy(String)
    /// The peer stopped on purpose (the `no_ready` fault) with the handshake unfinished.
    case stalled
    /// The implementation sent neither the next step nor an ERROR, and did not close.
    case silent(partial: [UInt8], ms: Int)

    public var summary: String {
        switch self {
        case .ready(let p): return "READY " + p.map { "\($0.0)=\(ZMTPMetadata.show($0.1))" }.joined(separator: " ")
        case .error(let r): return "ERROR \"\(r)\""
        case .closed(let b): return b.isEmpty ? "closed" : "closed after \(b.count) octets"
        case .legacy(let v): return "greeted as \(v)"
        case .stalled: return "stalled on purpose"
        case .silent(let b, let ms): return "no answer within \(ms) ms" + (b.isEmpty ? "" : " (\(b.count) octets of a frame)")
        }
    }
}

extension WirePeer {
    /// Greets (unless a step already did) and runs the mechanism's handshake.
    public func handshake(_ h: WireHandshake, timeoutMs: Int) throws -> HandshakeEnd {
        do {
            return try runHandshake(h, timeoutMs: timeoutMs)
        } catch Shortfall.closed(let before) {
            return .closed(before)
        } catch Shortfall.malformed(let what) {
            // A malformed command in place of the next handshake step still ends the handshake
            // (no READY came); what it was is kept for the record.
            return .error("malformed: \(what)")
        } catch Shortfall.timeout(let partial, let ms) {
            return .silent(partial: partial, ms: ms)
        }
    }

    private func runHandshake(_ h: WireHandshake, timeoutMs: Int) throws -> HandshakeEnd {
        if !greetingSent, let legacy = try sendGreeting(h.greeting, timeoutMs: timeoutMs) { return .legacy(legacy) }
        if theirGreeting == nil, case .legacy(let v, _) = try readGreeting(timeoutMs: timeoutMs) { return .legacy(v) }
        let t = timeoutMs
        switch (h.mechanism, h.asServer) {
        case (.NULL, _):
            if h.fault == .noReady { return .stalled }
            try send(.ready(h.properties), timeoutMs: t)
            return try finish(expecting: "READY", timeoutMs: t)
        case (.PLAIN, false):
            try send(ZMTPCommand(name: "HELLO", data: [UInt8(h.username.count)] + h.username + [UInt8(h.password.count)] + h.password), timeoutMs: t)
            let welcome = try readCommand(timeoutMs: t)
            if let end = Self.refusal(welcome, expecting: "WELCOME") { return end }
            if h.fault == .noReady { return .stalled }
            try send(ZMTPCommand(name: "INITIATE", data: ZMTPMetadata.encode(h.properties)), timeoutMs: t)
            return try finish(expecting: "READY", timeoutMs: t)
        case (.PLAIN, true):
            let hello = try readCommand(timeoutMs: t)
            if let end = Self.refusal(hello, expecting: "HELLO") { return end }
            guard let credentials = Self.plainHello(hello.data) else { throw Shortfall.malformed("a malformed PLAIN HELLO: \(wireHex(hello.data))") }
            plainCredentials = credentials
            try send(ZMTPCommand(name: "WELCOME"), timeoutMs: t)
            let initiate = try readCommand(timeoutMs: t)
            if let end = Self.refusal(initiate, expecting: "INITIATE") { return end }
            guard let props = ZMTPMetadata.decode(initiate.data) else { throw Shortfall.malformed("INITIATE metadata is malformed") }
            if h.fault == .noReady { return .stalled }
            try send(.ready(h.properties), timeoutMs: t)
            handshakeDone = true
            return .ready(props)
        case (.CURVE, false):
            var state = CurveClientState(longTerm: h.curveKeys, serverKey: h.serverKey)
            try send(state.hello(spoilBox: h.fault == .badHelloBox), timeoutMs: t)
            let welcome = try readCommand(timeoutMs: t)
            if let end = Self.refusal(welcome, expecting: "WELCOME") { return end }
            guard state.welcome(welcome) else { throw Shortfall.malformed("the WELCOME box does not open with the server key given") }
            if h.fault == .noReady { return .stalled }
            try send(state.initiate(metadata: h.properties, tamperCookie: h.fault == .tamperedCookie), timeoutMs: t)
            let ready = try readCommand(timeoutMs: t)
            if let end = Self.refusal(ready, expecting: "READY") { return end }
            guard let props = state.ready(ready) else { throw Shortfall.malformed("the READY box does not open") }
            curveBox = state.box
            handshakeDone = true
            return .ready(props)
        case (.CURVE, true):
            var state = CurveServerState(longTerm: h.curveKeys)
            let hello = try readCommand(timeoutMs: t)
            if let end = Self.refusal(hello, expecting: "HELLO") { return end }
            guard state.hello(hello) else { throw Shortfall.malformed("the HELLO box does not open with this server's key") }
            try send(state.welcome(), timeoutMs: t)
            let initiate = try readCommand(timeoutMs: t)
            if let end = Self.refusal(initiate, expecting: "INITIATE") { return end }
            guard let props = state.initiate(initiate) else { throw Shortfall.malformed("the INITIATE (cookie, box or vouch) does not open") }
            if h.fault == .noReady { return .stalled }
            try send(state.ready(metadata: h.properties), timeoutMs: t)
            curveBox = state.box
            handshakeDone = true
            return .ready(props)
        }
    }

    /// RFC 24 HELLO: username and password, each with a one-octet length.
    static func plainHello(_ d: [UInt8]) -> (username: [UInt8], password: [UInt8])? {
        guard let n = d.first, d.count >= 1 + Int(n) + 1 else { return nil }
        let user = Array(d[1..<(1 + Int(n))])
        let m = Int(d[1 + Int(n)])
        guard d.count == 2 + Int(n) + m else { return nil }
        return (user, Array(d[(2 + Int(n))...]))
    }

    /// Reads the last command of a handshake: READY with its properties, or a refusal.
    private func finish(expecting name: String, timeoutMs: Int) throws -> HandshakeEnd {
        let c = try readCommand(timeoutMs: timeoutMs)
        if let end = Self.refusal(c, expecting: name) { return end }
        guard let props = ZMTPMetadata.decode(c.data) else { throw Shortfall.malformed("\(name) metadata is malformed: \(wireHex(c.data))") }
        handshakeDone = true
        return .ready(props)
    }

    /// An ERROR command ends the handshake; any other unexpected command is a protocol fault.
    private static func refusal(_ c: ZMTPCommand, expecting name: String) -> HandshakeEnd? {
        if c.name == name { return nil }
        if c.name == "ERROR" { return .error(c.errorReason ?? "(malformed reason)") }
        return .error("unexpected \(c.name) where \(name) was due")
    }
}
