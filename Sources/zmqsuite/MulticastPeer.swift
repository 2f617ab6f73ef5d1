import ArgumentParser
import Foundation
import Harness
import PerfTools

/// One end of a multicast throughput trial (PerfTools.MulticastTrial has the protocol).
struct MulticastPeer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "multicast-peer",
        abstract: "One end of a multicast throughput trial (internal: started by 'perf multicast' inside a host).",
        shouldDisplay: false)

    @Argument var role: MulticastTrial.Role
    @Option(name: .long) var endpoint: String
    @Option(name: .long) var size: Int
    @Option(name: .long) var count: Int
    @Option(name: .long, help: "ZMQ_RATE in kbit/s (sender).") var rate: Int = 10000
    @Option(name: .long, help: "Bound on the whole trial.") var boundMs: Int = 60000

    func run() throws {
        let settings = MulticastTrial.Settings(endpoint: endpoint, size: size, count: count, rate: rate, boundMs: boundMs)
        try MulticastTrial.runPeer(role, settings) { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }
    }
}

extension MulticastTrial.Role: ExpressibleByArgument {}
