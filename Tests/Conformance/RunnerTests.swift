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
        let r = try runInline("id: t.wrong\nspec: s\nlevel: MUST\n" + Self.pair + "\n  - recv: { socket: b, expect: [\"expected\"] }\n", transports: [.inproc])
        #expect(r.count == 1)
        #expect(r[0].outcome == .FAIL)
        let f = try #require(r[0].failure)
        #expect(f.step == 6)
        #expect(f.expected.contains("\"expected\""))
        #expect(f.seen == "[\"actual\"]")
    }

    @Test func rightExpectationIsPass() throws {
        let r = try runInline("id: t.right\nspec: s\nlevel: MUST\n" + Self.pair + "\n  - recv: { socket: b, expect: [\"actual\"] }\n", transports: [.inproc, .tcp])
        #expect(r.map(\.outcome) == [.PASS, .PASS])
    }

    @Test func levelsMapToOutcomes() throws {
        let body = Self.pair + "\n  - recv: { socket: b, expect: [\"other\"] }\n"
        let should = try runInline("id: t.should\nspec: s\nlevel: SHOULD\n" + body, transports: [.inproc])
        let may = try runInline("id: t.may\nspec: s\nlevel: MAY\n" + body, transports: [.inproc])
        #expect(should[0].outcome == .NON_STRICT)
        #expect(may[0].outcome == .INFORMATIONAL)
    }

    @Test func blockingSendIsErrorAfterItsBound() throws {
        let yaml = """
            id: t.block
            spec: s
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
            spec: s
            level: MUST
            steps:
              - socket: { name: p, type: PULL }
              - bind: { socket: p }
              - recv: { socket: p, within: 200ms }
            """
        let r = try runInline(yaml, transports: [.tcp])
        #expect(r[0].outcome == .FAIL)
        #expect(r[0].failure?.seen == "nothing")
    }

    @Test func caseTimeoutStopsAHungCell() throws {
        // The recv may wait 20 s, but the whole case is bounded by 300 ms (plus teardown).
        let yaml = """
            id: t.watchdog
            spec: s
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
        let yaml = "id: t.draft\nspec: s\nlevel: MUST\nrequires: [symbol:zmq_no_such_function]\nsteps:\n  - socket: { name: a, type: PAIR }\n"
        let r = try runInline(yaml, transports: [.inproc])
        #expect(r[0].outcome == .UNSUPPORTED)
        #expect(r[0].detail.contains("zmq_no_such_function"))
    }

    @Test func severalAcceptableOutcomesAreRecorded() throws {
        let yaml = """
            id: t.choice
            spec: s
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
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zmqsuite-crash-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let yaml = """
            id: t.crash
            spec: s
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
            spec: s
            level: MUST
            transports: [tcp]
            steps:
              - socket: { name: b, type: PAIR }
              - bind: { socket: b }
            """
        try yaml.write(to: dir.appendingPathComponent("c.yaml"), atomically: true, encoding: .utf8)
        let exe = try #require(WorkerPool.defaultExecutable())
        let pool = WorkerPool(executable: exe, casesDirectory: dir.path)
        defer { pool.shutdown() }
        let runner = ConformanceRunner(driver: sharedDriver, jobs: 1, pool: pool)
        let r = runner.run(runner.plan(try CaseLoader.loadDirectory(dir.path)))
        #expect(r.map(\.outcome) == [.ERROR, .PASS])
        #expect(r[0].detail.contains("crashed"))
    }
}
