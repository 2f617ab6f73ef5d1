/// The ZMTP 3.x greeting (RFC 23 3.2, RFC 37): 64 octets, each field settable, so the wire peer
/// can send a correct greeting or a greeting with exactly one thing wrong.
public struct ZMTPGreeting: Equatable, Sendable {
    public static let size = 64
    /// %xFF, 8 padding octets, %x7F. The last padding octet is 1, as libzmq sends it: a
    /// ZMTP/1.0 peer reads it as an identity length (RFC 23's backwards-compatibility trick).
    public static let signature: [UInt8] = [0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F]

    public var signature: [UInt8] = Self.signature
    public var major: UInt8 = 3
    public var minor: UInt8 = 1
    /// The 20 mechanism octets as sent (null-padded ASCII when correct).
    public var mechanism: [UInt8]
    public var asServer: UInt8 = 0
    public var filler: [UInt8] = Array(repeating: 0, count: 31)

    public init(mechanism: String = "NULL", major: UInt8 = 3, minor: UInt8 = 1, asServer: Bool = false) {
        self.mechanism = Self.mechanismField(mechanism)
        self.major = major
        self.minor = minor
        self.asServer = asServer ? 1 : 0
    }

    /// A mechanism name, null-padded (or cut) to 20 octets.
    public static func mechanismField(_ name: String) -> [UInt8] {
        Array((Array(name.utf8) + Array(repeating: 0, count: 20)).prefix(20))
    }

    /// The mechanism name: the octets before the first null.
    public var mechanismName: String { String(decoding: mechanism.prefix { $0 != 0 }, as: UTF8.self) }

    public var bytes: [UInt8] { signature + [major, minor] + mechanism + [asServer] + filler }

    /// Reads 64 octets; nil when the signature's first and tenth octets are not %xFF and %x7F
    /// (the padding is not validated, as RFC 37 asks).
    public init?(decoding b: [UInt8]) {
        guard b.count >= Self.size, b[0] == 0xFF, b[9] == 0x7F else { return nil }
        signature = Array(b[0..<10])
        major = b[10]
        minor = b[11]
        mechanism = Array(b[12..<32])
        asServer = b[32]
        filler = Array(b[33..<64])
    }

    public var summary: String {
        "greeting ZMTP \(major).\(minor) \(mechanismName.isEmpty ? "(no mechanism)" : mechanismName) as-server \(asServer)"
    }
}

/// The greetings of older peers that RFC 23 asks a 3.x implementation to recognise.
public enum LegacyGreeting {
    /// ZMTP/2.0 (RFC 15): signature, revision 1, socket type number, then an identity frame.
    public static func zmtp20(socketType: UInt8, identity: [UInt8] = []) -> [UInt8] {
        ZMTPGreeting.signature + [1, socketType, 0, UInt8(identity.count)] + identity
    }

    /// ZMTP/1.0 (RFC 13): no signature, just an identity frame: length (identity + 1), flags 0.
    public static func zmtp10(identity: [UInt8] = []) -> [UInt8] {
        [UInt8(identity.count + 1), 0] + identity
    }

    /// ZMTP/2.0 socket type numbers (RFC 15).
    public static let zmtp20Types: [String: UInt8] = [
        "PAIR": 0, "PUB": 1, "SUB": 2, "REQ": 3, "REP": 4, "DEALER": 5, "ROUTER": 6, "PULL": 7, "PUSH": 8,
    ]
}
