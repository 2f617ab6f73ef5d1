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
        func call(_ op: AgentOp, timeoutMs: Int = 5000, _ fill: (inout AgentRequest) -> Void = { _ in }) -> Answer {
            var r = AgentRequest(op)
            fill(&r)
            return call(r, timeoutMs: timeoutMs)
        }
        func call(_ r: AgentRequest, timeoutMs: Int = 5000) -> Answer {
            do { return .ok(try link.call(r, timeoutMs: timeoutMs)) } catch let e as ZMQError { return .errno(e.name) } catch {
                return .broken("\(error)")
            }
        }

        // hello
        guard case .ok(let hello) = call(.hello, timeoutMs: 20000) else {
            check("hello", false, "no valid answer to {\"op\":\"hello\"} within 20 s")
            return results
        }
        let caps = hello.capabilities
        check(
            "hello", hello.protocol == 1 && hello.name != nil && hello.version != nil && caps != nil,
            "needs protocol 1, name, version and capabilities; got protocol \(hello.protocol.map(String.init) ?? "none")")
        let types = caps?.socketTypes ?? []
        let transports = caps?.transports ?? []
        check(
            "capabilities", types.contains("PAIR") && transports.contains("tcp"),
            "socket_types must list PAIR and transports tcp for the checks below; got \(types) / \(transports)")

        // A PAIR round trip over tcp.
        guard case .ok(let opened) = call(.sessionOpen), let session = opened.session else {
            check("session_open", false, "no integer 'session' in the answer")
            return results
        }
        check("session_open", true, "session \(session)")
        let pair = { (r: inout AgentRequest) in
            r.session = session; r.type = SocketType.PAIR.rawValue
        }
        guard case .ok(let a) = call(.socket, pair), let sa = a.socket, case .ok(let b) = call(.socket, pair), let sb = b.socket else {
            check("socket", false, "no integer 'socket' in the answer to socket PAIR")
            return results
        }
        check("socket", sa != sb, "two sockets need two handles; got \(sa) and \(sb)")
        let bound = call(.bind) {
            $0.socket = sa; $0.endpoint = "tcp://127.0.0.1:*"
        }
        guard case .ok(let br) = bound, let endpoint = br.endpoint, !endpoint.hasSuffix(":*"), !endpoint.hasSuffix(":0") else {
            check(AgentOp.bind.rawValue, false, "bind tcp://127.0.0.1:* must answer the real endpoint (port resolved); got \(bound)")
            return results
        }
        check(AgentOp.bind.rawValue, true, endpoint)
        check(
            AgentOp.connect.rawValue,
            call(.connect) {
                $0.socket = sb; $0.endpoint = endpoint
            }.isOK, "connect to \(endpoint)")
        let frames = [[UInt8]("hello".utf8), [0, 255, 10], []]
        let sent = call(.send) {
            $0.socket = sb; $0.frames = frames.map(AgentBytes.init); $0.dontwait = false; $0.timeoutMs = 2000
        }
        check(AgentOp.send.rawValue, sent.isOK, "a 3-frame message (text, binary with a newline byte, empty)")
        if case .ok(let got) = call(
            .recv, timeoutMs: 7000,
            {
                $0.socket = sa; $0.timeoutMs = 2000
            })
        {
            let back = got.frames?.map(\.bytes) ?? []
            check(AgentOp.recv.rawValue, back == frames, "frames must come back intact in base64; got \(describeFrames(back))")
        } else {
            check(AgentOp.recv.rawValue, false, "recv of the message sent failed")
        }

        // Bounds and errors.
        let start = monotonicMs()
        let empty = call(.recv, timeoutMs: 5200) {
            $0.socket = sa; $0.timeoutMs = 200
        }
        let took = monotonicMs() - start
        check(
            "recv timeout", empty.errnoName == "EAGAIN" && took < 2000,
            "recv with nothing queued and timeout_ms 200 must answer EAGAIN at once after it; got \(empty) after \(Int(took)) ms")
        check(
            "errno names",
            call(.bind) {
                $0.socket = sa; $0.endpoint = endpoint
            }.errnoName == "EADDRINUSE",
            "binding the same endpoint twice must answer error EADDRINUSE (errno names, not numbers)")
        check("unknown op", call(AgentRequest(op: "teleport")).errnoName == "PROTOCOL", "an unknown op must answer error PROTOCOL")
        check("unknown socket", call(.close) { $0.socket = 999_999 }.errnoName == "PROTOCOL", "an unknown handle must answer error PROTOCOL")
        _ = process.write("this is not json\n")
        let junk = process.readLine(timeoutMs: 5000).flatMap { try? AgentWire.decode(AgentReply.self, $0) }
        check("bad JSON", junk?.ok == false && junk?.error == "PROTOCOL", "a line that is not JSON must answer ok false, error PROTOCOL")
        check("alive after bad input", call(.hello, timeoutMs: 10000).isOK, "the agent must keep serving after bad requests")
        let closed = call(.sessionClose, timeoutMs: 7000) {
            $0.session = session; $0.timeoutMs = 2000
        }
        check("session_close", closed.isOK, "closing the session; got \(closed)")
        return results
    }

    /// What one request got: an answer, an errno name, or a broken exchange.
    enum Answer: CustomStringConvertible {
        case ok(AgentReply), errno(String), broken(String)
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
            case .ok(let r): return "ok \(AgentWire.line(r))"
            case .errno(let n): return "error \(n)"
            case .broken(let s): return s
            }
        }
    }
}
