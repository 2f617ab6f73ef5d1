import Foundation

/// A ZMTP command (RFC 23 3.5): a name (one octet of length, then the name) and data.
public struct ZMTPCommand: Equatable, Sendable {
    public var name: String
    public var data: [UInt8]

    public init(name: String, data: [UInt8] = []) {
        self.name = name
        self.data = data
    }

    public var body: [UInt8] { [UInt8(name.utf8.count)] + Array(name.utf8) + data }
    public var frame: ZMTPFrame { ZMTPFrame(flags: ZMTPFrame.command, body: body) }

    /// Reads a command frame's body; nil when the name length overruns it.
    public init?(body: [UInt8]) {
        guard let n = body.first, body.count >= 1 + Int(n) else { return nil }
        name = String(decoding: body[1..<(1 + Int(n))], as: UTF8.self)
        data = Array(body[(1 + Int(n))...])
    }

    // MARK: the commands the peer speaks

    public static func ready(_ properties: [(String, [UInt8])]) -> Self { Self(name: "READY", data: ZMTPMetadata.encode(properties)) }

    public static func error(_ reason: String) -> Self {
        let r = Array(reason.utf8.prefix(255))
        return Self(name: "ERROR", data: [UInt8(r.count)] + r)
    }

    /// RFC 37 3.3: TTL in tenths of a second (2 octets), then up to 16 octets of context.
    public static func ping(ttl: UInt16, context: [UInt8]) -> Self {
        Self(name: "PING", data: withUnsafeBytes(of: ttl.bigEndian, Array.init) + context)
    }

    public static func pong(context: [UInt8]) -> Self { Self(name: "PONG", data: context) }

    /// RFC 37: a subscription as a command (ZMTP 3.1).
    public static func subscribe(_ topic: [UInt8]) -> Self { Self(name: "SUBSCRIBE", data: topic) }
    public static func cancel(_ topic: [UInt8]) -> Self { Self(name: "CANCEL", data: topic) }

    /// An ERROR command's reason; nil when the data is not a length-prefixed string.
    public var errorReason: String? {
        guard name == "ERROR", let n = data.first, data.count == 1 + Int(n) else { return nil }
        return String(decoding: data[1...], as: UTF8.self)
    }

    public var summary: String {
        switch name {
        case "READY":
            guard let props = ZMTPMetadata.decode(data) else { return "READY (malformed metadata)" }
            return "READY " + props.map { "\($0.0)=\(ZMTPMetadata.show($0.1))" }.joined(separator: " ")
        case "ERROR": return "ERROR \"\(errorReason ?? ZMTPMetadata.show(data))\""
        case "PING" where data.count >= 2:
            return "PING ttl \(UInt16(data[0]) << 8 | UInt16(data[1])) context \(ZMTPMetadata.show(Array(data[2...])))"
        case "PONG": return "PONG context \(ZMTPMetadata.show(data))"
        default: return "\(name) \(data.count) octets"
        }
    }
}

/// READY/INITIATE metadata (RFC 23 3.5.1): name (1-octet length, 1..255), value (4-octet length).
public enum ZMTPMetadata {
    public static func encode(_ properties: [(String, [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        for (name, value) in properties {
            out += [UInt8(truncatingIfNeeded: name.utf8.count)] + Array(name.utf8)
            out += withUnsafeBytes(of: UInt32(value.count).bigEndian, Array.init) + value
        }
        return out
    }

    /// The properties in order; nil when a length overruns the data or a name is empty.
    public static func decode(_ data: [UInt8]) -> [(String, [UInt8])]? {
        var out: [(String, [UInt8])] = []
        var i = 0
        while i < data.count {
            let n = Int(data[i])
            guard n > 0, i + 1 + n + 4 <= data.count else { return nil }
            let name = String(decoding: data[(i + 1)..<(i + 1 + n)], as: UTF8.self)
            i += 1 + n
            let size = data[i..<(i + 4)].reduce(0) { $0 << 8 | Int($1) }
            i += 4
            guard i + size <= data.count else { return nil }
            out.append((name, Array(data[i..<(i + size)])))
            i += size
        }
        return out
    }

    /// A property's value, by case-insensitive name (RFC 23: names are case-insensitive).
    public static func value(_ name: String, in properties: [(String, [UInt8])]) -> [UInt8]? {
        properties.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// Printable text, or hex when it is not.
    public static func show(_ bytes: [UInt8]) -> String {
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return "\"" + String(decoding: bytes, as: UTF8.self) + "\"" }
        return "0x" + bytes.prefix(32).map { String(format: "%02x", $0) }.joined() + (bytes.count > 32 ? "..." : "")
    }
}
