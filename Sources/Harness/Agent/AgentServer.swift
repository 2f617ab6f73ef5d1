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
    public typealias Operation = ([String: Any]) throws -> [String: Any]
    private let extra: [String: Operation]

    public init(driver: Driver, extra: [String: Operation] = [:]) {
        self.driver = driver
        self.extra = extra
    }

    public func serve() {
        while let line = readLine(strippingNewline: true) {
            if line.isEmpty { continue }
            var reply: [String: Any]
            if let request = AgentWire.decode(Data(line.utf8)) {
                reply = handle(request)
                reply["id"] = request["id"] ?? NSNull()
            } else {
                reply = ["id": NSNull(), "ok": false, "error": "PROTOCOL", "message": "not a JSON object"]
            }
            FileHandle.standardOutput.write(AgentWire.encode(reply) + Data("\n".utf8))
        }
        for s in sessions.values { _ = s.teardown(timeoutMs: 1000) }
    }

    private struct Bad: Error { let message: String }

    private func handle(_ r: [String: Any]) -> [String: Any] {
        do {
            var result = try perform(r)
            result["ok"] = true
            return result
        } catch let e as ZMQError {
            return ["ok": false, "error": e.name, "message": e.description]
        } catch let e as Bad {
            return ["ok": false, "error": "PROTOCOL", "message": e.message]
        } catch {
            return ["ok": false, "error": "PROTOCOL", "message": "\(error)"]
        }
    }

    private func int(_ r: [String: Any], _ key: String) throws -> Int {
        guard let v = r[key] as? NSNumber else { throw Bad(message: "missing integer '\(key)'") }
        return v.intValue
    }

    private func string(_ r: [String: Any], _ key: String) throws -> String {
        guard let v = r[key] as? String else { throw Bad(message: "missing string '\(key)'") }
        return v
    }

    private func session(_ r: [String: Any]) throws -> DriverSession {
        guard let s = sessions[try int(r, "session")] else { throw Bad(message: "unknown session") }
        return s
    }

    private func socket(_ r: [String: Any]) throws -> (DriverSession, SocketID) {
        guard let h = sockets[try int(r, "socket")], let s = sessions[h.session] else { throw Bad(message: "unknown socket") }
        return (s, h.id)
    }

    private func perform(_ r: [String: Any]) throws -> [String: Any] {
        guard let op = r["op"] as? String else { throw Bad(message: "missing 'op'") }
        switch op {
        case "hello":
            let info = driver.info
            let c = info.capabilities
            return ["name": info.name, "version": info.version, "library": info.library, "protocol": AgentWire.protocolVersion,
                    "capabilities": ["socket_types": c.socketTypes,
                                     "transports": c.transports.filter { $0.value == nil }.map(\.key).sorted(),
                                     "mechanisms": c.mechanisms,
                                     "features": ["monitor", "zap", "curve_keypair", "properties"] + extra.keys.sorted()]]
        case "session_open":
            let id = next
            next += 1
            sessions[id] = try driver.openSession()
            return ["session": id]
        case "session_close":
            let id = try int(r, "session")
            guard let s = sessions.removeValue(forKey: id) else { throw Bad(message: "unknown session") }
            sockets = sockets.filter { $0.value.session != id }
            return ["clean": s.teardown(timeoutMs: (r["timeout_ms"] as? Int) ?? 2000)]
        case "socket":
            let sid = try int(r, "session")
            guard let s = sessions[sid] else { throw Bad(message: "unknown session") }
            guard let type = SocketType(rawValue: try string(r, "type")) else { throw Bad(message: "unknown socket type") }
            let handle = next
            next += 1
            sockets[handle] = (sid, try s.socket(type))
            return ["socket": handle]
        case "set":
            let (s, id) = try socket(r)
            guard let option = SocketOption(rawValue: try string(r, "option")) else { throw ZMQError(code: EINVAL, operation: "unknown option") }
            guard let value = AgentWire.optionValue(r["value"]) else { throw Bad(message: "bad option value") }
            try s.set(id, option, value)
            return [:]
        case "get":
            let (s, id) = try socket(r)
            guard let option = SocketOption(rawValue: try string(r, "option")) else { throw ZMQError(code: EINVAL, operation: "unknown option") }
            return ["value": AgentWire.optionValue(try s.get(id, option))]
        case "bind":
            let (s, id) = try socket(r)
            return ["endpoint": try s.bind(id, try string(r, "endpoint"))]
        case "connect":
            let (s, id) = try socket(r)
            try s.connect(id, try string(r, "endpoint"))
            return [:]
        case "disconnect":
            let (s, id) = try socket(r)
            try s.disconnect(id, try string(r, "endpoint"))
            return [:]
        case "unbind":
            let (s, id) = try socket(r)
            try s.unbind(id, try string(r, "endpoint"))
            return [:]
        case "send":
            let (s, id) = try socket(r)
            guard let frames = AgentWire.frames(r["frames"]) else { throw Bad(message: "frames must be a list of base64 strings") }
            try s.send(id, frames, dontWait: (r["dontwait"] as? Bool) ?? false, timeoutMs: try int(r, "timeout_ms"))
            return [:]
        case "recv":
            let (s, id) = try socket(r)
            let m = try s.receive(id, timeoutMs: try int(r, "timeout_ms"), properties: (r["properties"] as? [String]) ?? [])
            return ["frames": AgentWire.frames(m.frames), "properties": m.properties]
        case "poll":
            guard let items = r["items"] as? [[String: Any]] else { throw Bad(message: "items must be a list") }
            var session: DriverSession?
            var list: [(SocketID, PollEvents)] = []
            for item in items {
                let (s, id) = try socket(item)
                session = s
                var e: PollEvents = []
                for name in (item["events"] as? [String]) ?? [] { e.insert(name == "out" ? .pollOut : .pollIn) }
                list.append((id, e))
            }
            guard let session else { return ["revents": []] }
            let got = try session.poll(list, timeoutMs: try int(r, "timeout_ms"))
            return ["revents": got.map { e -> [String] in
                var names: [String] = []
                if e.contains(.pollIn) { names.append("in") }
                if e.contains(.pollOut) { names.append("out") }
                return names
            }]
        case "monitor":
            let (s, id) = try socket(r)
            try s.monitor(id)
            return [:]
        case "next_event":
            let (s, id) = try socket(r)
            guard let e = try s.nextEvent(id, timeoutMs: try int(r, "timeout_ms")) else { return ["event": NSNull()] }
            return ["event": e.event?.rawValue ?? "0x" + String(e.rawEvent, radix: 16), "value": Int(e.value), "endpoint": e.endpoint]
        case "close":
            let (s, id) = try socket(r)
            // The handle stays: the socket's monitor still reports (MONITOR_STOPPED).
            try s.close(id)
            return [:]
        case "curve_keypair":
            let k = try CurveKeyPair.generate()
            return ["public": k.publicKey, "secret": k.secretKey]
        case "zap":
            let s = try session(r)
            let creds = (r["credentials"] as? [String]).flatMap { AgentWire.frames($0) }
            try s.installZAP(ZAPScript(status: try string(r, "status"), otherwise: (r["otherwise"] as? String) ?? "400",
                                       userId: (r["user_id"] as? String) ?? "", statusText: (r["status_text"] as? String) ?? "scripted",
                                       acceptCredentials: creds))
            return [:]
        case "zap_requests":
            let s = try session(r)
            return ["requests": s.zapRequests().map { q -> [String: Any] in
                ["version": q.version, "request_id": Data(q.requestId).base64EncodedString(), "domain": q.domain,
                 "address": q.address, "routing_id": Data(q.routingId).base64EncodedString(), "mechanism": q.mechanism,
                 "credentials": AgentWire.frames(q.credentials), "status": q.answeredStatus]
            }]
        default:
            guard let operation = extra[op] else { throw Bad(message: "unknown op '\(op)'") }
            return try operation(r)
        }
    }
}
