import Foundation

/// Drives an implementation through an agent process (agents/PROTOCOL.md). Agent processes
/// are pooled: a session borrows one, opens a context in it, and gives it back at teardown.
/// An agent that dies, hangs or breaks the protocol ends its cell as ERROR and is replaced.
public final class AgentDriver: Driver, @unchecked Sendable {
    public let info: ImplementationInfo
    /// The protocol version the agent's hello named (1 or 2).
    public let protocolVersion: Int
    let command: [String]
    private let lock = NSLock()
    private var idle: [LineProcess] = []
    private var started: [LineProcess] = []

    /// The agent processes this driver started that still run (for diagnostics and tests).
    public var runningProcessIDs: [Int32] {
        lock.lock(); defer { lock.unlock() }
        return started.filter { !$0.hasExited(waitingMs: 0) }.map(\.pid)
    }

    /// An agent reached over TCP (agent-serve on another machine, `connect:` in the registry).
    public var isRemote: Bool { command.count == 1 && LineProcess.remoteAddress(command[0]) != nil }

    /// Starts the agent once and asks `hello`; throws with the reason it is unavailable.
    public init(name: String, command: [String]) throws {
        guard let exe = command.first else { throw AgentError.unavailable("empty command") }
        let remote = command.count == 1 && LineProcess.remoteAddress(exe) != nil
        guard remote || FileManager.default.isExecutableFile(atPath: exe) else {
            throw AgentError.unavailable("\(exe) is not an executable file")
        }
        self.command = command
        let probe: LineProcess
        do { probe = try LineProcess.start(command) } catch { throw AgentError.unavailable("\(error)") }
        let link = AgentLink(process: probe)
        let hello: AgentReply
        do { hello = try link.call(AgentRequest(.hello), timeoutMs: 20000) } catch {
            probe.kill()
            throw AgentError.unavailable("hello failed: \(error)")
        }
        guard let version = hello.protocol, (AgentWire.oldestVersion...AgentWire.protocolVersion).contains(version) else {
            probe.kill()
            throw AgentError.unavailable(
                "agent speaks protocol \(hello.protocol.map(String.init) ?? "?"), zmqsuite speaks \(AgentWire.oldestVersion) to \(AgentWire.protocolVersion)")
        }
        protocolVersion = version
        let caps = hello.capabilities
        let transports = Set(caps?.transports ?? [])
        var table: [String: String?] = [:]
        for t in Transport.allCases {
            // updateValue: assigning a nil literal through the subscript would remove the key.
            table.updateValue(transports.contains(t.rawValue) ? nil : "the agent does not offer \(t.rawValue)", forKey: t.rawValue)
        }
        // Draft symbols as the agent reports them; an agent that reports none has none here.
        let drafts = Dictionary(uniqueKeysWithValues: (caps?.draftSymbols ?? []).map { ($0, true) })
        var capabilities = Capabilities(
            socketTypes: caps?.socketTypes ?? [], transports: table,
            mechanisms: caps?.mechanisms ?? [], draftSymbols: drafts, zmqHas: [:])
        capabilities.features = caps?.features ?? []
        capabilities.options = caps?.options
        capabilities.carriedTransports = caps?.carriedTransports ?? [:]
        info = ImplementationInfo(name: name, version: hello.version ?? "?", library: hello.library ?? "?", capabilities: capabilities)
        idle.append(probe)
        started.append(probe)
    }

    public func openSession() throws -> DriverSession { try openAgentSession() }

    /// A session on a pooled agent process, or on a fresh one.
    func openAgentSession() throws -> AgentSession {
        lock.lock()
        let pooled = idle.popLast()
        lock.unlock()
        if let pooled {
            // A pooled agent may have died while idle: then start a fresh one instead.
            if let session = try? open(AgentLink(process: pooled)) { return session }
            pooled.kill()
        }
        return try open(AgentLink(process: try spawn()))
    }

