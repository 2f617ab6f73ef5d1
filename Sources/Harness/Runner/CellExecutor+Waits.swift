/// The steps that wait on the implementation: receives, monitor events, ZAP requests,
/// distribution counts and subscription propagation. Each loops until its deadline.
extension CellExecutor {
    func receive(_ step: Step, _ name: String, _ expect: [FrameMatcher]?, _ count: Int, _ within: Int, _ properties: [String: String]) throws {
        let s = try id(name)
        let deadline = monotonicMs() + Double(within)
        for i in 0..<count {
            var message: Message?
            let what = count > 1 ? "recv #\(i) on \(name)" : "recv on \(name)"
            var seen = "ok"
            do {
                message = try s.receive(timeoutMs: max(0, Int(deadline - monotonicMs())), properties: Array(properties.keys))
            } catch let e as ZMQError { seen = e.name }
            guard step.accepts(seen) else {
                if seen == "EAGAIN" {
                    // The step wanted a message, or a named error; it got neither within the bound.
                    let want = step.accept == ["ok"] ? (expect.map { describe($0, counter: i) } ?? "a message") : step.acceptText
                    throw StepProblem.mismatch(expected: "\(what): \(want) within \(within) ms", seen: "nothing (EAGAIN)")
                }
                throw StepProblem.mismatch(expected: "\(what): \(step.acceptText)", seen: seen)
            }
            if step.recordsOutcome { observations.append("line \(step.line) \(what): \(seen)") }
            guard let message else { continue }
            if let expect, !matches(expect, message.frames, counter: i) {
                throw StepProblem.mismatch(expected: "\(what): \(describe(expect, counter: i))", seen: describeFrames(message.frames))
            }
            for (k, v) in properties where message.properties[k] != v {
                throw StepProblem.mismatch(expected: "property \(k) = \"\(v)\"", seen: message.properties[k].map { "\"\($0)\"" } ?? "absent")
            }
        }
    }

    func matches(_ expect: [FrameMatcher], _ frames: [[UInt8]], counter: Int) -> Bool {
        guard expect.count == frames.count else { return false }
        var captured: [String: [UInt8]] = [:]
        for (m, f) in zip(expect, frames) {
            switch m {
            case .text(let t): if Array(t.replacingOccurrences(of: "{i}", with: String(counter)).utf8) != f { return false }
            case .bytes(let b): if b != f { return false }
            case .size(let n): if f.count != n { return false }
            case .prefix(let p): if !f.starts(with: p) { return false }
            case .any: break
            case .variable(let v): if variables[v] != f { return false }
            case .notVariable(let v): if variables[v] == f { return false }
            case .capture(let v): captured[v] = f
            case .uint64(let n):
                guard f.count == 8 else { return false }
                if f.withUnsafeBytes({ $0.loadUnaligned(as: UInt64.self) }) != n { return false }
            }
        }
        variables.merge(captured) { $1 }
        return true
    }

    func describe(_ expect: [FrameMatcher], counter: Int) -> String {
        "["
            + expect.map { m -> String in
                switch m {
                case .text(let t): return describeFrame(Array(t.replacingOccurrences(of: "{i}", with: String(counter)).utf8))
                case .bytes(let b): return describeFrame(b)
                case .size(let n): return "<\(n) bytes>"
                case .prefix(let p): return describeFrame(p) + "..."
                case .any: return "<any>"
                case .variable(let v): return "$" + v + "=" + (variables[v].map(describeFrame) ?? "?")
                case .notVariable(let v): return "<not $" + v + "=" + (variables[v].map(describeFrame) ?? "?") + ">"
                case .capture(let v): return "<any, kept as $\(v)>"
                case .uint64(let n): return "u64(\(n))"
                }
            }.joined(separator: ", ") + "]"
    }

    /// Waits for `count` monitor events on `name` that match; throws a mismatch when fewer came.
    func awaitEvents(_ name: String, count: Int, within: Int, where match: (ObservedEvent) -> Bool) throws {
        let found = try observeEvents(name, count: count, within: within, where: match)
        guard found >= count else {
            let all = events[name] ?? []
            let seen = all.prefix(8).map(\.description).joined(separator: ", ") + (all.count > 8 ? ", ... (\(all.count - 8) more)" : "")
            throw StepProblem.mismatch(
                expected: "\(count) matching monitor event(s) on \(name) within \(within) ms",
                seen: "\(found); other events: [\(seen)]")
        }
    }

