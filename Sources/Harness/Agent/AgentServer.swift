import Foundation

/// Serves a Driver over the agent protocol on stdin/stdout: what `zmq-agent` runs, so any
/// libzmq build can be driven from another process. Every error is answered, never fatal.
public final class AgentServer {
    private let driver: Driver
    private var sessions: [Int: DriverSession] = [:]
    private var sockets: [Int: (session: Int, id: SocketID)] = [:]
    private var next = 1

    /// Operations beyond the protocol's core, by name (zmq-agent adds "perf": the hot loops run
    /// here, never over the JSON channel). Their names are listed in hello's features.
    public typealias Operation = (AgentRequest) throws -> AgentReply
    private let extra: [String: Operation]

    public init(driver: Driver, extra: [String: Operation] = [:]) {
        self.driver = driver
        self.extra = extra
    }

    public func serve() {
        while let line = readLine(strippingNewline: true) {
            if line.isEmpty { continue }
            var reply: AgentReply
            do {
                let request = try AgentWire.decode(AgentRequest.self, line)
                reply = handle(request)
                reply.id = request.id
            } catch {
                reply = .failure(AgentWire.ErrorName.protocolError, "not a request of the protocol: \(error)")
            }
            FileHandle.standardOutput.write(Data((AgentWire.line(reply) + "\n").utf8))
        }
        for s in sessions.values { _ = s.teardown(timeoutMs: 1000) }
    }

    private struct Bad: Error { let message: String }

    private func handle(_ r: AgentRequest) -> AgentReply {
        do {
            var result = try perform(r)
            result.ok = true
            return result
        } catch let e as ZMQError {
            return .failure(e.name, e.description)
        } catch let e as Bad {
            return .failure(AgentWire.ErrorName.protocolError, e.message)
        } catch {
            return .failure(AgentWire.ErrorName.protocolError, "\(error)")
        }
    }

    private func required<T>(_ value: T?, _ key: String) throws -> T {
        guard let value else { throw Bad(message: "missing '\(key)'") }
        return value
    }

    private func session(_ r: AgentRequest) throws -> DriverSession {
        guard let s = sessions[try required(r.session, "session")] else { throw Bad(message: "unknown session") }
        return s
    }

    private func socket(_ handle: Int?) throws -> (DriverSession, SocketID) {
        guard let h = sockets[try required(handle, "socket")], let s = sessions[h.session] else { throw Bad(message: "unknown socket") }
        return (s, h.id)
    }

    private func option(_ r: AgentRequest) throws -> SocketOption {
        guard let option = SocketOption(rawValue: try required(r.option, "option")) else { throw ZMQError(code: EINVAL, operation: "unknown option") }
        return option
    }

