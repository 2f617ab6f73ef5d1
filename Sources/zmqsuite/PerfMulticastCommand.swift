import ArgumentParser
import Foundation
import Harness
import PerfTools

extension Perf {
    /// Multicast throughput between hosts: one PUB host, N SUB hosts, at a given RATE, with
    /// the messages each receiver missed counted from sequence numbers.
    struct Multicast: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "epgm/pgm throughput across hosts (network namespaces; needs root) at a given RATE, with losses counted.",
            discussion: """
                libzmq does not expose PGM's own repair counters, so recovery shows only as what it \
                leaves: 'lost' counts sequence numbers a receiver never got, after PGM's repairs.
                """)

        @Option(name: .long, help: "pgm or epgm.") var transport: String = "epgm"
        @Option(name: .long, help: "ZMQ_RATE of the sender, kbit/s.") var rate: Int = 50000
        @Option(name: .long, parsing: .upToNextOption, help: "Message sizes in bytes.") var size: [Int] = [64, 1024, 8192]
        @Option(name: .long, help: "Messages per trial.") var count: Int = 5000
        @Option(name: .long, help: "Receiving hosts.") var receivers: Int = 2
        @Option(name: .long, help: "Trials per size.") var trials: Int = 3
        @Option(name: .long, help: "Report directory (default: results/perf-multicast-<time>).") var out: String?

        func validate() throws {
            guard ["pgm", "epgm"].contains(transport) else { throw ValidationError("--transport \(transport): expected pgm or epgm") }
            guard rate > 0 else { throw ValidationError("--rate must be positive (kbit/s)") }
            guard (1...6).contains(receivers) else { throw ValidationError("--receivers \(receivers): expected 1 to 6") }
            guard count >= 2, trials >= 1 else { throw ValidationError("--count must be at least 2 and --trials at least 1") }
            for s in size where s < 9 || s > 1 << 20 { throw ValidationError("--size \(s): expected 9 to 1048576 bytes (9: the sequence number)") }
        }

        func run() throws {
            if let why = HostNetwork.unavailableReason() { throw ValidationError("perf multicast: \(why)") }
            guard let exe = WorkerPool.defaultExecutable() else { throw ValidationError("cannot find the zmqsuite binary to run inside hosts") }
            let start = Date()
            let network = try HostNetwork(count: 1 + receivers)
            defer { network.remove() }
            FileHandle.standardError.write(Data("hosts: \(network.description)\n".utf8))
            let t = Transport(rawValue: transport)!
            var results: [PerfResult] = []
            for s in size {
                var rates: [Double] = []
                var lost = 0
                for trial in 1...trials {
                    FileHandle.standardError.write(Data("\(transport) \(s) B at \(rate) kbit/s, trial \(trial)/\(trials)\n".utf8))
                    let r = try MulticastTrial.run(on: network, exe: exe, transport: t, size: s, count: count, rate: rate)
                    FileHandle.standardError.write(
                        Data(
                            String(
                                format: "  sender %.0f msg/s, slowest receiver %.0f msg/s, lost %d\n",
                                r.senderRate, r.slowestReceiverRate, r.lost
                            ).utf8))
                    rates.append(r.slowestReceiverRate)
                    lost += r.lost
                }
                results.append(
                    .multicast(
                        transport: transport, pattern: "pub-sub x\(receivers) @\(rate) kbit/s", size: s, count: count,
                        receivers: receivers, perTrial: rates, lost: lost))
            }
            var env = RunEnvironment.capture(implementations: [LibzmqDriver().info], start: start)
            env.endTime = Date()
            let record = PerfRecord(environment: env, results: results)
            let directory = out ?? "results/perf-multicast-" + stamp(start)
            try PerfReport.write(record, to: directory)
            print(PerfReport.markdown(record))
            for r in results { print("\(r.size) B: \(r.lost ?? 0) message(s) lost over \(trials) trial(s) x \(receivers) receiver(s)") }
            print("report: \(directory)/perf.html (also perf.json, perf.md)")
        }
    }
}
