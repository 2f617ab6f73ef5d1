import Foundation
import Harness
import PerfTools
import Testing

/// Instructions per message counted under callgrind in zmq-agent's perf op: a real count
/// (neither zero nor absurd), and the same on a second count within a small spread.
@Suite("Instruction counts under callgrind")
struct InstructionCountTests {
    @Test func zmqAgentThroughputIsCountedRepeatably() throws {
        let command = try #require(registry.agentCommand(for: "zmq-agent", bin: bin))
        let counts = try counter(repeats: 2, small: 1000, large: 4000).perItem(command: command, name: "zmq-agent", job: PairedJob(.throughput, .tcp, size: 64))
        #expect(counts.count == 2)
        #expect(counts.allSatisfy { $0 > 200 && $0 < 200_000 }, "instructions per message: \(counts)")
        let spread = abs(counts[0] - counts[1]) / max(counts[0], 1)
        #expect(spread < 0.03, "two counts of the same binary differ by \(spread * 100)%: \(counts)")
    }

    @Test func theCLoopIsCountedThroughZmqAgent() throws {
        // `zmq-agent --perf-loop c` serves the perf op with the C reference loops: a round trip
        // costs no more instructions there than through the Swift loop (which adds, never removes).
        let command = try #require(registry.agentCommand(for: "zmq-agent", bin: bin))
        let counter = counter(repeats: 1, small: 500, large: 2000)
        let job = PairedJob(.latency, .tcp, size: 64)
        let c = try counter.perItem(command: command + ["--perf-loop", "c"], name: "C loop", job: job)
        let swift = try counter.perItem(command: command, name: "zmq-agent", job: job)
        #expect(c[0] > 1000 && c[0] < 500_000, "instructions per round trip, C loop: \(c)")
        #expect(c[0] <= swift[0] * 1.02, "C loop \(c[0]) against the Swift loop \(swift[0])")
    }

    /// A short count: fewer repeats and items than the gate's, enough to see a real figure.
    func counter(repeats: Int, small: Int, large: Int) -> InstructionCounter {
        var c = InstructionCounter()
        (c.repeats, c.small, c.large) = (repeats, small, [.throughput: large, .latency: large])
        return c
    }
}
