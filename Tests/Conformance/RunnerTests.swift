import Foundation
import Harness
import Testing

/// The runner's verdicts: expectations that do not hold fail, blocking steps end as ERROR
/// after their bound, levels map to outcomes, missing capabilities are UNSUPPORTED.
@Suite("Runner verdicts")
struct RunnerTests {
    static let pair = """
        steps:
          - socket: { name: b, type: PAIR }
          - bind: { socket: b }
          - socket: { name: a, type: PAIR }
          - connect: { socket: a, to: b }
          - send: { socket: a, frames: ["actual"] }
        """

    @Test func wrongExpectationIsFail() throws {
        let r = try runInline(
            "id: t.wrong\nspec: \"RFC 31: s\"\nlevel: MUST\n" + Self.pair + "\n  - recv: { socket: b, expect: [\"expected\"] }\n", transports: [.inproc])
        #expect(r.count == 1)
        #expect(r[0].outcome == .FAIL)
        let f = try #require(r[0].failure)
        #expect(f.step == 6)
        #expect(f.expected.contains("\"expected\""))
        #expect(f.seen == "[\"actual\"]")
    }

    @Test func rightExpectationIsPass() throws {
        let r = try runInline(
            "id: t.right\nspec: \"RFC 31: s\"\nlevel: MUST\n" + Self.pair + "\n  - recv: { socket: b, expect: [\"actual\"] }\n", transports: [.inproc, .tcp])
        #expect(r.map(\.outcome) == [.PASS, .PASS])
    }

    @Test func levelsMapToOutcomes() throws {
        let body = Self.pair + "\n  - recv: { socket: b, expect: [\"other\"] }\n"
        let should = try runInline("id: t.should\nspec: \"RFC 31: s\"\nlevel: SHOULD\n" + body, transports: [.inproc])
        let may = try runInline("id: t.may\nspec: \"RFC 31: s\"\nlevel: MAY\n" + body, transports: [.inproc])
        #expect(should[0].outcome == .NON_STRICT)
        #expect(may[0].outcome == .INFORMATIONAL)
    }

    @Test func blockingSendIsErrorAfterItsBound() throws {
        let yaml = """
            id: t.block
            spec: "RFC 31: s"
            level: MUST
            steps:
              - socket: { name: p, type: PUSH }
              - send: { socket: p, frames: ["nobody listens"], within: 300ms }
            """
        let start = Date()
        let r = try runInline(yaml, transports: [.inproc])
        #expect(r[0].outcome == .ERROR)
        #expect(r[0].detail.contains("did not complete within its bound"))
        #expect(Date().timeIntervalSince(start) < 5, "the step ends at its bound, not later")
    }

    @Test func missingMessageIsFailAfterItsBound() throws {
        let yaml = """
            id: t.silent
            spec: "RFC 31: s"
            level: MUST
            steps:
              - socket: { name: p, type: PULL }
              - bind: { socket: p }
              - recv: { socket: p, within: 200ms }
            """
        let r = try runInline(yaml, transports: [.tcp])
        #expect(r[0].outcome == .FAIL)
        #expect(r[0].failure?.seen == "nothing (EAGAIN)")
    }

    @Test func caseTimeoutStopsAHungCell() throws {
        // The recv may wait 20 s, but the whole case is bounded by 300 ms (plus teardown).
        let yaml = """
            id: t.watchdog
            spec: "RFC 31: s"
            level: MUST
            timeout: 300ms
            steps:
              - socket: { name: p, type: PULL }
              - bind: { socket: p }
              - recv: { socket: p, within: 20s }
            """
        let start = Date()
        let r = try runInline(yaml, transports: [.inproc])
        #expect(r[0].outcome == .ERROR)
        #expect(r[0].detail.contains("did not finish"))
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func missingSymbolIsUnsupportedWithReason() throws {
        let yaml = "id: t.draft\nspec: \"RFC 31: s\"\nlevel: MUST\nrequires: [symbol:zmq_no_such_function]\nsteps:\n  - socket: { name: a, type: PAIR }\n"
        let r = try runInline(yaml, transports: [.inproc])
        #expect(r[0].outcome == .UNSUPPORTED)
        #expect(r[0].detail.contains("zmq_no_such_function"))
    }

    @Test func severalAcceptableOutcomesAreRecorded() throws {
        let yaml = """
            id: t.choice
            spec: "RFC 31: s"
            level: MUST
            steps:
              - socket: { name: r, type: ROUTER, options: { router_mandatory: 1 } }
              - send: { socket: r, frames: ["nobody", "x"] }
                expect_one_of: [ok, EHOSTUNREACH]
            """
        let r = try runInline(yaml, transports: [.inproc])
        #expect(r[0].outcome == .PASS)
        #expect(r[0].observations.contains { $0.contains("EHOSTUNREACH") })
    }

    @Test func implementationCrashIsErrorAndTheRunGoesOn() throws {
        // libzmq 4.3.4 without draft API aborts when a draft type handshakes over tcp.
        // The cases exist only in memory: the workers get the case itself, not a path.
        let yaml = """
            id: t.crash
            spec: "RFC 31: s"
            level: MUST
            transports: [tcp]
            steps:
              - socket: { name: s, type: SERVER }
              - bind: { socket: s }
              - socket: { name: c, type: CLIENT }
              - connect: { socket: c, to: s }
              - send: { socket: c, frames: ["boom"] }
              - recv: { socket: s, expect: ["boom"] }
            ---
            id: t.after
            spec: "RFC 31: s"
            level: MUST
            transports: [tcp]
            steps:
              - socket: { name: b, type: PAIR }
              - bind: { socket: b }
            """
        let exe = try #require(WorkerPool.defaultExecutable())
        let pool = WorkerPool(executable: exe)
        defer { pool.shutdown() }
        let runner = ConformanceRunner(driver: sharedDriver, jobs: 1, pool: pool)
        let r = runner.run(runner.plan(try CaseLoader.load(yaml: yaml, file: "in-memory.yaml")))
        #expect(r.map(\.outcome) == [.ERROR, .PASS])
        #expect(r[0].detail.contains("crashed"))
    }

    /// Ctrl-C goes to the terminal's foreground process group: children in their own group
    /// never see it, so an interrupted run cannot record a worker killed by SIGINT as a crash.
    @Test func childrenRunInTheirOwnProcessGroup() throws {
        let child = try LineProcess(executable: "/bin/cat", arguments: [])
        defer { child.kill() }
        #expect(getpgid(child.pid) == child.pid)
        #expect(getpgid(child.pid) != getpgrp())
    }
}
