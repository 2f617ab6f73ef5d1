import Foundation

/// Checks that a program speaks the agent protocol (agents/PROTOCOL.md): each check says what
/// was sent, what was expected and what came back. Used by `zmqsuite agent-check`.
public struct AgentCheck {
    public struct Result { public let name: String; public let ok: Bool; public let detail: String }

    public static func run(command: [String]) -> [Result] {
        var results: [Result] = []
        func check(_ name: String, _ ok: Bool, _ detail: String) { results.append(Result(name: name, ok: ok, detail: detail)) }
        guard let exe = command.first, FileManager.default.isExecutableFile(atPath: exe) else {
            return [Result(name: "start", ok: false, detail: "\(command.first ?? "(none)") is not an executable file")]
        }
        guard let process = try? LineProcess(executable: exe, arguments: Array(command.dropFirst())) else {
            return [Result(name: "start", ok: false, detail: "could not start \(exe)")]
        }
        defer { process.finish() }
        let link = AgentLink(process: process)
        func call(_ r: [String: Any], timeoutMs: Int = 5000) -> Result2 {
            do { return .ok(try link.call(r, timeoutMs: timeoutMs)) } catch let e as ZMQError { return .errno(e.name) } catch {
                return .broken("\(error)")
            }
        }

        // hello
        guard case .ok(let hello) = call(["op": "hello"], timeoutMs: 20000) else {
            check("hello", false, "no valid answer to {\"op\":\"hello\"} within 20 s")
            return results
        }
        let caps = hello["capabilities"] as? [String: Any]
        check("hello", hello["protocol"] as? Int == 1 && hello["name"] is String && hello["version"] is String && caps != nil,
              "needs protocol 1, name, version and capabilities; got protocol \(hello["protocol"] ?? "none")")
        let types = caps?["socket_types"] as? [String] ?? []
        let transports = caps?["transports"] as? [String] ?? []
        check("capabilities", types.contains("PAIR") && transports.contains("tcp"),
              "socket_types must list PAIR and transports tcp for the checks below; got \(types) / \(transports)")

        // A PAIR round trip over tcp.
        guard case .ok(let opened) = call(["op": "session_open"]), let session = opened["session"] as? Int else {
            check("session_open", false, "no integer 'session' in the answer")
            return results
        }
        check("session_open", true, "session \(session)")
        guard case .ok(let a) = call(["op": "socket", "session": session, "type": "PAIR"]), let sa = a["socket"] as? Int,
              case .ok(let b) = call(["op": "socket", "session": session, "type": "PAIR"]), let sb = b["socket"] as? Int else {
            check("socket", false, "no integer 'socket' in the answer to socket PAIR")
            return results
        }
        check("socket", sa != sb, "two sockets need two handles; got \(sa) and \(sb)")
        let bound = call(["op": "bind", "socket": sa, "endpoint": "tcp://127.0.0.1:*"])
        guard case .ok(let br) = bound, let endpoint = br["endpoint"] as? String, !endpoint.hasSuffix(":*"), !endpoint.hasSuffix(":0") else {
            check("bind", false, "bind tcp://127.0.0.1:* must answer the real endpoint (port resolved); got \(bound)")
            return results
        }
        check("bind", true, endpoint)
        check("connect", call(["op": "connect", "socket": sb, "endpoint": endpoint]).isOK, "connect to \(endpoint)")
        let frames = [[UInt8]("hello".utf8), [0, 255, 10], []]
        check("send", call(["op": "send", "socket": sb, "frames": AgentWire.frames(frames), "dontwait": false, "timeout_ms": 2000]).isOK,
              "a 3-frame message (text, binary with a newline byte, empty)")
        if case .ok(let got) = call(["op": "recv", "socket": sa, "timeout_ms": 2000], timeoutMs: 7000) {
            let back = AgentWire.frames(got["frames"]) ?? []
            check("recv", back == frames, "frames must come back intact in base64; got \(describeFrames(back))")
        } else { check("recv", false, "recv of the message sent failed") }

        // Bounds and errors.
        let start = monotonicMs()
        let empty = call(["op": "recv", "socket": sa, "timeout_ms": 200], timeoutMs: 5200)
        let took = monotonicMs() - start
        check("recv timeout", empty.errnoName == "EAGAIN" && took < 2000,
              "recv with nothing queued and timeout_ms 200 must answer EAGAIN at once after it; got \(empty) after \(Int(took)) ms")
        check("errno names", call(["op": "bind", "socket": sa, "endpoint": endpoint]).errnoName == "EADDRINUSE",
              "binding the same endpoint twice must answer error EADDRINUSE (errno names, not numbers)")
        check("unknown op", call(["op": "teleport"]).errnoName == "PROTOCOL", "an unknown op must answer error PROTOCOL")
        check("unknown socket", call(["op": "close", "socket": 999_999]).errnoName == "PROTOCOL", "an unknown handle must answer error PROTOCOL")
        _ = process.write("this is not json\n")
        let junk = process.readLine(timeoutMs: 5000).flatMap { AgentWire.decode(Data($0.utf8)) }
        check("bad JSON", junk?["ok"] as? Bool == false && junk?["error"] as? String == "PROTOCOL",
              "a line that is not JSON must answer ok false, error PROTOCOL")
        check("alive after bad input", call(["op": "hello"], timeoutMs: 10000).isOK, "the agent must keep serving after bad requests")
        let closed = call(["op": "session_close", "session": session, "timeout_ms": 2000], timeoutMs: 7000)
        check("session_close", closed.isOK, "closing the session; got \(closed)")
        return results
    }

    enum Result2: CustomStringConvertible {
        case ok([String: Any]), errno(String), broken(String)
        var isOK: Bool { if case .ok = self { return true } else { return false } }
        var errnoName: String? {
            switch self {
            case .errno(let n): return n
            case .broken(let s) where s.hasPrefix("protocol error"): return "PROTOCOL"
            default: return nil
            }
        }
        var description: String {
            switch self {
            case .ok(let r): return "ok \(r)"
            case .errno(let n): return "error \(n)"
            case .broken(let s): return s
            }
        }
    }
}
