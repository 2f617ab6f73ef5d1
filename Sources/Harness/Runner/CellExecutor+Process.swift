import Foundation

/// A session whose sockets live in a process the suite started, which it can kill -9.
protocol ProcessSession: DriverSession {
    /// The process holding the session's sockets.
    var processID: Int32 { get }
    /// Kills that process with SIGKILL and waits for it to be reaped; the session is spent.
    func killProcess()
}

/// A session that can start a sibling of the same implementation in a process of its own.
protocol OwnProcessSource: DriverSession {
    func ownProcessSession() throws -> ProcessSession
}

extension AgentSession: ProcessSession, OwnProcessSource {
    var processID: Int32 { link.process.pid }
    func killProcess() { link.process.kill() }
    func ownProcessSession() throws -> ProcessSession { try driver.openAgentSession() }
}

extension LibzmqSession: OwnProcessSource {
    /// In-process libzmq cannot kill one socket's process: its own process is zmq-agent
    /// (next to this executable), which drives the same libzmq.
    static let ownProcessDriver: Result<AgentDriver, Error> = Result {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("zmq-agent").path
        guard FileManager.default.isExecutableFile(atPath: exe) else {
            throw AgentError.unavailable("zmq-agent is not next to \(CommandLine.arguments[0]) (swift build builds both)")
        }
        return try AgentDriver(name: "libzmq (zmq-agent)", command: [exe])
    }

    func ownProcessSession() throws -> ProcessSession { try Self.ownProcessDriver.get().openAgentSession() }
}

extension CellExecutor {
    /// Opens the process of its own a `process: own` socket lives in.
    func openOwnProcess(for socket: String) throws -> DriverSession {
        let base = sessions[assignment[socket] ?? 0]
        guard let source = base as? OwnProcessSource else {
            throw StepProblem.unsupported("\(type(of: base)) cannot put a socket in a process of its own")
        }
        let session: ProcessSession
        do { session = try source.ownProcessSession() } catch {
            throw StepProblem.error("starting a process of its own for '\(socket)': \(error)")
        }
        ownSessions[socket] = session
        observations.append("\(socket) lives in process \(session.processID)")
        return session
    }

    /// kill -9 of the process holding a `process: own` socket. The socket is gone with it; a
    /// `restart` starts a fresh process. A deliberate kill is never a crash of the cell.
    func killOwnProcess(of socket: String) throws -> Int32 {
        guard let s = ownSessions.removeValue(forKey: socket) else {
            throw StepProblem.error("socket '\(socket)' has no process of its own (declare it with process: own)")
        }
        let pid = s.processID
        s.killProcess()
        sockets[socket] = nil
        killed.insert(socket)
        return pid
    }

    /// Tears down the processes of their own that were not killed; true when all finished.
    func teardownOwnProcesses(timeoutMs: Int) -> Bool {
        let all = ownSessions.values
        ownSessions = [:]
        return all.map { $0.teardown(timeoutMs: timeoutMs) }.allSatisfy { $0 }
    }
}
