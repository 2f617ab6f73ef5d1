/// The CurveZMQ handshake (RFC 26, as ZMTP-CURVE, RFC 25, carries it) from either side, and the
/// MESSAGE boxes after it. The peer builds each command with a chance to spoil one thing
/// (a wrong key, a bad box, a reused nonce, a tampered cookie), so a case can see what an
/// implementation does with it.
public struct CurveClientState: Sendable {
    public var longTerm: CurveCrypto.KeyPair
    public var serverKey: [UInt8]
    public var shortTerm = CurveCrypto.keyPair()
    public var serverShortKey: [UInt8] = []
    public var cookie: [UInt8] = []
    /// The next short nonce this side sends (RFC 26: strictly increasing, from 1).
    public var nonce: UInt64 = 1
    public var peerNonce: UInt64 = 0

    public init(longTerm: CurveCrypto.KeyPair, serverKey: [UInt8]) {
        self.longTerm = longTerm
        self.serverKey = serverKey
    }

    public mutating func hello(spoilBox: Bool = false) -> ZMTPCommand {
        let n = CurveCrypto.shortNonce("CurveZMQHELLO---", nonce)
        var box = CurveCrypto.box(Array(repeating: 0, count: 64), nonce: n, to: serverKey, from: shortTerm.secretKey)
        if spoilBox { box[box.count - 1] ^= 0xFF }
        defer { nonce += 1 }
        return ZMTPCommand(name: "HELLO", data: [1, 0] + Array(repeating: 0, count: 72) + shortTerm.publicKey + Array(n[16...]) + box)
    }

    /// Reads WELCOME: the server's short-term key and the cookie. Nil when the box does not open
    /// (the server holds another key than the one this client was given).
    public mutating func welcome(_ c: ZMTPCommand) -> Bool {
        guard c.name == "WELCOME", c.data.count == 160 else { return false }
        let n = CurveCrypto.longNonce("WELCOME-", Array(c.data[0..<16]))
        guard let plain = CurveCrypto.open(Array(c.data[16...]), nonce: n, from: serverKey, to: shortTerm.secretKey) else { return false }
        serverShortKey = Array(plain[0..<32])
        cookie = Array(plain[32..<128])
        return true
    }

    public mutating func initiate(metadata: [(String, [UInt8])], tamperCookie: Bool = false) -> ZMTPCommand {
        let vouchTail = CurveCrypto.random(16)
        let vouch = CurveCrypto.box(
            shortTerm.publicKey + serverKey, nonce: CurveCrypto.longNonce("VOUCH---", vouchTail), to: serverShortKey, from: longTerm.secretKey)
        let n = CurveCrypto.shortNonce("CurveZMQINITIATE", nonce)
        nonce += 1
        let plain = longTerm.publicKey + vouchTail + vouch + ZMTPMetadata.encode(metadata)
        var cookie = self.cookie
        if tamperCookie { cookie[40] ^= 0x01 }
        return ZMTPCommand(
            name: "INITIATE", data: cookie + Array(n[16...]) + CurveCrypto.box(plain, nonce: n, to: serverShortKey, from: shortTerm.secretKey))
    }

    /// The server's READY metadata; nil when the box does not open.
    public mutating func ready(_ c: ZMTPCommand) -> [(String, [UInt8])]? {
        guard c.name == "READY", c.data.count >= 8 + CurveCrypto.macSize else { return nil }
        let n = CurveCrypto.shortNonce("CurveZMQREADY---", 0)[0..<16] + c.data[0..<8]
        guard let plain = CurveCrypto.open(Array(c.data[8...]), nonce: Array(n), from: serverShortKey, to: shortTerm.secretKey) else { return nil }
        peerNonce = c.data[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        return ZMTPMetadata.decode(plain)
    }

    var box: CurveMessageBox {
        CurveMessageBox(
            sendPrefix: "CurveZMQMESSAGEC", receivePrefix: "CurveZMQMESSAGES", ours: shortTerm.secretKey, theirs: serverShortKey,
            nonce: nonce, peerNonce: peerNonce)
    }
}

public struct CurveServerState: Sendable {
    public var longTerm: CurveCrypto.KeyPair
    public var shortTerm = CurveCrypto.keyPair()
    public var clientShortKey: [UInt8] = []
    public var clientKey: [UInt8] = []
    let cookieKey = CurveCrypto.random(32)
    public var nonce: UInt64 = 1
    public var peerNonce: UInt64 = 0

    public init(longTerm: CurveCrypto.KeyPair) { self.longTerm = longTerm }

    /// Reads HELLO; false when its size or its box is wrong.
    public mutating func hello(_ c: ZMTPCommand) -> Bool {
        guard c.name == "HELLO", c.data.count == 194 else { return false }
        clientShortKey = Array(c.data[74..<106])
        let n = CurveCrypto.shortNonce("CurveZMQHELLO---", 0)[0..<16] + c.data[106..<114]
        guard let plain = CurveCrypto.open(Array(c.data[114...]), nonce: Array(n), from: clientShortKey, to: longTerm.secretKey) else {
            return false
        }
        peerNonce = c.data[106..<114].reduce(0) { $0 << 8 | UInt64($1) }
        return plain.allSatisfy { $0 == 0 }
    }

