import CZeroMQ
import Foundation

/// How a running service is secured, as `zmqsuite wire` is told, and what the suite's peer
/// needs to get in: PLAIN credentials, or CURVE keys.
public struct WireSecurity: Sendable {
    public var mechanism: WireHandshake.Mechanism = .NULL
    public var username: [UInt8] = []
    public var password: [UInt8] = []
    /// CURVE: the server's long-term public key (the service's own, or the one a connecting
    /// service trusts) and, for a service that connects out, its secret, so the peer can be it.
    public var serverPublicKey: [UInt8]?
    public var serverSecretKey: [UInt8]?

    public init() {}

    /// A handshake whose case names no mechanism speaks the target's, with its credentials.
    func apply(to h: inout WireHandshake) throws {
        h.mechanism = mechanism
        switch mechanism {
        case .NULL: break
        case .PLAIN:
            h.username = username
            h.password = password
        case .CURVE where h.asServer:
            guard let serverPublicKey, let serverSecretKey else {
                throw StepProblem.error("the peer plays the CURVE server here: give --server-secret, the secret key the service trusts")
            }
            h.curveKeys = CurveCrypto.KeyPair(publicKey: serverPublicKey, secretKey: serverSecretKey)
        case .CURVE:
            guard let serverPublicKey else { throw StepProblem.error("a CURVE target needs --server-key, its public key") }
            h.serverKey = serverPublicKey
        }
    }

    /// The socket options of a server of this mechanism, which a bound target has already.
    var serverOptions: [String] {
        switch mechanism {
        case .NULL: return []
        case .PLAIN: return ["plain_server"]
        case .CURVE: return ["curve_server", "curve_secretkey"]
        }
    }

    /// A CURVE key as Z85 (40 characters) or hex (64).
    public static func curveKey(_ text: String) -> [UInt8]? {
        if text.count == 40 {
            var out = [UInt8](repeating: 0, count: 32)
            return zmq_z85_decode(&out, text) == nil ? nil : out
        }
        return text.count == 64 ? octets(hex: text) : nil
    }
}

/// A service already running, tested on the wire alone (`zmqsuite wire --target`): the case's
/// one socket *is* the service. Its bind answers the service's endpoint; with `listen`, the
/// service connects out to the wire peer, which listens there. Nothing else of the API exists,
/// so only cases made of that socket and wire steps apply (`reason(notApplying:)`).
public final class WireTargetDriver: Driver, @unchecked Sendable {
    public let endpoint: String?
    public let listen: String?
    public let socketType: SocketType
    public let security: WireSecurity
    public let info: ImplementationInfo

    public init(target: String?, listen: String?, socketType: SocketType, security: WireSecurity = WireSecurity()) throws {
        guard (target == nil) != (listen == nil) else { throw WireError.endpoint("give --target ENDPOINT or --listen ENDPOINT, one of them") }
        _ = try WireEndpoint((target ?? listen)!.replacingOccurrences(of: ":*", with: ":1"))
        endpoint = target
        self.listen = listen
        self.socketType = socketType
        self.security = security
        let where_ = target ?? listen!
        let transport = where_.hasPrefix("ipc://") ? "ipc" : "tcp"
        var caps = Capabilities(
            socketTypes: [socketType.rawValue], transports: [transport: nil], mechanisms: [security.mechanism.rawValue], draftSymbols: [:], zmqHas: [:])
        caps.features = []
        // A service that binds has its server options already: cases about such a server apply.
        caps.options = target == nil ? [] : security.serverOptions
        info = ImplementationInfo(name: "target", version: where_, library: "a running service, seen on the wire only", capabilities: caps)
    }

    /// The transport of the cells: the target's scheme.
    public var transport: Transport { (endpoint ?? listen ?? "").hasPrefix("ipc://") ? .ipc : .tcp }

    public func openSession() throws -> DriverSession { WireTargetSession(driver: self) }

    /// For a case about a server of the target's own mechanism (`plain_server`, or `curve_server`
    /// with a `curve_secretkey` pair), which the target is when it binds: the name of that
    /// pair ("" for PLAIN); nil when the case's options are something else.
    func serverKeyName(of subject: SocketDecl) -> String? {
        guard endpoint != nil else { return nil }
        let options = Dictionary(subject.options.map { ($0.0.rawValue, $0.1) }, uniquingKeysWith: { a, _ in a })
        switch security.mechanism {
        case .PLAIN where options.count == 1:
            if case .value(.int(1)) = options["plain_server"] { return "" }
        case .CURVE where options.count == 2 && security.serverPublicKey != nil:
            if case .value(.int(1)) = options["curve_server"], case .curveSecret(let name) = options["curve_secretkey"] { return name }
        default: break
        }
        return nil
    }

