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
        var counter = InstructionCounter()
        counter.repeats = 2
        counter.small = 1000
        counter.large = 4000
        let counts = try counter.perItem(command: command, name: "zmq-agent", job: PairedJob(.throughput, .tcp, size: 64))
        #expect(counts.count == 2)
        #expect(counts.allSatisfy { $0 > 200 && $0 < 200_000 }, "instructions per message: \(counts)")
        let spread = abs(counts[0] - counts[1]) / max(counts[0], 1)
        #expect(spread < 0.03, "two counts of the same binary differ by \(spread * 100)%: \(counts)")
    }
}
