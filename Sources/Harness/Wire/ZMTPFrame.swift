/// One ZMTP frame (RFC 23 3.4): a flags octet (MORE 0x01, LONG 0x02, COMMAND 0x04), a size of one
/// octet or eight (network order), and the body. Encoding can lie on purpose: flags with
/// reserved bits, a LONG size for a short body, a size that does not match the body.
public struct ZMTPFrame: Equatable, Sendable {
    public static let more: UInt8 = 0x01
    public static let long: UInt8 = 0x02
    public static let command: UInt8 = 0x04

    public var flags: UInt8
    public var body: [UInt8]

    public init(flags: UInt8, body: [UInt8]) {
        self.flags = flags
        self.body = body
    }

    public var isCommand: Bool { flags & Self.command != 0 }
    public var hasMore: Bool { flags & Self.more != 0 }

    /// The correct encoding: LONG exactly when the body exceeds 255 octets.
    public var bytes: [UInt8] { encode() }

    /// `forceLong`: an 8-octet size even for a body under 256 octets; `size`: the size field
    /// written, whatever the body is (a lie when they differ).
    public func encode(forceLong: Bool = false, size: UInt64? = nil) -> [UInt8] {
        let n = size ?? UInt64(body.count)
        let long = forceLong || n > 255
        let f = long ? flags | Self.long : flags & ~Self.long
        if long { return [f] + withUnsafeBytes(of: n.bigEndian, Array.init) + body }
        return [f, UInt8(n)] + body
    }

    public static func message(_ parts: [[UInt8]]) -> [ZMTPFrame] {
        parts.enumerated().map { i, p in ZMTPFrame(flags: i < parts.count - 1 ? more : 0, body: p) }
    }
}

/// Reads frames off the front of a byte buffer. Returns nil when the buffer does not yet hold
/// a whole frame.
public enum ZMTPFrameReader {
    /// The frame at the front of `buffer` and how many octets it took.
    public static func frame(in buffer: ArraySlice<UInt8>) -> (frame: ZMTPFrame, length: Int)? {
        guard let flags = buffer.first else { return nil }
        let start = buffer.startIndex
        let headerLength = flags & ZMTPFrame.long != 0 ? 9 : 2
        guard buffer.count >= headerLength else { return nil }
        var size: UInt64 = 0
        if headerLength == 9 {
            for b in buffer[(start + 1)..<(start + 9)] { size = size << 8 | UInt64(b) }
        } else {
            size = UInt64(buffer[start + 1])
        }
        guard size <= UInt64(buffer.count - headerLength) else { return nil }
        let body = Array(buffer[(start + headerLength)..<(start + headerLength + Int(size))])
        return (ZMTPFrame(flags: flags, body: body), headerLength + Int(size))
    }

    /// The size a frame header announces, once the header is there (to tell a lie from a wait).
    public static func announcedSize(in buffer: ArraySlice<UInt8>) -> UInt64? {
        guard let flags = buffer.first else { return nil }
        let start = buffer.startIndex
        if flags & ZMTPFrame.long == 0 { return buffer.count >= 2 ? UInt64(buffer[start + 1]) : nil }
        guard buffer.count >= 9 else { return nil }
        return buffer[(start + 1)..<(start + 9)].reduce(0) { $0 << 8 | UInt64($1) }
    }
}