    /// Consumes up to `count` matching events of `name` (earlier unconsumed ones first, then new
    /// ones until the bound) and returns how many it found; the others stay for later steps.
    func observeEvents(_ name: String, count: Int, within: Int, where match: (ObservedEvent) -> Bool) throws -> Int {
        guard let s = monitorIDs[name] else { throw StepProblem.error("socket '\(name)' is not monitored") }
        let deadline = monotonicMs() + Double(within)
        var found = 0
        var buffer = events[name] ?? []
        buffer.removeAll { e in
            guard found < count, match(e) else { return false }
            found += 1
            return true
        }
        var others: [ObservedEvent] = []
        while found < count {
            let left = Int(deadline - monotonicMs())
            guard left > 0, let e = try wrapEvent({ try s.nextEvent(timeoutMs: left) }) else { break }
            if match(e) { found += 1 } else { others.append(e) }
        }
        events[name] = buffer + others
        return found
    }

    private func wrapEvent(_ body: () throws -> ObservedEvent?) throws -> ObservedEvent? {
        do { return try body() } catch let e as ZMQError { throw StepProblem.error("monitor read failed: \(e)") }
    }

    func expectZAP(count: Int, mechanism: String?, domain: String?, credentials: [[UInt8]]?, status: String?) throws {
        let deadline = monotonicMs() + Double(CaseLoader.defaultWithinMs)
        var requests = sessions.flatMap { $0.zapRequests() }
        while requests.count < count && monotonicMs() < deadline {
            _ = try? sessions[0].poll([], timeoutMs: 10)
            requests = sessions.flatMap { $0.zapRequests() }
        }
        guard requests.count >= count else {
            throw StepProblem.mismatch(expected: "\(count) ZAP request(s)", seen: "\(requests.count)")
        }
        for r in requests.prefix(count) {
            if r.version != "1.0" { throw StepProblem.mismatch(expected: "ZAP version 1.0", seen: r.version) }
            if let mechanism, r.mechanism != mechanism { throw StepProblem.mismatch(expected: "ZAP mechanism \(mechanism)", seen: r.mechanism) }
            if let domain, r.domain != domain { throw StepProblem.mismatch(expected: "ZAP domain \"\(domain)\"", seen: "\"\(r.domain)\"") }
            if let credentials, r.credentials != credentials {
                throw StepProblem.mismatch(expected: "ZAP credentials \(describeFrames(credentials))", seen: describeFrames(r.credentials))
            }
            if let status, r.answeredStatus != status { throw StepProblem.mismatch(expected: "ZAP answered \(status)", seen: r.answeredStatus) }
            if r.address.isEmpty { throw StepProblem.mismatch(expected: "a ZAP request with the peer address", seen: "an empty address") }
        }
    }

    /// Receives `count` messages from several sockets and checks how they spread, per socket
    /// or per body prefix (the last frame), over all of them or the `first` few.
    func collect(from: [String], count: Int, within: Int, first: Int?, groupBy: GroupBy, groups: [String: Int], tolerance: Int) throws {
        let ids = try from.map { try id($0) }
        let deadline = monotonicMs() + Double(within)
        var tally: [String: Int] = [:]
        var received = 0
        let window = first ?? count
        while received < count {
            let left = Int(deadline - monotonicMs())
            guard left > 0 else { break }
            let ready = try? poll(ids.map { ($0, .pollIn) }, timeoutMs: min(left, 50))
            for (i, s) in ids.enumerated() where ready?[i].contains(.pollIn) ?? true {
                guard received < count, let m = try? s.receive(timeoutMs: 0) else { continue }
                received += 1
                guard received <= window else { continue }
                let key: String
                switch groupBy {
                case .socket: key = from[i]
                case .prefix:
                    let body = m.frames.last ?? []
                    key = groups.keys.first { body.starts(with: Array($0.utf8)) } ?? "other"
                }
                tally[key, default: 0] += 1
            }
        }
        let summary = tally.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        observations.append("collect: \(summary) of \(received)")
        guard received >= count else {
            throw StepProblem.mismatch(expected: "\(count) messages within \(within) ms", seen: "\(received) (\(summary))")
        }
        for (g, want) in groups where abs(tally[g, default: 0] - want) > tolerance {
            let expected = groups.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            throw StepProblem.mismatch(
                expected: "\(expected) (tolerance \(tolerance))" + (first.map { " among the first \($0)" } ?? ""),
                seen: summary)
        }
    }

