import Foundation

/// The agent protocol's messages (agents/PROTOCOL.md), shared by the suite's side
/// (AgentDriver, AgentSession, AgentCheck) and the agent's side (AgentServer). One flat type
/// each way: every op's arguments and results are optional fields, named in Swift and written
/// on the wire in snake_case (`timeoutMs` <-> `timeout_ms`). Absent fields are omitted.
public enum AgentWire {
    /// The version this suite speaks; agents of `oldestVersion` and later are driven too.
    public static let protocolVersion = 2
    public static let oldestVersion = 1

    /// Error names that are not errno names.
    public enum ErrorName {
        /// The request was not one of the protocol (bad JSON, unknown op, missing argument, unknown handle).
        public static let protocolError = "PROTOCOL"
        /// Version 2: a protocol op or argument the implementation does not have; the cell is UNSUPPORTED.
        public static let notImplemented = "NOT_IMPLEMENTED"
        /// Version 2: the implementation failed without giving an errno.
        public static let noErrno = "NO_ERRNO"
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }()

    /// One JSON line (without its newline).
    public static func line<T: Encodable>(_ message: T) -> String {
        // Encoding these plain structs cannot fail; an empty object would be answered PROTOCOL.
        String(decoding: (try? encoder.encode(message)) ?? Data("{}".utf8), as: UTF8.self)
    }

    public static func decode<T: Decodable>(_ type: T.Type, _ line: String) throws -> T {
        try decoder.decode(type, from: Data(line.utf8))
    }
}

/// The ops of the protocol's core. Agents may offer more (listed in hello's features, such as
/// `perf`); those travel as any other op name.
public enum AgentOp: String, CaseIterable, Codable, Sendable {
    case hello, sessionOpen = "session_open", sessionClose = "session_close"
    case socket, set, get, bind, connect, disconnect, unbind, send, recv, poll
    case recvFrame = "recv_frame", shutdownDuringRecv = "recv_until_shutdown"
    /// The draft API (feature draft_api).
    case join, leave, sendDraft = "send_draft", recvDraft = "recv_draft", connectPeer = "connect_peer"
    case monitor, nextEvent = "next_event", close
    case curveKeypair = "curve_keypair", zap, zapRequests = "zap_requests"
    /// zmq_proxy (or zmq_proxy_steerable with a control socket) on a thread of the agent.
    case proxy, proxyWait = "proxy_wait"
}

/// A request: `op` and the arguments that op takes.
public struct AgentRequest: Codable, Sendable {
    public var id: Int?
    public var op: String
    public var session: Int?
    public var socket: Int?
    public var type: String?
    public var option: String?
    public var value: AgentValue?
    public var endpoint: String?
    public var frames: [AgentBytes]?
    public var dontwait: Bool?
    public var timeoutMs: Int?
    public var properties: [String]?
    public var items: [AgentPollItem]?
    // zap
    public var status: String?
    public var otherwise: String?
    public var userId: String?
    public var statusText: String?
    public var credentials: [AgentBytes]?
    /// zap: a defect every reply carries (feature zap_fault).
    public var fault: ZAPReplyFault?
    // proxy: socket handles, and the proxy's handle for proxy_wait
    public var frontend: Int?
    public var backend: Int?
    public var capture: Int?
    public var control: Int?
    public var proxy: Int?
    // draft API: a message's group and routing id
    public var group: String?
    public var routingId: UInt32?
    // recv_until_shutdown: how long the receive must have blocked first
    public var afterMs: Int?
    // perf (an extra op: both ends of a measurement inside the agent)
    public var kind: String?
    public var first: String?
    public var second: String?
    public var size: Int?
    public var warmup: Int?
    public var count: Int?
    /// perf throughput: also time this many equal runs of the messages (optional).
    public var windows: Int?

    public init(_ op: AgentOp) { self.op = op.rawValue }
    public init(op: String) { self.op = op }
}

/// An answer: `ok` and, when not, an errno name (or PROTOCOL) and a message; else the op's results.
public struct AgentReply: Codable, Sendable {
    public var id: Int?
    public var ok: Bool?
    public var error: String?
    public var message: String?
    // hello
    public var name: String?
    public var version: String?
    public var library: String?
    public var `protocol`: Int?
    public var capabilities: AgentCapabilities?
    // handles and results
    public var session: Int?
    public var socket: Int?
    public var endpoint: String?
    public var value: AgentValue?
    public var frames: [AgentBytes]?
    /// recv_frame: more frames of the message follow.
    public var more: Bool?
    /// recv_draft and connect_peer: the routing id; recv_draft: the group.
    public var routingId: UInt32?
    public var group: String?
    public var properties: [String: String]?
    public var revents: [[String]]?
    public var event: String?
    public var clean: Bool?
    public var `public`: String?
    public var secret: String?
    public var requests: [AgentZAPRequest]?
    // proxy: its handle; proxy_wait: whether it returned within the bound, and how ("ok" or an errno name)
    public var proxy: Int?
    public var returned: Bool?
    public var result: String?
    // perf
    public var samplesNs: [Int64]?
    public var elapsedNs: Int64?
    public var received: Int?
    /// perf throughput with `windows`: each window's time, in order.
    public var windowsNs: [Int64]?

