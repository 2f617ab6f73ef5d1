import Foundation

/// An agent's own conformance test (agents/PROTOCOL.md): every op it claims, every value form,
/// timeouts, errors, bad input, monitor after close, sessions really closed, nothing but JSON
/// on stdout, exit at end of input, and that what `hello` claims is true. Each result names the
/// request that showed it. Used by `zmqsuite agent-check`.
public final class AgentCheck {
    public struct Result: Sendable {
        public let name: String
        public let ok: Bool
        public let detail: String
    }

    /// What one request got: an answer, an error name, or no answer of the protocol.
    enum Answer: CustomStringConvertible {
        case ok(AgentReply), error(String, String), broken(String)

        var reply: AgentReply? { if case .ok(let r) = self { return r } else { return nil } }
        var isOK: Bool { reply != nil }
        var errorName: String? { if case .error(let n, _) = self { return n } else { return nil } }
        var description: String {
            switch self {
            case .ok(let r): return "ok \(AgentWire.line(r))"
            case .error(let n, let m): return "error \(n) (\(m.prefix(120)))"
            case .broken(let s): return s
            }
        }
    }

    let process: LineProcess
    private(set) var results: [Result] = []
    /// Lines on stdout that were not the answer awaited.
    private(set) var strayLines: [String] = []
    private var nextId = 1
    /// Set when a request went unanswered: later requests are not sent (each would wait its bound).
    private var silentSince: String?
    var hello = AgentReply()
    var version: Int { hello.protocol ?? 0 }
    var caps: AgentCapabilities { hello.capabilities ?? AgentCapabilities(socketTypes: [], transports: [], mechanisms: [], features: []) }

    init(process: LineProcess) { self.process = process }

    public static func run(command: [String]) -> [Result] {
        guard let exe = command.first, FileManager.default.isExecutableFile(atPath: exe) || LineProcess.remoteAddress(exe) != nil else {
            return [Result(name: "start", ok: false, detail: "\(command.first ?? "(none)") is not an executable file")]
        }
        guard let process = try? LineProcess.start(command) else {
            return [Result(name: "start", ok: false, detail: "could not start \(exe)")]
        }
        let check = AgentCheck(process: process)
        defer { process.kill() }
        check.runAll()
        return check.results
    }

    private func runAll() {
        guard checkHello() else { return }
        checkClaims()
        checkCore()
        checkFeatures()
        checkBadInput()
        checkSessionsClose()
        record("stdout", strayLines.isEmpty, strayLines.first.map { "stdout must carry answers only; it also carried: \($0.prefix(160))" } ?? "answers only")
        let exited = process.closeInputAndWait(ms: 5000)
        record(
            "end of input", exited && process.exitDescription == "exit 0",
            exited ? "closing stdin: the agent ended with \(process.exitDescription) (must be exit 0)" : "closing stdin: the agent was still running 5 s later")
    }

    // MARK: recording

    func record(_ name: String, _ ok: Bool, _ detail: String) { results.append(Result(name: name, ok: ok, detail: detail)) }

    /// Records a check about one request: the request is quoted when it fails.
    func expect(_ name: String, _ request: AgentRequest, _ ok: Bool, _ detail: String) {
        record(name, ok, ok ? detail : "\(detail); request \(AgentWire.line(request))")
    }

    // MARK: calling

    func request(_ op: AgentOp, _ fill: (inout AgentRequest) -> Void = { _ in }) -> AgentRequest {
        var r = AgentRequest(op)
        fill(&r)
        return r
    }

    /// Sends a request and waits up to `waitMs` for its answer; lines that are not the answer
    /// are kept as stray output.
    func call(_ request: AgentRequest, waitMs: Int = 5000) -> Answer {
        if let silentSince { return .broken("not sent: the agent stopped answering at \(silentSince)") }
        var r = request
        r.id = nextId
        nextId += 1
        guard process.write(AgentWire.line(r) + "\n") else { return .broken("cannot write to the agent (\(process.exitDescription))") }
        let answer = awaitAnswer(id: r.id, waitMs: waitMs)
        if case .broken = answer { silentSince = AgentWire.line(r) }
        return answer
    }

    func call(_ op: AgentOp, waitMs: Int = 5000, _ fill: (inout AgentRequest) -> Void = { _ in }) -> Answer {
        call(request(op, fill), waitMs: waitMs)
    }

    func awaitAnswer(id: Int?, waitMs: Int) -> Answer {
        let deadline = monotonicMs() + Double(waitMs)
        while true {
            let left = Int(deadline - monotonicMs())
            guard left > 0, let line = process.readLine(timeoutMs: left) else {
                return .broken(
                    process.hasExited(waitingMs: 200) ? "the agent died (\(process.exitDescription)) \(process.stderrTail())" : "no answer within \(waitMs) ms")
            }
            guard let reply = try? AgentWire.decode(AgentReply.self, line), reply.ok != nil, reply.id == id else {
                strayLines.append(line)
                continue
            }
            if reply.ok == true { return .ok(reply) }
            return .error(reply.error ?? "(no error name)", reply.message ?? "")
        }
    }

    /// A new session, or nil (recorded) when the agent cannot open one.
    func openSession(_ purpose: String) -> Int? {
        let wasSilent = silentSince != nil
        let a = call(.sessionOpen)
        guard let s = a.reply?.session else {
            if !wasSilent { record(AgentOp.sessionOpen.rawValue, false, "for \(purpose): no integer 'session' in \(a)") }
            return nil
        }
        return s
    }

    func closeSession(_ session: Int) {
        let close = request(.sessionClose) {
            $0.session = session; $0.timeoutMs = 2000
        }
        let wasSilent = silentSince != nil
        let a = call(close, waitMs: 8000)
        if !a.isOK && !wasSilent { expect(AgentOp.sessionClose.rawValue, close, false, "closing a session must answer ok; got \(a)") }
    }

    func socket(_ session: Int, _ type: SocketType) -> Int? {
        call(.socket) {
            $0.session = session; $0.type = type.rawValue
        }.reply?.socket
    }

    func bind(_ socket: Int, _ endpoint: String) -> String? {
        call(.bind) {
            $0.socket = socket; $0.endpoint = endpoint
        }.reply?.endpoint
    }

    func connect(_ socket: Int, _ endpoint: String) -> Bool {
        call(.connect) {
            $0.socket = socket; $0.endpoint = endpoint
        }.isOK
    }

    func send(_ socket: Int, _ frames: [[UInt8]], timeoutMs: Int = 2000) -> Answer {
        call(.send, waitMs: timeoutMs + 5000) {
            $0.socket = socket; $0.frames = frames.map(AgentBytes.init); $0.dontwait = false; $0.timeoutMs = timeoutMs
        }
    }

    func receive(_ socket: Int, timeoutMs: Int = 2000, properties: [String]? = nil) -> Answer {
        call(.recv, waitMs: timeoutMs + 5000) {
            $0.socket = socket; $0.timeoutMs = timeoutMs; $0.properties = properties
        }
    }

    func set(_ socket: Int, _ option: SocketOption, _ value: OptionValue) -> Answer {
        call(.set) {
            $0.socket = socket; $0.option = option.rawValue; $0.value = AgentValue(value)
        }
    }

    func claims(_ feature: Feature) -> Bool { (caps.features ?? []).contains(feature.rawValue) }
    func claims(_ type: SocketType) -> Bool { (caps.socketTypes ?? []).contains(type.rawValue) }
    func claims(_ option: SocketOption) -> Bool { caps.options.map { $0.contains(option.rawValue) } ?? true }
}
