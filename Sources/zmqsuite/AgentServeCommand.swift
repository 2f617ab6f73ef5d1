import ArgumentParser
import Foundation
import Harness

#if canImport(Glibc)
    import Glibc
#endif

/// Serves an agent over TCP, so that an implementation can run on another machine: each
/// connection gets a fresh agent process whose stdin and stdout are that connection (no
/// relaying). A registry entry `connect: HOST:PORT` on the machine that runs the suite uses it.
struct AgentServe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent-serve",
        abstract: "Serve an agent over TCP: each connection starts AGENT-COMMAND with the connection as its stdin and stdout.",
        discussion: """
            On the other machine: zmqsuite agent-serve --listen 10.0.0.2:5600 -- /path/to/zmq-agent
            Here, in a registry: { name: remote-libzmq, connect: "10.0.0.2:5600" }
            Stops on SIGINT or SIGTERM; the agents end when their connection closes.
            """)

    @Option(name: .long, help: "HOST:PORT to listen on (an IPv4 address; 0.0.0.0 for every interface).")
    var listen: String

    @Argument(parsing: .captureForPassthrough, help: "The agent command (after --), as in a registry entry.")
    var command: [String] = []

    var agentCommand: [String] { command.first == "--" ? Array(command.dropFirst()) : command }

    func validate() throws {
        guard LineProcess.remoteAddress("tcp://" + listen) != nil else { throw ValidationError("--listen \(listen): expected HOST:PORT, e.g. 0.0.0.0:5600") }
        guard let exe = agentCommand.first else { throw ValidationError("name the agent command after --, e.g. -- .build/debug/zmq-agent") }
        guard FileManager.default.isExecutableFile(atPath: exe) else { throw ValidationError("\(exe) is not an executable file (give its full path)") }
    }

    func run() throws {
        let (host, port) = LineProcess.remoteAddress("tcp://" + listen)!
        let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard server >= 0 else { throw ValidationError("socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(server, 16) == 0 else { throw ValidationError("--listen \(listen): cannot listen (errno \(errno))") }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        // Scripts wait for this line before connecting.
        FileHandle.standardOutput.write(Data("agent-serve: listening on \(listen) for \(agentCommand.joined(separator: " "))\n".utf8))
        var agents: [ChildProcess] = []
        while true {
            // Children close every descriptor above 2 (ChildProcess): no other agent inherits it.
            let connection = accept(server, nil, nil)
            agents.removeAll { !$0.isRunning }  // reaps the finished ones
            guard connection >= 0 else {
                if errno == EINTR { continue }
                throw ValidationError("accept: errno \(errno)")
            }
            do {
                agents.append(
                    try ChildProcess(
                        executable: agentCommand[0], arguments: Array(agentCommand.dropFirst()), environment: nil, stdin: connection, stdout: connection,
                        stderr: 2))
            } catch {
                printError("agent-serve: cannot start \(agentCommand[0]): \(error)")
            }
            close(connection)
        }
    }
}
