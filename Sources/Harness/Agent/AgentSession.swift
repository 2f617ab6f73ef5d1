import Foundation

/// A cell's context inside an agent. Each call waits for the agent's answer a little longer
/// than the operation's own bound.
final class AgentSession: DriverSession {
    private let driver: AgentDriver
    private let link: AgentLink
    private let session: Int
    private static let graceMs = 5000

    init(driver: AgentDriver, link: AgentLink, session: Int) {
        self.driver = driver
        self.link = link
        self.session = session
    }

    @discardableResult
    private func call(_ op: String, _ args: [String: Any] = [:], boundMs: Int = 0) throws -> [String: Any] {
        var r = args
        r["op"] = op
        return try link.call(r, timeoutMs: boundMs + Self.graceMs)
    }

    func socket(_ type: SocketType) throws -> SocketID {
        guard let s = try call("socket", ["session": session, "type": type.rawValue])["socket"] as? Int else {
            throw AgentError.protocolError("socket: no handle")
        }
        return s
    }

    func set(_ s: SocketID, _ option: SocketOption, _ value: OptionValue) throws {
        try call("set", ["socket": s, "option": option.rawValue, "value": AgentWire.optionValue(value)])
    }

    func get(_ s: SocketID, _ option: SocketOption) throws -> OptionValue {
        guard let v = AgentWire.optionValue(try call("get", ["socket": s, "option": option.rawValue])["value"]) else {
            throw AgentError.protocolError("get: bad value")
        }
        return v
    }

    func bind(_ s: SocketID, _ endpoint: String) throws -> String {
        (try call("bind", ["socket": s, "endpoint": endpoint])["endpoint"] as? String) ?? endpoint
    }

    func connect(_ s: SocketID, _ endpoint: String) throws { try call("connect", ["socket": s, "endpoint": endpoint]) }
    func disconnect(_ s: SocketID, _ endpoint: String) throws { try call("disconnect", ["socket": s, "endpoint": endpoint]) }
    func unbind(_ s: SocketID, _ endpoint: String) throws { try call("unbind", ["socket": s, "endpoint": endpoint]) }

    func send(_ s: SocketID, _ frames: [[UInt8]], dontWait: Bool, timeoutMs: Int) throws {
        try call("send", ["socket": s, "frames": AgentWire.frames(frames), "dontwait": dontWait, "timeout_ms": timeoutMs], boundMs: timeoutMs)
    }

    func receive(_ s: SocketID, timeoutMs: Int, properties: [String]) throws -> Message {
        let r = try call("recv", ["socket": s, "timeout_ms": timeoutMs, "properties": properties], boundMs: timeoutMs)
        guard let frames = AgentWire.frames(r["frames"]) else { throw AgentError.protocolError("recv: frames are not base64 strings") }
        return Message(frames: frames, properties: r["properties"] as? [String: String] ?? [:])
    }

    func poll(_ items: [(SocketID, PollEvents)], timeoutMs: Int) throws -> [PollEvents] {
        let list = items.map { item -> [String: Any] in
            var events: [String] = []
            if item.1.contains(.pollIn) { events.append("in") }
            if item.1.contains(.pollOut) { events.append("out") }
            return ["socket": item.0, "events": events]
        }
        let r = try call("poll", ["items": list, "timeout_ms": timeoutMs], boundMs: timeoutMs)
        guard let revents = r["revents"] as? [[String]], revents.count == items.count else {
            throw AgentError.protocolError("poll: revents does not match items")
        }
        return revents.map { names in
            var e: PollEvents = []
            if names.contains("in") { e.insert(.pollIn) }
            if names.contains("out") { e.insert(.pollOut) }
            return e
        }
    }

    func monitor(_ s: SocketID) throws { try call("monitor", ["socket": s]) }

    func nextEvent(_ s: SocketID, timeoutMs: Int) throws -> ObservedEvent? {
        let r = try call("next_event", ["socket": s, "timeout_ms": timeoutMs], boundMs: timeoutMs)
        guard let name = r["event"] as? String else { return nil }
        let event = MonitorEvent(rawValue: name)
        return ObservedEvent(event: event, rawEvent: event?.zmqValue ?? 0, value: UInt32(truncatingIfNeeded: r["value"] as? Int ?? 0),
                             endpoint: r["endpoint"] as? String ?? "")
    }

    func close(_ s: SocketID) throws { try call("close", ["socket": s]) }

    func startProxy(frontend: SocketID, backend: SocketID, capture: SocketID?, control: SocketID?) throws -> Int {
        throw ZMQError(name: "ENOTSUP", operation: "proxy (not in the agent protocol)")
    }

    func waitProxy(_ id: Int, timeoutMs: Int) -> (returned: Bool, error: String?) { (false, nil) }

    func installZAP(_ script: ZAPScript) throws {
        var args: [String: Any] = ["session": session, "status": script.status, "otherwise": script.otherwise,
                                   "user_id": script.userId, "status_text": script.statusText]
        args["credentials"] = script.acceptCredentials.map { AgentWire.frames($0) } ?? NSNull()
        try call("zap", args)
    }

    func zapRequests() -> [ZAPRequest] {
        guard let r = try? call("zap_requests", ["session": session]), let list = r["requests"] as? [[String: Any]] else { return [] }
        return list.map { q in
            let bytes = { (k: String) in Array(Data(base64Encoded: q[k] as? String ?? "") ?? Data()) }
            return ZAPRequest(version: q["version"] as? String ?? "", requestId: bytes("request_id"), domain: q["domain"] as? String ?? "",
                              address: q["address"] as? String ?? "", routingId: bytes("routing_id"), mechanism: q["mechanism"] as? String ?? "",
                              credentials: AgentWire.frames(q["credentials"]) ?? [], answeredStatus: q["status"] as? String ?? "")
        }
    }

    func curveKeyPair() throws -> CurveKeyPair {
        let r = try call("curve_keypair")
        guard let p = r["public"] as? String, let s = r["secret"] as? String else { throw AgentError.protocolError("curve_keypair: missing keys") }
        return CurveKeyPair(publicKey: p, secretKey: s)
    }

    func teardown(timeoutMs: Int) -> Bool {
        let clean = ((try? call("session_close", ["session": session, "timeout_ms": timeoutMs], boundMs: timeoutMs))?["clean"] as? Bool) ?? false
        if link.broken { link.process.kill() } else { driver.giveBack(link.process) }
        return clean
    }
}
