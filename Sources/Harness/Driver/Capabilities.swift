/// What one implementation can do, found by asking (zmq_has, dlsym) and by trying
/// (creating each socket type, binding each transport).
public struct Capabilities: Codable, Sendable {
    public var socketTypes: [String]
    /// Transport -> nil when usable, else the reason it is not.
    public var transports: [String: String?]
    public var mechanisms: [String]
    /// Draft API symbol -> exported by the library.
    public var draftSymbols: [String: Bool]
    /// Capabilities zmq_has answers yes to (as asked, before probing).
    public var zmqHas: [String: Bool]
    /// Harness features the driver offers: monitor, zap, proxy, curve_keypair, properties.
    public var features: [String] = Capabilities.allFeatures

    /// Socket options the implementation has (protocol names); nil means all of them.
    public var options: [String]? = nil

    public static let allFeatures = ["monitor", "zap", "proxy", "curve_keypair", "properties"]

    public func unsupportedReason(transport: Transport) -> String? {
        guard let entry = transports[transport.rawValue] else { return "transport \(transport.rawValue) not probed" }
        return entry
    }
}

public struct ImplementationInfo: Codable, Sendable {
    public var name: String
    public var version: String
    public var library: String
    public var capabilities: Capabilities
}
