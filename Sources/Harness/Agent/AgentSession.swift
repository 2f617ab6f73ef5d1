import Foundation

/// A cell's context inside an agent. Each call waits for the agent's answer a little longer
/// than the operation's own bound.
final class AgentSession: DriverSession {
    let driver: AgentDriver
    let link: AgentLink
    private let session: Int
    private static let graceMs = 5000

    init(driver: AgentDriver, link: AgentLink, session: Int) {
        self.driver = driver
        self.link = link
        self.session = session
    }

    @discardableResult
    private func call(_ op: AgentOp, boundMs: Int = 0, _ fill: (inout AgentRequest) -> Void = { _ in }) throws -> AgentReply {
        var r = AgentRequest(op)
        fill(&r)
        do { return try link.call(r, timeoutMs: boundMs + Self.graceMs) } catch AgentError.notImplemented(let what) {
            throw StepProblem.unsupported("\(driver.info.name) answered NOT_IMPLEMENTED to \(what)")
        }
    }

    /// A request about one socket.
    @discardableResult
    private func call(_ op: AgentOp, _ s: SocketID, boundMs: Int = 0, _ fill: (inout AgentRequest) -> Void = { _ in }) throws -> AgentReply {
        try call(op, boundMs: boundMs) { r in
            r.socket = s
            fill(&r)
        }
    }

    func socket(_ type: SocketType) throws -> SocketID {
        guard
            let s = try call(
                .socket,
                {
                    $0.session = session; $0.type = type.rawValue
                }
            ).socket
        else {
            throw AgentError.protocolError("socket: no handle")
        }
        return s
    }

    func set(_ s: SocketID, _ option: SocketOption, _ value: OptionValue) throws {
        try call(.set, s) {
            $0.option = option.rawValue; $0.value = AgentValue(value, for: option, version: driver.protocolVersion)
        }
    }

    func get(_ s: SocketID, _ option: SocketOption) throws -> OptionValue {
        guard let v = try call(.get, s, { $0.option = option.rawValue }).value else { throw AgentError.protocolError("get: no value") }
        return v.value
    }

    func bind(_ s: SocketID, _ endpoint: String) throws -> String {
        try call(.bind, s) { $0.endpoint = endpoint }.endpoint ?? endpoint
    }

    func connect(_ s: SocketID, _ endpoint: String) throws { try call(.connect, s) { $0.endpoint = endpoint } }
    func disconnect(_ s: SocketID, _ endpoint: String) throws { try call(.disconnect, s) { $0.endpoint = endpoint } }
    func unbind(_ s: SocketID, _ endpoint: String) throws { try call(.unbind, s) { $0.endpoint = endpoint } }

    func send(_ s: SocketID, _ frames: [[UInt8]], dontWait: Bool, timeoutMs: Int) throws {
        try call(.send, s, boundMs: timeoutMs) {
            $0.frames = frames.map(AgentBytes.init)
            $0.dontwait = dontWait
            $0.timeoutMs = timeoutMs
        }
    }

    func receive(_ s: SocketID, timeoutMs: Int, properties: [String]) throws -> Message {
        let r = try call(.recv, s, boundMs: timeoutMs) {
            $0.timeoutMs = timeoutMs
            $0.properties = properties
        }
        guard let frames = r.frames else { throw AgentError.protocolError("recv: no frames") }
        return Message(frames: frames.map(\.bytes), properties: r.properties ?? [:])
    }

    func receiveFrame(_ s: SocketID, timeoutMs: Int) throws -> (frame: [UInt8], more: Bool) {
        let r = try call(.recvFrame, s, boundMs: timeoutMs) { $0.timeoutMs = timeoutMs }
        guard let frame = r.frames?.first, let more = r.more else { throw AgentError.protocolError("recv_frame: no frame or no more") }
        return (frame.bytes, more)
    }

    func join(_ s: SocketID, _ group: String) throws { try call(.join, s) { $0.group = group } }
    func leave(_ s: SocketID, _ group: String) throws { try call(.leave, s) { $0.group = group } }

    func connectPeer(_ s: SocketID, _ endpoint: String) throws -> UInt32 {
        guard let id = try call(.connectPeer, s, { $0.endpoint = endpoint }).routingId else {
            throw AgentError.protocolError("connect_peer: no routing_id")
        }
        return id
    }

