import Foundation

/// Shared helpers of the agent protocol (agents/PROTOCOL.md): JSON objects, base64 frames,
/// option values.
public enum AgentWire {
    public static let protocolVersion = 1

    public static func encode(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }

    public static func decode(_ line: Data) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: line)) as? [String: Any]
    }

    public static func frames(_ frames: [[UInt8]]) -> [String] { frames.map { Data($0).base64EncodedString() } }

    public static func frames(_ value: Any?) -> [[UInt8]]? {
        guard let list = value as? [String] else { return nil }
        var out: [[UInt8]] = []
        for s in list {
            guard let d = Data(base64Encoded: s) else { return nil }
            out.append(Array(d))
        }
        return out
    }

    public static func optionValue(_ v: OptionValue) -> Any {
        switch v {
        case .int(let i): return i
        case .string(let s): return s
        case .bytes(let b): return ["base64": Data(b).base64EncodedString()]
        }
    }

    public static func optionValue(_ any: Any?) -> OptionValue? {
        if let n = any as? NSNumber { return .int(n.intValue) }
        if let s = any as? String { return .string(s) }
        if let o = any as? [String: Any], let b = o["base64"] as? String, let d = Data(base64Encoded: b) { return .bytes(Array(d)) }
        return nil
    }
}
