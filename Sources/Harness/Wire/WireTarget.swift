import Foundation

/// A service already running, tested on the wire alone (`zmqsuite wire --target`): the case's
/// one socket *is* the service. Its bind answers the service's endpoint; with `listen`, the
/// service connects out to the wire peer, which listens there. Nothing else of the API exists,
/// so only cases made of that socket and wire steps apply (`reason(notApplying:)`).
public final class WireTargetDriver: Driver, @unchecked Sendable {
    public let endpoint: String?
    public let listen: String?
    public let socketType: SocketType
    public let info: ImplementationInfo

    public init(target: String?, listen: String?, socketType: SocketType) throws {
        guard (target == nil) != (listen == nil) else { throw WireError.endpoint("give --target ENDPOINT or --listen ENDPOINT, one of them") }
        _ = try WireEndpoint((target ?? listen)!.replacingOccurrences(of: ":*", with: ":1"))
        endpoint = target
        self.listen = listen
        self.socketType = socketType
        let where_ = target ?? listen!
        let transport = where_.hasPrefix("ipc://") ? "ipc" : "tcp"
        var caps = Capabilities(socketTypes: [socketType.rawValue], transports: [transport: nil], mechanisms: ["NULL"], draftSymbols: [:], zmqHas: [:])
        caps.features = []
        caps.options = []
        info = ImplementationInfo(name: "target", version: where_, library: "a running service, seen on the wire only", capabilities: caps)
    }

    /// The transport of the cells: the target's scheme.
    public var transport: Transport { (endpoint ?? listen ?? "").hasPrefix("ipc://") ? .ipc : .tcp }

    public func openSession() throws -> DriverSession { WireTargetSession(driver: self) }

    /// Why a case cannot run against a service on the wire only, or nil when it can.
    public func reason(notApplying c: CaseDefinition) -> String? {
        let decls = c.declarations
        guard decls.count == 1, let subject = decls.first else { return "the case drives \(decls.count) sockets; a target is one" }
        guard subject.type == socketType else { return "the case is about a \(subject.type.rawValue), the target is a \(socketType.rawValue)" }
        guard subject.options.isEmpty, !subject.monitor else { return "the case sets options or a monitor on its socket" }
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
    func set(_ s: SocketID, _ option: SocketOption, _ value: OptionValue) throws { throw notHere("setting an option") }
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