    private func open(_ link: AgentLink) throws -> AgentSession {
        let reply = try link.call(AgentRequest(.sessionOpen), timeoutMs: 10000)
        guard let session = reply.session else { throw AgentError.protocolError("session_open gave no session") }
        return AgentSession(driver: self, link: link, session: session)
    }

    private func spawn() throws -> LineProcess {
        let p = try LineProcess.start(command)
        lock.lock(); started.append(p); lock.unlock()
        return p
    }

    /// A request outside any session (the perf op), on a pooled agent process.
    public func call(_ request: AgentRequest, timeoutMs: Int) throws -> AgentReply {
        lock.lock()
        let pooled = idle.popLast()
        lock.unlock()
        let link = AgentLink(process: try pooled ?? spawn())
        do {
            let reply = try link.call(request, timeoutMs: timeoutMs)
            giveBack(link.process)
            return reply
        } catch {
            if link.broken { link.process.kill() } else { giveBack(link.process) }
            throw error
        }
    }

    func giveBack(_ p: LineProcess) {
        lock.lock(); idle.append(p); lock.unlock()
    }

    /// Closes every agent process's input and gives each `waitingMs` to exit before it is killed.
    public func shutdown(waitingMs: Int = 1000) {
        lock.lock(); let all = idle; idle = []; lock.unlock()
        for p in all { p.finish(waitingMs: waitingMs) }
    }
}

public enum AgentError: Error, CustomStringConvertible {
    case unavailable(String)
    case protocolError(String)
    case died(String)
    case timeout(String)
    /// The agent answered NOT_IMPLEMENTED (protocol 2): the implementation lacks what was asked.
    case notImplemented(String)

    public var description: String {
        switch self {
        case .unavailable(let s): return "unavailable: \(s)"
        case .protocolError(let s): return "protocol error: \(s)"
        case .died(let s): return "the agent died: \(s)"
        case .timeout(let s): return "the agent did not answer: \(s)"
        case .notImplemented(let s): return "not implemented: \(s)"
        }
    }
}

/// One request at a time to one agent process, each with a bound.
final class AgentLink {
    let process: LineProcess
    private var nextId = 1
    private(set) var broken = false

    init(process: LineProcess) { self.process = process }

    /// Sends a request and returns its result, or throws ZMQError (an errno the implementation
    /// gave) or AgentError (the agent misbehaved; the link is then broken).
    func call(_ request: AgentRequest, timeoutMs: Int) throws -> AgentReply {
        guard !broken else { throw AgentError.died("an earlier request broke this agent") }
        var r = request
        let id = nextId
        nextId += 1
        r.id = id
        let op = request.op
        guard process.write(AgentWire.line(r) + "\n") else {
            broken = true
            throw AgentError.died("\(op): cannot write to it (\(process.exitDescription)) \(process.stderrTail())")
        }
        guard let line = process.readLine(timeoutMs: timeoutMs) else {
            broken = true
            if process.hasExited(waitingMs: 500) {
                throw AgentError.died("\(op): \(process.exitDescription) \(process.stderrTail())")
            }
            throw AgentError.timeout("\(op) within \(timeoutMs) ms")
        }
        let reply: AgentReply
        do { reply = try AgentWire.decode(AgentReply.self, line) } catch {
            broken = true
            throw AgentError.protocolError("\(op): not an answer of the protocol (\(error)): \(line.prefix(120))")
        }
        guard reply.id == id else {
            broken = true
            throw AgentError.protocolError("\(op): answered id \(reply.id.map(String.init) ?? "none"), expected \(id)")
        }
        if reply.ok == true { return reply }
        let error = reply.error ?? AgentWire.ErrorName.protocolError
        if error == AgentWire.ErrorName.protocolError { throw AgentError.protocolError("\(op): \(reply.message ?? "")") }
        if error == AgentWire.ErrorName.notImplemented { throw AgentError.notImplemented("\(op): \(reply.message ?? "")") }
        throw ZMQError(name: error, operation: "\(op) (agent)")
    }
}
