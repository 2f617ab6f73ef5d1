/// "An implementation I can drive" (README, "Architecture"). A driver opens one session per
/// conformance cell; a session is a context with its sockets, used from one thread.
public protocol Driver: AnyObject, Sendable {
    var info: ImplementationInfo { get }
    func openSession() throws -> DriverSession
}

public typealias SocketID = Int

/// A scripted ZAP handler verdict (RFC 27): status code, user id, and optionally the
/// credentials that earn `status` (others get `otherwise`).
/// One thing a ZAP handler can do wrong on purpose in its reply (RFC 27's reply format).
public enum ZAPReplyFault: String, CaseIterable, Codable, Sendable {
    /// "2.0" instead of "1.0" in the version frame.
    case version
    /// A request id that is not the one the request carried.
    case requestId = "request_id"
    /// A status code that is none of 200, 300, 400, 500.
    case statusCode = "status_code"
    /// Metadata that is not in the ZMTP property format.
    case metadata
    /// Too few frames.
    case short
}

public struct ZAPScript: Sendable {
    /// When set, every reply carries this defect.
    public var fault: ZAPReplyFault? = nil
    public var status: String
    public var otherwise: String
    public var userId: String
    public var statusText: String
    public var acceptCredentials: [[UInt8]]?
    public init(status: String, otherwise: String, userId: String, statusText: String, acceptCredentials: [[UInt8]]?) {
        self.status = status
        self.otherwise = otherwise
        self.userId = userId
        self.statusText = statusText
        self.acceptCredentials = acceptCredentials
    }
}

/// One ZAP request as the handler saw it.
public struct ZAPRequest: Sendable {
    public var version: String, requestId: [UInt8], domain: String, address: String
    public var routingId: [UInt8], mechanism: String, credentials: [[UInt8]]
    public var answeredStatus: String
}

public protocol DriverSession: AnyObject {
    func socket(_ type: SocketType) throws -> SocketID
    func set(_ s: SocketID, _ option: SocketOption, _ value: OptionValue) throws
    func get(_ s: SocketID, _ option: SocketOption) throws -> OptionValue
    /// Binds and returns the endpoint to connect to (LAST_ENDPOINT, wildcards resolved).
    func bind(_ s: SocketID, _ endpoint: String) throws -> String
    func connect(_ s: SocketID, _ endpoint: String) throws
    func disconnect(_ s: SocketID, _ endpoint: String) throws
    func unbind(_ s: SocketID, _ endpoint: String) throws
    func send(_ s: SocketID, _ frames: [[UInt8]], dontWait: Bool, timeoutMs: Int) throws
    func receive(_ s: SocketID, timeoutMs: Int, properties: [String]) throws -> Message
    /// Blocks a receive on the socket; once it has blocked for `afterMs`, shuts the session's
    /// context down (zmq_ctx_shutdown) and returns how the receive ended: "ok", an errno name,
    /// or "blocked" if it did not block (feature `ctx_shutdown`). The session is then spent.
    func shutdownDuringReceive(_ s: SocketID, afterMs: Int, timeoutMs: Int) throws -> String
    /// The draft API (feature `draft_api`): groups, routing ids, zmq_connect_peer.
    func join(_ s: SocketID, _ group: String) throws
    func leave(_ s: SocketID, _ group: String) throws
    func sendDraft(_ s: SocketID, _ frame: [UInt8], routingId: UInt32?, group: String?, dontWait: Bool, timeoutMs: Int) throws
    func receiveDraft(_ s: SocketID, timeoutMs: Int) throws -> DraftMessage
    func connectPeer(_ s: SocketID, _ endpoint: String) throws -> UInt32
    /// One frame of a message, and whether more of it follow (feature `recv_frame`).
    func receiveFrame(_ s: SocketID, timeoutMs: Int) throws -> (frame: [UInt8], more: Bool)
    func poll(_ items: [(SocketID, PollEvents)], timeoutMs: Int) throws -> [PollEvents]
    func monitor(_ s: SocketID) throws
    func nextEvent(_ s: SocketID, timeoutMs: Int) throws -> ObservedEvent?
    func close(_ s: SocketID) throws
    /// Hands the sockets to a proxy thread; returns its handle.
    func startProxy(frontend: SocketID, backend: SocketID, capture: SocketID?, control: SocketID?) throws -> Int
    /// True when the proxy returned within the bound; then its errno name or nil for rc 0.
    func waitProxy(_ id: Int, timeoutMs: Int) -> (returned: Bool, error: String?)
    func installZAP(_ script: ZAPScript) throws
    func zapRequests() -> [ZAPRequest]
    func curveKeyPair() throws -> CurveKeyPair
    /// Closes everything within the bound; false when something hung (the cell is ERROR).
    func teardown(timeoutMs: Int) -> Bool
}