    public func welcome() -> ZMTPCommand {
        let cookieTail = CurveCrypto.random(16)
        let cookie =
            cookieTail + CurveCrypto.secretBox(clientShortKey + shortTerm.secretKey, nonce: CurveCrypto.longNonce("COOKIE--", cookieTail), key: cookieKey)
        let tail = CurveCrypto.random(16)
        let box = CurveCrypto.box(
            shortTerm.publicKey + cookie, nonce: CurveCrypto.longNonce("WELCOME-", tail), to: clientShortKey, from: longTerm.secretKey)
        return ZMTPCommand(name: "WELCOME", data: tail + box)
    }

    /// Reads INITIATE: the client's long-term key, its vouch, its metadata. Nil when anything
    /// does not open or does not match.
    public mutating func initiate(_ c: ZMTPCommand) -> [(String, [UInt8])]? {
        guard c.name == "INITIATE", c.data.count >= 96 + 8 + 16 + 128 else { return nil }
        let cookie = Array(c.data[0..<96])
        guard
            let inCookie = CurveCrypto.secretOpen(
                Array(cookie[16...]), nonce: CurveCrypto.longNonce("COOKIE--", Array(cookie[0..<16])), key: cookieKey),
            Array(inCookie[0..<32]) == clientShortKey
        else { return nil }
        let n = Array(CurveCrypto.shortNonce("CurveZMQINITIATE", 0)[0..<16] + c.data[96..<104])
        guard let plain = CurveCrypto.open(Array(c.data[104...]), nonce: n, from: clientShortKey, to: shortTerm.secretKey),
            plain.count >= 128
        else { return nil }
        clientKey = Array(plain[0..<32])
        let vouchNonce = CurveCrypto.longNonce("VOUCH---", Array(plain[32..<48]))
        // The vouch: Box[C',S](C->S'), so it opens with the server's short-term key.
        guard let vouch = CurveCrypto.open(Array(plain[48..<128]), nonce: vouchNonce, from: clientKey, to: shortTerm.secretKey),
            Array(vouch[0..<32]) == clientShortKey, Array(vouch[32..<64]) == longTerm.publicKey
        else { return nil }
        peerNonce = c.data[96..<104].reduce(0) { $0 << 8 | UInt64($1) }
        return ZMTPMetadata.decode(Array(plain[128...]))
    }

    public mutating func ready(metadata: [(String, [UInt8])]) -> ZMTPCommand {
        let n = CurveCrypto.shortNonce("CurveZMQREADY---", nonce)
        nonce += 1
        return ZMTPCommand(
            name: "READY", data: Array(n[16...]) + CurveCrypto.box(ZMTPMetadata.encode(metadata), nonce: n, to: clientShortKey, from: shortTerm.secretKey))
    }

    var box: CurveMessageBox {
        CurveMessageBox(
            sendPrefix: "CurveZMQMESSAGES", receivePrefix: "CurveZMQMESSAGEC", ours: shortTerm.secretKey, theirs: clientShortKey,
            nonce: nonce, peerNonce: peerNonce)
    }
}

/// MESSAGE commands after a CURVE handshake: each frame boxed with its flags (0x01 MORE,
/// 0x02 COMMAND) as the first plaintext octet, under a strictly increasing short nonce.
public struct CurveMessageBox: Sendable {
    let sendPrefix: String
    let receivePrefix: String
    let ours: [UInt8]
    let theirs: [UInt8]
    public var nonce: UInt64
    public var peerNonce: UInt64

    /// `reuseNonce`: box under the previous nonce again (a replay the receiver must refuse).
    public mutating func seal(_ frame: ZMTPFrame, reuseNonce: Bool = false) -> ZMTPCommand {
        if reuseNonce { nonce -= 1 }
        let n = CurveCrypto.shortNonce(sendPrefix, nonce)
        nonce += 1
        let flags: UInt8 = (frame.hasMore ? 0x01 : 0) | (frame.isCommand ? 0x02 : 0)
        return ZMTPCommand(name: "MESSAGE", data: Array(n[16...]) + CurveCrypto.box([flags] + frame.body, nonce: n, to: theirs, from: ours))
    }

    /// The frame inside a MESSAGE; nil when it does not open or its nonce did not increase.
    public mutating func open(_ c: ZMTPCommand) -> ZMTPFrame? {
        guard c.name == "MESSAGE", c.data.count >= 8 + CurveCrypto.macSize + 1 else { return nil }
        let counter = c.data[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        guard counter > peerNonce else { return nil }
        let n = Array(Array(receivePrefix.utf8) + c.data[0..<8])
        guard let plain = CurveCrypto.open(Array(c.data[8...]), nonce: n, from: theirs, to: ours) else { return nil }
        peerNonce = counter
        return ZMTPFrame(flags: (plain[0] & 0x01 != 0 ? ZMTPFrame.more : 0) | (plain[0] & 0x02 != 0 ? ZMTPFrame.command : 0), body: Array(plain[1...]))
    }
}