    /// Publishes probes until every subscriber has one (its subscription reached the
    /// publisher), then an end marker, and drains each subscriber up to the marker.
    func awaitSubscription(pub: String, subs: [String], topic: [UInt8], within: Int) throws {
        let p = try id(pub)
        let subIDs = try subs.map { try id($0) }
        try awaitProbes(
            change: "subscription to \(describeFrame(topic))", kind: "subscription", sender: pub, receivers: subs, prefix: topic,
            within: within, send: { _ = try? p.send([$0], dontWait: true, timeoutMs: 0) },
            receive: { i, ms in (try? subIDs[i].receive(timeoutMs: ms))?.frames })
    }

    /// The shared way to wait for a filter (a subscription, a group join) to reach a sender
    /// without sleeping: probes until every receiver has one, then an end marker, and each
    /// receiver drained up to it. Anything but a probe on the way is a mismatch (the case
    /// must see it). `receive(i, ms)` gives the frames receiver `i` got, or nil.
    func awaitProbes(
        change: String, kind: String, sender: String, receivers: [String], prefix: [UInt8], within: Int,
        send: ([UInt8]) -> Void, receive: (Int, Int) -> [[UInt8]]?
    ) throws {
        let probe = prefix + Array("\u{1}zmqsuite-probe".utf8)
        let end = prefix + Array("\u{1}zmqsuite-end".utf8)
        let deadline = monotonicMs() + Double(within)
        var pending = Set(receivers.indices)
        while !pending.isEmpty {
            guard monotonicMs() < deadline else {
                throw StepProblem.mismatch(
                    expected: "\(change) reaching \(sender) within \(within) ms",
                    seen: "no probe reached \(pending.map { receivers[$0] }.sorted().joined(separator: ", "))")
            }
            send(probe)
            for i in pending {
                guard let frames = receive(i, 10) else { continue }
                guard frames.first == probe else {
                    throw StepProblem.mismatch(expected: "only probes on \(receivers[i]) while its \(kind) propagates", seen: describeFrames(frames))
                }
                pending.remove(i)
            }
        }
        send(end)
        for i in receivers.indices {
            while true {
                let left = Int(deadline - monotonicMs()) + CaseLoader.defaultWithinMs
                guard let frames = receive(i, max(0, left)) else {
                    throw StepProblem.error("\(receivers[i]) never saw the end of the probes")
                }
                if frames.first == end { break }
                if frames.first != probe {
                    throw StepProblem.mismatch(expected: "only probes on \(receivers[i]) until the end marker", seen: describeFrames(frames))
                }
            }
        }
    }

    /// A receive that may end in an error the step accepts: its value, or nil when an accepted
    /// error came (recorded when the step allows several endings). `want` says what was awaited.
    func receiving<T>(_ step: Step, _ what: String, want: String, withinMs: Int, _ body: () throws -> T) throws -> T? {
        do { return try body() } catch let e as ZMQError {
            guard step.accepts(e.name) else {
                throw StepProblem.mismatch(
                    expected: "\(what): \(step.accept == ["ok"] ? want : step.acceptText) within \(withinMs) ms",
                    seen: e.name == "EAGAIN" ? "nothing (EAGAIN)" : e.name)
            }
            if step.recordsOutcome { observations.append("line \(step.line) \(what): \(e.name)") }
            return nil
        }
    }

    func relay(_ name: String) throws -> TCPRelay {
        guard let r = relays[name] else { throw StepProblem.error("relay '\(name)' is not running") }
        return r
    }
}

extension CellExecutor {
    /// Receives until nothing came for `quietMs` (or `withinMs` passed) and checks the count.
    func drain(_ name: String, quietMs: Int, withinMs: Int, minCount: Int, maxCount: Int) throws {
        let s = try id(name)
        let deadline = monotonicMs() + Double(withinMs)
        var received = 0
        while monotonicMs() < deadline {
            guard (try? s.receive(timeoutMs: quietMs)) != nil else { break }
            received += 1
        }
        observations.append("drain \(name): \(received) messages")
        guard received >= minCount && received <= maxCount else {
            throw StepProblem.mismatch(
                expected: "between \(minCount) and \(maxCount == Int.max ? "any number of" : String(maxCount)) messages on \(name)",
                seen: "\(received)")
        }
    }
}