    /// Why a case cannot run against a service on the wire only, or nil when it can.
    public func reason(notApplying c: CaseDefinition) -> String? {
        let decls = c.declarations
        guard decls.count == 1, let subject = decls.first else { return "the case drives \(decls.count) sockets; a target is one" }
        guard subject.type == socketType else { return "the case is about a \(subject.type.rawValue), the target is a \(socketType.rawValue)" }
        guard !subject.monitor else { return "the case monitors its socket" }
        if !subject.options.isEmpty {
            guard serverKeyName(of: subject) != nil else {
                return "the case sets options on its socket that a \(security.mechanism.rawValue) service given to --target does not have"
            }
        } else if security.mechanism != .NULL, let named = c.steps.first(where: { ($0.action as? WireMechanismNaming)?.namesMechanism == true }) {
            return "step \(named.name) (line \(named.line)) names the mechanism for a NULL socket; the target is \(security.mechanism.rawValue)"
        }
        guard c.transports.contains(transport) else { return "the case does not run over \(transport.rawValue)" }
        let wire = Set(WireSteps.all.map { $0.name })
        var binds = false
        var connects = false
        for step in c.steps {
            switch step.action {
            case is SocketStep: continue
            case let b as BindStep where b.socket == subject.name && b.literal == nil && b.reserved == nil: binds = true
            case let k as ConnectStep where k.socket == subject.name: connects = true
            default:
                guard wire.contains(step.name) else { return "step \(step.name) (line \(step.line)) needs the implementation's API" }
            }
        }
        if endpoint != nil && !binds { return "the case has its socket connect out; use --listen for such a service" }
        if listen != nil && !connects { return "the case has its socket bind; use --target for such a service" }
        return nil
    }
}

/// The session of a target: one socket, the service itself.
final class WireTargetSession: DriverSession {
    let driver: WireTargetDriver
    init(driver: WireTargetDriver) { self.driver = driver }

    /// Where a listening wire peer listens: the endpoint the service connects to.
    var listenEndpoint: String? { driver.listen }

    private func notHere(_ what: String) -> Error { StepProblem.error("\(what) is not available on a target seen on the wire only") }

    func socket(_ type: SocketType) throws -> SocketID {
        guard type == driver.socketType else { throw notHere("a \(type.rawValue) socket") }
        return 1
    }
    func bind(_ s: SocketID, _ endpoint: String) throws -> String { driver.endpoint ?? endpoint }
    func connect(_ s: SocketID, _ endpoint: String) throws {}
    func close(_ s: SocketID) throws {}
    func teardown(timeoutMs: Int) -> Bool { true }
    func set(_ s: SocketID, _ option: SocketOption, _ value: OptionValue) throws {
        // A case about a server of the target's mechanism: the service is that server already.
        guard driver.endpoint != nil, driver.security.serverOptions.contains(option.rawValue) else { throw notHere("setting an option") }
    }
    func get(_ s: SocketID, _ option: SocketOption) throws -> OptionValue { throw notHere("reading an option") }
    func disconnect(_ s: SocketID, _ endpoint: String) throws { throw notHere("disconnecting") }
    func unbind(_ s: SocketID, _ endpoint: String) throws { throw notHere("unbinding") }
    func send(_ s: SocketID, _ frames: [[UInt8]], dontWait: Bool, timeoutMs: Int) throws { throw notHere("sending") }
    func receive(_ s: SocketID, timeoutMs: Int, properties: [String]) throws -> Message { throw notHere("receiving") }
    func shutdownDuringReceive(_ s: SocketID, afterMs: Int, timeoutMs: Int) throws -> String { throw notHere("a context shutdown") }
    func join(_ s: SocketID, _ group: String) throws { throw notHere("joining a group") }
    func leave(_ s: SocketID, _ group: String) throws { throw notHere("leaving a group") }
    func sendDraft(_ s: SocketID, _ frame: [UInt8], routingId: UInt32?, group: String?, dontWait: Bool, timeoutMs: Int) throws { throw notHere("sending") }
    func receiveDraft(_ s: SocketID, timeoutMs: Int) throws -> DraftMessage { throw notHere("receiving") }
    func connectPeer(_ s: SocketID, _ endpoint: String) throws -> UInt32 { throw notHere("zmq_connect_peer") }
    func receiveFrame(_ s: SocketID, timeoutMs: Int) throws -> (frame: [UInt8], more: Bool) { throw notHere("receiving") }
    func poll(_ items: [(SocketID, PollEvents)], timeoutMs: Int) throws -> [PollEvents] { throw notHere("polling") }
    func monitor(_ s: SocketID) throws { throw notHere("monitoring") }
    func nextEvent(_ s: SocketID, timeoutMs: Int) throws -> ObservedEvent? { throw notHere("monitoring") }
    func startProxy(frontend: SocketID, backend: SocketID, capture: SocketID?, control: SocketID?) throws -> Int { throw notHere("a proxy") }
    func waitProxy(_ id: Int, timeoutMs: Int) -> (returned: Bool, error: String?) { (false, nil) }
    func installZAP(_ script: ZAPScript) throws { throw notHere("a ZAP handler") }
    func zapRequests() -> [ZAPRequest] { [] }
    func curveKeyPair() throws -> CurveKeyPair { throw notHere("zmq_curve_keypair") }
}