    func sendDraft(_ s: SocketID, _ frame: [UInt8], routingId: UInt32?, group: String?, dontWait: Bool, timeoutMs: Int) throws {
        try call(.sendDraft, s, boundMs: timeoutMs) {
            $0.frames = [AgentBytes(frame)]
            $0.routingId = routingId
            $0.group = group
            $0.dontwait = dontWait
            $0.timeoutMs = timeoutMs
        }
    }

    func receiveDraft(_ s: SocketID, timeoutMs: Int) throws -> DraftMessage {
        let r = try call(.recvDraft, s, boundMs: timeoutMs) { $0.timeoutMs = timeoutMs }
        guard let frame = r.frames?.first else { throw AgentError.protocolError("recv_draft: no frame") }
        return DraftMessage(frame: frame.bytes, routingId: r.routingId ?? 0, group: r.group ?? "")
    }

    func shutdownDuringReceive(_ s: SocketID, afterMs: Int, timeoutMs: Int) throws -> String {
        let r = try call(.shutdownDuringRecv, s, boundMs: afterMs + timeoutMs) {
            $0.afterMs = afterMs
            $0.timeoutMs = timeoutMs
        }
        guard let result = r.result else { throw AgentError.protocolError("recv_until_shutdown: no result") }
        return result
    }

    func poll(_ items: [(SocketID, PollEvents)], timeoutMs: Int) throws -> [PollEvents] {
        let r = try call(.poll, boundMs: timeoutMs) {
            $0.items = items.map { AgentPollItem(socket: $0.0, events: $0.1) }
            $0.timeoutMs = timeoutMs
        }
        guard let revents = r.revents, revents.count == items.count else {
            throw AgentError.protocolError("poll: revents does not match items")
        }
        return revents.map(AgentPollItem.events)
    }

    func monitor(_ s: SocketID) throws { try call(.monitor, s) }

    func nextEvent(_ s: SocketID, timeoutMs: Int) throws -> ObservedEvent? {
        let r = try call(.nextEvent, s, boundMs: timeoutMs) { $0.timeoutMs = timeoutMs }
        guard let name = r.event else { return nil }
        let event = MonitorEvent(rawValue: name)
        var value = 0
        if case .int(let v)? = r.value?.value { value = v }
        return ObservedEvent(
            event: event, rawEvent: event?.zmqValue ?? 0, value: UInt32(truncatingIfNeeded: value), endpoint: r.endpoint ?? "",
            unknownName: event == nil ? name : nil)
    }

    func close(_ s: SocketID) throws { try call(.close, s) }

    func startProxy(frontend: SocketID, backend: SocketID, capture: SocketID?, control: SocketID?) throws -> Int {
        let r = try call(.proxy) {
            $0.frontend = frontend
            $0.backend = backend
            $0.capture = capture
            $0.control = control
        }
        guard let p = r.proxy else { throw AgentError.protocolError("proxy: no handle") }
        return p
    }

    func waitProxy(_ id: Int, timeoutMs: Int) -> (returned: Bool, error: String?) {
        guard
            let r = try? call(
                .proxyWait, boundMs: timeoutMs,
                {
                    $0.session = session; $0.proxy = id; $0.timeoutMs = timeoutMs
                }),
            r.returned == true
        else { return (false, nil) }
        return (true, r.result == "ok" ? nil : r.result)
    }

    func installZAP(_ script: ZAPScript) throws {
        try call(.zap) {
            $0.session = session
            $0.status = script.status
            $0.otherwise = script.otherwise
            $0.userId = script.userId
            $0.statusText = script.statusText
            $0.credentials = script.acceptCredentials?.map(AgentBytes.init)
            $0.fault = script.fault
        }
    }

    func zapRequests() -> [ZAPRequest] {
        (try? call(.zapRequests) { $0.session = session })?.requests?.map(\.request) ?? []
    }

    func curveKeyPair() throws -> CurveKeyPair {
        let r = try call(.curveKeypair)
        guard let p = r.public, let s = r.secret else { throw AgentError.protocolError("curve_keypair: missing keys") }
        return CurveKeyPair(publicKey: p, secretKey: s)
    }

    func teardown(timeoutMs: Int) -> Bool {
        let clean =
            (try? call(.sessionClose, boundMs: timeoutMs) {
                $0.session = session; $0.timeoutMs = timeoutMs
            })?.clean ?? false
        if link.broken { link.process.kill() } else { driver.giveBack(link.process) }
        return clean
    }
}
