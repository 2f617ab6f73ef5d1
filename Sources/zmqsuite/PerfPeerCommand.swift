import ArgumentParser
import CPerfLoops
import Foundation

/// The far end of `perf --processes 2`: the C reference peer in a process of its own.
struct PerfPeer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perf-peer",
        abstract: "Serve one two-process measurement (internal: started by 'perf --processes 2').",
        shouldDisplay: false)

    enum Role: String, ExpressibleByArgument { case echo, sink }

    @Option(name: .long) var role: Role
    @Option(name: .long, help: "The libzmq socket type number.") var type: Int32
    @Option(name: .long) var endpoint: String
    @Option(name: .long) var messages: Int32

    func run() throws {
        var elapsed: Int64 = 0
        let rc = zsp_serve(
            endpoint, type, role == .sink ? 1 : 0, messages,
            { bound in
                FileHandle.standardOutput.write(Data("ready \(String(cString: bound!))\n".utf8))
            }, &elapsed)
        guard rc == 0 else { throw ValidationError("perf-peer: serving \(endpoint) failed (errno \(errno))") }
        FileHandle.standardOutput.write(Data("done \(elapsed)\n".utf8))
    }
}
