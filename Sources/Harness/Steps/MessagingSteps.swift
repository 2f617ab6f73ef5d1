/// Messages on one socket: send, receive, expect silence, poll, drain, fill a queue.
enum MessagingSteps {
    static let all: [any StepAction.Type] = [
        SendStep.self, RecvStep.self, RecvFrameStep.self, NoRecvStep.self, PollStep.self, DrainStep.self, SendUntilBlockedStep.self,
    ]
}

struct SendStep: StepAction {
    static let name = "send"
    static let keys = ["socket", "frames", "dontwait", "repeat", "within", "retry_on"]
    static let summary =
        "Sends `frames:` (strings, `{hex: \"01ff\"}`, `{size: 65536, fill: \"ab\"}` or `{var: name}`); `repeat: N` with `{i}` replaced by the counter; `dontwait: true`; `within:`; `retry_on:` errors that mean \"not yet\" within the bound."
    var socket: String
    var frames: [FrameSpec]
    var dontWait: Bool
    var repeatCount: Int
    var withinMs: Int
    var retryOn: [String]

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(
            socket: try scope.socket(a), frames: try scope.frames(a.required("frames")),
            dontWait: try a.bool("dontwait"), repeatCount: try a.positive("repeat") ?? 1, withinMs: try a.within(),
            retryOn: try a["retry_on"]?.listOrOne("retry_on").map { try scope.errnoName($0) } ?? [])
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let s = try cell.id(socket)
        let deadline = monotonicMs() + Double(withinMs)
        for i in 0..<repeatCount {
            let f = try cell.frames(frames, counter: i)
            // Without DONTWAIT, running out of the bound (EAGAIN) is a harness timeout, not a verdict.
            try cell.expectOutcome(step, repeatCount > 1 ? "send #\(i)" : "send", blocking: !dontWait) {
                while true {
                    do {
                        return try s.send(f, dontWait: dontWait, timeoutMs: withinMs)
                    } catch let e as ZMQError where retryOn.contains(e.name) && monotonicMs() < deadline {
                        _ = try? poll([(s, .pollIn)], timeoutMs: 5)
                    }
                }
            }
        }
    }
}

struct RecvStep: StepAction {
    static let name = "recv"
    static let keys = ["socket", "expect", "repeat", "within", "properties"]
    static let summary =
        "Receives within the bound and checks `expect:` frames or matchers (`{any: true}`, `{prefix: \"x\"}`, `{size: N}`, `{capture: name}`, `{var: name}`, `{not_var: name}` (any frame but that one), `{u64: N}`); `repeat`; metadata `properties: {User-Id: alice}`."
    var socket: String
    var expect: [FrameMatcher]?
    var repeatCount: Int
    var withinMs: Int
    var properties: [String: String]

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        var props: [String: String] = [:]
        if let p = a["properties"] {
            guard case .mapping(let m) = p.node else { throw p.fail("properties must be a mapping") }
            for (k, v) in m { props[k.string ?? ""] = v.string ?? "" }
        }
        return Self(
            socket: try scope.socket(a), expect: try a["expect"].map { try scope.matchers($0) },
            repeatCount: try a.positive("repeat") ?? 1, withinMs: try a.within(), properties: props)
    }

    var neededFeatures: Set<Feature> { properties.isEmpty ? [] : [.properties] }

    func run(_ step: Step, in cell: CellExecutor) throws {
        try cell.receive(step, socket, expect, repeatCount, withinMs, properties)
    }
}

/// One frame at a time, as an application reading a multipart message sees it.
struct RecvFrameStep: StepAction {
    static let name = "recv_frame"
    static let keys = ["socket", "expect", "more", "within"]
    static let summary =
        "Receives one frame of a message within the bound, matches it against `expect` (one frame matcher) and, with `more`, checks whether more frames follow."
    var socket: String
    var expect: FrameMatcher?
    var more: Bool?
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let expect = try a["expect"].map { try scope.matcher($0) }
        return Self(socket: try scope.socket(a), expect: expect, more: try a["more"]?.bool("more"), withinMs: try a.within())
    }

    var neededFeatures: Set<Feature> { [.frames] }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let what = "recv_frame on \(socket)"
        guard let got = try cell.receiving(step, what, want: "a frame", withinMs: withinMs, { try cell.id(socket).receiveFrame(timeoutMs: withinMs) })
        else { return }
        if let expect, !cell.matches([expect], [got.frame], counter: 0) {
            throw StepProblem.mismatch(expected: "\(what): \(cell.describe([expect], counter: 0))", seen: describeFrames([got.frame]))
        }
        if let more, more != got.more {
            throw StepProblem.mismatch(expected: "\(what): more frames to follow = \(more)", seen: "\(got.more)")
        }
    }
}

struct NoRecvStep: StepAction {
    static let name = "no_recv"
    static let keys = ["socket", "within"]
    static let summary = "Nothing arrives `within` (default 200ms)."
    var socket: String
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(socket: try scope.socket(a), withinMs: try a.within(default: CaseLoader.defaultQuietMs))
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        do {
            let m = try cell.id(socket).receive(timeoutMs: withinMs)
            throw StepProblem.mismatch(expected: "nothing on \(socket) within \(withinMs) ms", seen: describeFrames(m.frames))
        } catch let e as ZMQError {
            if e.name != "EAGAIN" { throw StepProblem.mismatch(expected: "nothing on \(socket) within \(withinMs) ms (EAGAIN)", seen: e.name) }
        }
    }
}