    private func perform(_ r: AgentRequest) throws -> AgentReply {
        guard let op = AgentOp(rawValue: r.op) else {
            guard let operation = extra[r.op] else { throw Bad(message: "unknown op '\(r.op)'") }
            return try operation(r)
        }
        var out = AgentReply()
        switch op {
        case .hello:
            let info = driver.info
            let c = info.capabilities
            out.name = info.name
            out.version = info.version
            out.library = info.library
            out.protocol = AgentWire.protocolVersion
            // What the driver offers (no draft_api without the draft functions), and the extra ops.
            let features = c.features + extra.keys.sorted()
            out.capabilities = AgentCapabilities(
                socketTypes: c.socketTypes, transports: c.transports.filter { $0.value == nil }.map(\.key).sorted(),
                mechanisms: c.mechanisms, features: features, draftSymbols: c.draftSymbols.filter(\.value).map(\.key).sorted())
        case .sessionOpen:
            let id = next
            next += 1
            sessions[id] = try driver.openSession()
            out.session = id
        case .sessionClose:
            let id = try required(r.session, "session")
            guard let s = sessions.removeValue(forKey: id) else { throw Bad(message: "unknown session") }
            sockets = sockets.filter { $0.value.session != id }
            out.clean = s.teardown(timeoutMs: r.timeoutMs ?? 2000)
        case .socket:
            let sid = try required(r.session, "session")
            guard let s = sessions[sid] else { throw Bad(message: "unknown session") }
            guard let type = SocketType(rawValue: try required(r.type, "type")) else { throw Bad(message: "unknown socket type") }
            let handle = next
            next += 1
            sockets[handle] = (sid, try s.socket(type))
            out.socket = handle
        case .set:
            let (s, id) = try socket(r.socket)
            let option = try option(r)
            try s.set(id, option, try required(r.value, "value").value)
        case .get:
            let (s, id) = try socket(r.socket)
            out.value = AgentValue(try s.get(id, try option(r)))
        case .bind:
            let (s, id) = try socket(r.socket)
            out.endpoint = try s.bind(id, try required(r.endpoint, "endpoint"))
        case .connect:
            let (s, id) = try socket(r.socket)
            try s.connect(id, try required(r.endpoint, "endpoint"))
        case .disconnect:
            let (s, id) = try socket(r.socket)
            try s.disconnect(id, try required(r.endpoint, "endpoint"))
        case .unbind:
            let (s, id) = try socket(r.socket)
            try s.unbind(id, try required(r.endpoint, "endpoint"))
        case .send:
            let (s, id) = try socket(r.socket)
            let frames = try required(r.frames, "frames").map(\.bytes)
            try s.send(id, frames, dontWait: r.dontwait ?? false, timeoutMs: try required(r.timeoutMs, "timeout_ms"))
        case .recv:
            let (s, id) = try socket(r.socket)
            let m = try s.receive(id, timeoutMs: try required(r.timeoutMs, "timeout_ms"), properties: r.properties ?? [])
            out.frames = m.frames.map(AgentBytes.init)
            out.properties = m.properties
        case .recvFrame:
            let (s, id) = try socket(r.socket)
            let (frame, more) = try s.receiveFrame(id, timeoutMs: try required(r.timeoutMs, "timeout_ms"))
            out.frames = [AgentBytes(frame)]
            out.more = more
        case .shutdownDuringRecv:
            let (s, id) = try socket(r.socket)
            out.result = try s.shutdownDuringReceive(id, afterMs: try required(r.afterMs, "after_ms"), timeoutMs: try required(r.timeoutMs, "timeout_ms"))
        case .join:
            let (s, id) = try socket(r.socket)
            try s.join(id, try required(r.group, "group"))
        case .leave:
            let (s, id) = try socket(r.socket)
            try s.leave(id, try required(r.group, "group"))
        case .connectPeer:
            let (s, id) = try socket(r.socket)
            out.routingId = try s.connectPeer(id, try required(r.endpoint, "endpoint"))
        case .sendDraft:
            let (s, id) = try socket(r.socket)
            guard let frames = r.frames, frames.count == 1 else { throw Bad(message: "send_draft takes exactly one frame") }
            try s.sendDraft(
                id, frames[0].bytes, routingId: r.routingId, group: r.group, dontWait: r.dontwait ?? false,
                timeoutMs: try required(r.timeoutMs, "timeout_ms"))
        case .recvDraft:
            let (s, id) = try socket(r.socket)
            let m = try s.receiveDraft(id, timeoutMs: try required(r.timeoutMs, "timeout_ms"))
            out.frames = [AgentBytes(m.frame)]
            out.routingId = m.routingId
            out.group = m.group
        case .poll:
            var session: DriverSession?
            var list: [(SocketID, PollEvents)] = []
            for item in try required(r.items, "items") {
                let (s, id) = try socket(item.socket)
                session = s
                list.append((id, item.pollEvents))
            }
            guard let session else { out.revents = []; break }
            out.revents = try session.poll(list, timeoutMs: try required(r.timeoutMs, "timeout_ms")).map(AgentPollItem.names)
        case .monitor:
            let (s, id) = try socket(r.socket)
            try s.monitor(id)
        case .nextEvent:
            let (s, id) = try socket(r.socket)
            guard let e = try s.nextEvent(id, timeoutMs: try required(r.timeoutMs, "timeout_ms")) else { break }
            out.event = e.event?.rawValue ?? "0x" + String(e.rawEvent, radix: 16)
            out.value = AgentValue(.int(Int(e.value)))
            out.endpoint = e.endpoint
        case .close:
            let (s, id) = try socket(r.socket)
            // The handle stays: the socket's monitor still reports (MONITOR_STOPPED).
            try s.close(id)
        case .curveKeypair:
            let k = try CurveKeyPair.generate()
            out.public = k.publicKey
            out.secret = k.secretKey
        case .zap:
            let s = try session(r)
            var script = ZAPScript(
                status: try required(r.status, "status"), otherwise: r.otherwise ?? "400",
                userId: r.userId ?? "", statusText: r.statusText ?? "scripted",
                acceptCredentials: r.credentials?.map(\.bytes))
            script.fault = r.fault
            try s.installZAP(script)
        case .zapRequests:
            out.requests = try session(r).zapRequests().map(AgentZAPRequest.init)
        case .proxy:
            let (s, frontend) = try socket(r.frontend)
            let (_, backend) = try socket(r.backend)
            let capture = try r.capture.map { try socket($0).1 }
            let control = try r.control.map { try socket($0).1 }
            out.proxy = try s.startProxy(frontend: frontend, backend: backend, capture: capture, control: control)
        case .proxyWait:
            let (returned, error) = try session(r).waitProxy(try required(r.proxy, "proxy"), timeoutMs: try required(r.timeoutMs, "timeout_ms"))
            out.returned = returned
            out.result = returned ? error ?? "ok" : nil
        }
        return out
    }
}
