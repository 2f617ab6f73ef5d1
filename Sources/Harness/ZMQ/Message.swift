import CZeroMQ

/// One received message: its frames, and the metadata properties asked for (e.g. "User-Id").
public struct Message: Sendable, Equatable {
    public var frames: [[UInt8]]
    public var properties: [String: String]

    public init(frames: [[UInt8]], properties: [String: String] = [:]) {
        self.frames = frames
        self.properties = properties
    }
}

/// Frames shown to people: text when printable, hex otherwise.
public func describeFrame(_ bytes: [UInt8]) -> String {
    if bytes.isEmpty { return "\"\"" }
    if bytes.count > 64 { return "<\(bytes.count) bytes: \(hex(bytes.prefix(16)))...>" }
    if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) {
        return "\"" + String(decoding: bytes, as: UTF8.self) + "\""
    }
    return "0x" + hex(bytes[...])
}

public func describeFrames(_ frames: [[UInt8]]) -> String {
    "[" + frames.map(describeFrame).joined(separator: ", ") + "]"
}

/// Octets from hex digits (an even number of them); nil for anything else.
func octets(hex text: String) -> [UInt8]? {
    guard text.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    var i = text.startIndex
    while i < text.endIndex {
        let j = text.index(i, offsetBy: 2)
        guard let b = UInt8(text[i..<j], radix: 16) else { return nil }
        out.append(b)
        i = j
    }
    return out
}

func hex(_ bytes: ArraySlice<UInt8>) -> String {
    bytes.map { b in
        let s = String(b, radix: 16)
        return s.count == 1 ? "0" + s : s
    }.joined()
}
