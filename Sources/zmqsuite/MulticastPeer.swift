import ArgumentParser
import Foundation
import Harness

/// One end of a multicast throughput trial, run inside a host by `perf multicast` and spoken
/// to in lines: it prints "connected", the receiver prints "joined" at its first probe, the
/// sender starts its data at "go" on stdin; each ends with one JSON line of counts, and the
/// sender then stays until "close" (repairs need it).
/// Messages: "P" probes, "D" + 8-byte sequence number + padding, "E" the end.
struct MulticastPeer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "multicast-peer",
        abstract: "One end of a multicast throughput trial (internal: started by 'perf multicast' inside a host).",
        shouldDisplay: false)

    enum Role: String, ExpressibleByArgument { case send, receive }

    @Argument var role: Role
    @Option(name: .long) var endpoint: String
    @Option(name: .long) var size: Int
    @Option(name: .long) var count: Int
    @Option(name: .long, help: "ZMQ_RATE in kbit/s (sender).") var rate: Int = 10000
    @Option(name: .long, help: "Bound on the whole trial.") var boundMs: Int = 60000

    func run() throws {
        let context = try Context()
        defer { context.terminate() }
        let deadline = monotonicMs() + Double(boundMs)
        switch role {
        case .send: try send(context, deadline)
        case .receive: try receive(context, deadline)
        }
    }

    private func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

    private func send(_ context: Context, _ deadline: Double) throws {
        let pub = try Socket(context: context, type: .PUB)
        defer { pub.close() }
        try pub.set(.rate, .int(rate))
        // A PUB drops at its high-water mark rather than block: with no mark, every message
        // queues and the PGM engine sends them at RATE.
        try pub.set(.sndhwm, .int(0))
        try pub.set(.linger, .int(Int(max(0, deadline - monotonicMs()))))
        try pub.connect(endpoint)
        say("connected")
        // Probes until the orchestrator, having heard every receiver join, says "go".
        while true {
            guard monotonicMs() < deadline else { throw ValidationError("no 'go' within the bound") }
            try? pub.send([Array("P".utf8)], dontWait: true, timeoutMs: 0)
            var p = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, 20) > 0 {
                guard readLine() == "go" else { throw ValidationError("expected 'go' on stdin") }
                break
            }
        }
        let start = monotonicMs()
        var sent = 0
        var frame = [UInt8](repeating: 0x2e, count: max(size, 9))
        frame[0] = UInt8(ascii: "D")
        for seq in 0..<count {
            withUnsafeBytes(of: UInt64(seq).bigEndian) { for (i, b) in $0.enumerated() { frame[1 + i] = b } }
            let left = Int(deadline - monotonicMs())
            guard left > 0, (try? pub.send([frame], dontWait: false, timeoutMs: left)) != nil else { break }
            sent += 1
        }
        let elapsed = monotonicMs() - start
        for _ in 0..<5 { try? pub.send([Array("E".utf8)], dontWait: false, timeoutMs: 1000) }
        say(#"{"sent": \#(sent), "elapsed_ms": \#(elapsed)}"#)
        // Stay in the group until every receiver has reported: a receiver that lost packets
        // asks this sender to repair them (NAKs), which needs its PGM session alive.
        var p = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        if poll(&p, 1, Int32(max(0, deadline - monotonicMs()))) > 0 { _ = readLine() }
    }

    private func receive(_ context: Context, _ deadline: Double) throws {
        let sub = try Socket(context: context, type: .SUB)
        defer { sub.close() }
        try sub.set(.subscribe, .bytes([]))
        try sub.set(.linger, .int(0))
        try sub.set(.rcvhwm, .int(0))  // no drops at the socket: losses are the network's
        try sub.connect(endpoint)
        say("connected")
        var joined = false, received = 0, duplicates = 0, reordered = 0
        var seen = Set<UInt64>()
        var highest: UInt64?
        var first = 0.0, last = 0.0
        while monotonicMs() < deadline {
            guard let m = try? sub.receive(timeoutMs: 100), let frame = m.frames.first, let kind = frame.first else { continue }
            if kind == UInt8(ascii: "P") {
                if !joined { joined = true; say("joined") }
            } else if kind == UInt8(ascii: "E") {
                break
            } else if kind == UInt8(ascii: "D"), frame.count >= 9 {
                let seq = frame[1..<9].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                if received == 0 { first = monotonicMs() }
                last = monotonicMs()
                if !seen.insert(seq).inserted { duplicates += 1; continue }
                if let h = highest, seq < h { reordered += 1 }
                highest = max(highest ?? 0, seq)
                received += 1
            }
        }
        let lost = count - received
        say(#"{"received": \#(received), "lost": \#(lost), "duplicates": \#(duplicates), "reordered": \#(reordered), "elapsed_ms": \#(last - first)}"#)
    }
}