struct PollStep: StepAction {
    static let name = "poll"
    static let keys = ["items", "expect", "within"]
    static let summary = "zmq_poll over `items:` (`{socket, events: [in, out]}`) and `expect:` the ready set within the bound."
    var items: [(String, PollEvents)]
    var expect: [String: PollEvents]
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        var items: [(String, PollEvents)] = []
        for item in try a.required("items").sequence("items") {
            let f = StepArgs(reader: item, fields: try item.mapping("poll item", allowed: ["socket", "events"]))
            items.append((try scope.socket(f), try scope.pollEvents(f.required("events"))))
        }
        var expect: [String: PollEvents] = [:]
        if let e = a["expect"] {
            for (k, v) in try e.mapping("poll expect", allowed: items.map(\.0)) { expect[k] = try scope.pollEvents(v) }
        }
        return Self(items: items, expect: expect, withinMs: try a.within())
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let ids = try items.map { (try cell.id($0.0), $0.1) }
        var got: [PollEvents] = []
        try cell.expectOutcome(step, "poll") { got = try poll(ids, timeoutMs: withinMs) }
        for (i, item) in items.enumerated() where !got.isEmpty {
            let want = expect[item.0] ?? []
            let seen = got[i].intersection(item.1)
            if seen != want {
                throw StepProblem.mismatch(
                    expected: "\(item.0) ready for \(CellExecutor.describe(want)) within \(withinMs) ms",
                    seen: "ready for \(CellExecutor.describe(seen))")
            }
        }
    }
}

struct DrainStep: StepAction {
    static let name = "drain"
    static let keys = ["socket", "quiet", "within", "expect_min", "expect_max", "expect_count"]
    static let summary = "Receives until quiet for `quiet`; checks `expect_min`/`expect_max`, or `expect_count:` a counter kept by `send_until_blocked`."
    var socket: String
    var quietMs: Int
    var withinMs: Int
    var minCount: Int
    var maxCount: Int
    var expectCount: String?

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(
            socket: try scope.socket(a), quietMs: try a.duration("quiet", default: CaseLoader.defaultQuietMs),
            withinMs: try a.within(default: 10 * CaseLoader.defaultWithinMs),
            minCount: try a.int("expect_min", default: 0), maxCount: try a.int("expect_max", default: Int.max),
            expectCount: try a["expect_count"].map { v in
                let n = try v.string("expect_count")
                guard scope.counters.contains(n) else { throw v.fail("count '\(n)' used before a send_until_blocked names it with 'as'") }
                return n
            })
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        var low = minCount, high = maxCount
        if let expectCount, let n = cell.counters[expectCount] { (low, high) = (n, n) }
        try cell.drain(socket, quietMs: quietMs, withinMs: withinMs, minCount: low, maxCount: high)
    }
}

struct SendUntilBlockedStep: StepAction {
    static let name = "send_until_blocked"
    static let keys = ["socket", "frames", "max", "expect_min", "expect_max", "settle", "as", "within"]
    static let summary = "DONTWAIT sends until EAGAIN persists (no POLLOUT for `settle`); checks the count (`expect_min`/`expect_max`); `as:` keeps it."
    var socket: String
    var frames: [FrameSpec]
    var max: Int
    var minCount: Int
    var maxCount: Int
    var settleMs: Int
    var countAs: String?
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let countAs = try a["as"]?.string("as")
        if let countAs { scope.counters.insert(countAs) }
        return Self(
            socket: try scope.socket(a), frames: try scope.frames(a.required("frames")),
            max: try a.positive("max") ?? 100_000,
            minCount: try a.int("expect_min", default: 0), maxCount: try a.int("expect_max", default: Int.max),
            settleMs: try a.duration("settle", default: 100), countAs: countAs,
            withinMs: try a.within(default: 5 * CaseLoader.defaultWithinMs))
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let s = try cell.id(socket)
        var sent = 0
        let deadline = monotonicMs() + Double(withinMs)
        while sent < max {
            guard monotonicMs() < deadline else {
                throw StepProblem.mismatch(
                    expected: "sends to block (EAGAIN and no POLLOUT) within \(withinMs) ms",
                    seen: "\(sent) sent; the socket kept reporting POLLOUT while refusing with EAGAIN")
            }
            do {
                try s.send(try cell.frames(frames, counter: sent), dontWait: true, timeoutMs: 0)
                sent += 1
            } catch let e as ZMQError {
                guard e.name == "EAGAIN" else { throw StepProblem.mismatch(expected: "ok or EAGAIN", seen: e.name) }
                // Blocked means still not writable after the I/O thread had time to move the queue on
                // (settle 0: the first EAGAIN is final).
                if settleMs == 0 { break }
                let ready = try? poll([(s, .pollOut)], timeoutMs: settleMs)
                if ready?.first?.contains(.pollOut) != true { break }
            }
        }
        if let countAs { cell.counters[countAs] = sent }
        cell.observations.append("line \(step.line) \(Self.name): \(sent) messages accepted")
        guard sent >= minCount && sent <= maxCount else {
            throw StepProblem.mismatch(
                expected: "between \(minCount) and \(maxCount == Int.max ? "any" : String(maxCount)) messages before EAGAIN",
                seen: sent == max ? "\(sent) (never blocked)" : "\(sent)")
        }
    }
}
