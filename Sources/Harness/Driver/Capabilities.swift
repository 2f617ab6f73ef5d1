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

    /// Transports carried over another one (transport -> the implementation's words). The
    /// socket API works; a peer speaking the transport itself (the wire peer) cannot connect.
    public var carriedTransports: [String: String] = [:]

    public static let allFeatures = Feature.allCases.map(\.rawValue)

    enum CodingKeys: String, CodingKey { case socketTypes, transports, mechanisms, draftSymbols, zmqHas, features, options, carriedTransports }

    public init(socketTypes: [String], transports: [String: String?], mechanisms: [String], draftSymbols: [String: Bool], zmqHas: [String: Bool]) {
        self.socketTypes = socketTypes
        self.transports = transports
        self.mechanisms = mechanisms
        self.draftSymbols = draftSymbols
        self.zmqHas = zmqHas
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        socketTypes = try c.decode([String].self, forKey: .socketTypes)
        transports = try c.decode([String: String?].self, forKey: .transports)
        mechanisms = try c.decode([String].self, forKey: .mechanisms)
        draftSymbols = try c.decode([String: Bool].self, forKey: .draftSymbols)
        zmqHas = try c.decode([String: Bool].self, forKey: .zmqHas)
        // Added later in schema 1: absent in the first records.
        features = try c.decodeIfPresent([String].self, forKey: .features) ?? Capabilities.allFeatures
        options = try c.decodeIfPresent([String].self, forKey: .options)
        carriedTransports = try c.decodeIfPresent([String: String].self, forKey: .carriedTransports) ?? [:]
    }

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