    public init() {}

    public static func failure(_ error: String, _ message: String) -> AgentReply {
        var r = AgentReply()
        r.ok = false
        r.error = error
        r.message = message
        return r
    }
}

/// What an implementation has, as hello tells it.
public struct AgentCapabilities: Codable, Sendable {
    public var socketTypes: [String]?
    public var transports: [String]?
    public var mechanisms: [String]?
    public var features: [String]?
    public var options: [String]?
    /// The draft API functions the implementation has (zmq_join, zmq_connect_peer, ...).
    public var draftSymbols: [String]?
    /// Transports a socket binds but that travel over another one (JeroMQ's ipc is loopback TCP),
    /// with the implementation's own words for it. A peer speaking the named transport itself,
    /// as the wire peer does, cannot reach such an endpoint.
    public var carriedTransports: [String: String]?

    public init(
        socketTypes: [String], transports: [String], mechanisms: [String], features: [String], options: [String]? = nil,
        draftSymbols: [String]? = nil
    ) {
        self.socketTypes = socketTypes
        self.transports = transports
        self.mechanisms = mechanisms
        self.features = features
        self.options = options
        self.draftSymbols = draftSymbols
    }
}

public struct AgentPollItem: Codable, Sendable {
    public var socket: Int
    /// "in", "out".
    public var events: [String]

    public init(socket: Int, events: PollEvents) {
        self.socket = socket
        self.events = AgentPollItem.names(events)
    }

    public var pollEvents: PollEvents { AgentPollItem.events(events) }

    static func names(_ e: PollEvents) -> [String] {
        (e.contains(.pollIn) ? ["in"] : []) + (e.contains(.pollOut) ? ["out"] : [])
    }

    static func events(_ names: [String]) -> PollEvents {
        var e: PollEvents = []
        if names.contains("in") { e.insert(.pollIn) }
        if names.contains("out") { e.insert(.pollOut) }
        return e
    }
}

public struct AgentZAPRequest: Codable, Sendable {
    public var version: String?
    public var requestId: AgentBytes?
    public var domain: String?
    public var address: String?
    public var routingId: AgentBytes?
    public var mechanism: String?
    public var credentials: [AgentBytes]?
    public var status: String?

    init(_ q: ZAPRequest) {
        version = q.version
        requestId = AgentBytes(q.requestId)
        domain = q.domain
        address = q.address
        routingId = AgentBytes(q.routingId)
        mechanism = q.mechanism
        credentials = q.credentials.map(AgentBytes.init)
        status = q.answeredStatus
    }

    var request: ZAPRequest {
        ZAPRequest(
            version: version ?? "", requestId: requestId?.bytes ?? [], domain: domain ?? "", address: address ?? "",
            routingId: routingId?.bytes ?? [], mechanism: mechanism ?? "", credentials: credentials?.map(\.bytes) ?? [],
            answeredStatus: status ?? "")
    }
}

/// Bytes as the protocol carries them: a base64 string.
public struct AgentBytes: Codable, Sendable, Equatable {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not base64: \(text.prefix(40))"))
        }
        bytes = Array(data)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(Data(bytes).base64EncodedString())
    }
}

/// An option value or an event value: an integer, a string, or bytes as `{"base64": ...}`.
/// Booleans read as 0 or 1.
public struct AgentValue: Codable, Sendable {
    public var value: OptionValue

    public init(_ value: OptionValue) { self.value = value }

    /// A value for `option` as protocol `version` carries it: from version 2 a binary option's
    /// value is always `{"base64": ...}` and a text option's always a string, whatever form a
    /// case wrote it in (a CURVE key stays as written: Z85 text, or 32 bytes). Version 1 agents get the value as the case wrote it.
    public init(_ value: OptionValue, for option: SocketOption, version: Int) {
        guard version >= 2 else {
            self.value = value
            return
        }
        switch (option.kind, value) {
        case (.bytes, .string(let s)): self.value = .bytes(Array(s.utf8))
        case (.string, .bytes(let b)): self.value = .string(String(decoding: b, as: UTF8.self))
        default: self.value = value
        }
    }

    private struct Bytes: Codable { var base64: AgentBytes }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode(Int.self) {
            value = .int(i)
        } else if let b = try? c.decode(Bool.self) {
            value = .int(b ? 1 : 0)
        } else if let s = try? c.decode(String.self) {
            value = .string(s)
        } else {
            value = .bytes(try c.decode(Bytes.self).base64.bytes)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch value {
        case .int(let i): try c.encode(i)
        case .string(let s): try c.encode(s)
        case .bytes(let b): try c.encode(Bytes(base64: AgentBytes(b)))
        }
    }
}
