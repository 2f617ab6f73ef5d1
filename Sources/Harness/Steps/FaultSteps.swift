import Foundation

/// Faults and recovery: a relay on the path between sockets that stalls, resets, closes,
/// refuses, delays or throttles on command, and a socket restarted in place. Every fault is
/// bounded (`for:`, or the cell's end), and recovery is judged on events: a connection arriving
/// at the relay, a message, a close.
enum FaultSteps {
    static let all: [any StepAction.Type] = [
        FaultRelayStep.self, FaultStep.self, FaultExpectArrivalsStep.self, FaultExpectNoArrivalStep.self, RestartStep.self, KillStep.self, PartitionStep.self,
    ]
}

struct FaultRelayStep: StepAction {
    static let name = "fault_relay"
    static let keys = ["name", "to"]
    static let summary =
        "Starts a relay in front of a bound socket (`to:`; tcp and ipc) for any number of connections; its name is an endpoint to connect to. It passes octets unchanged, logs them decoded, and counts connection attempts until a `fault` step says otherwise."
    var relayName: String
    var to: EndpointRef

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let n = try a.string("name")
        let to = try scope.endpointRef(a)
        scope.endpoints.insert(n)
        scope.faultRelays.insert(n)
        return Self(relayName: n, to: to)
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let target = try cell.endpoint(to)
        guard cell.transport == .tcp || cell.transport == .ipc, (try? WireEndpoint(target)) != nil else {
            throw StepProblem.unsupported("fault relays stand between tcp or ipc connections; this cell is on \(cell.transport.rawValue)")
        }
        let path = cell.transport == .ipc ? String(target.dropFirst("ipc://".count)) + ".fault-\(relayName)" : nil
        do {
            let r = try ZMTPRelay(to: target, ipcPath: path, transcript: cell.numberedTranscripts("fault \(relayName)"))
            cell.faultRelays[relayName] = r
            cell.bound[relayName] = r.endpoint
        } catch {
            throw StepProblem.error("fault relay \(relayName): cannot relay to \(target): \(error)")
        }
    }
}

struct FaultStep: StepAction {
    static let name = "fault"
    static let keys = ["relay", "do", "ms", "rate", "for"]
    static let summary =
        "Makes a fault relay `do:` stall (forward nothing, keep connections open: half-open), reset (RST both sides), close (FIN both sides), refuse (reset each new connection on arrival), delay (`ms` late), throttle (`rate` octets/s) or pass (end the fault); `for:` ends it after that long."
    enum Kind: String, CaseIterable { case stall, reset, close, refuse, delay, throttle, pass }
    var relayName: String
    var fault: RelayFault
    var forMs: Int?

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let n = try scope.faultRelay(a)
        let kind = try a.required("do").enumValue("fault", Kind.self)
        let fault: RelayFault
        switch kind {
        case .stall: fault = .stall
        case .reset: fault = .reset
        case .close: fault = .close
        case .refuse: fault = .refuse
        case .pass: fault = .pass
        case .delay:
            guard let ms = try a.positive("ms") else { throw a.fail("a delay fault names its `ms`") }
            fault = .delay(ms)
        case .throttle:
            guard let rate = try a.positive("rate") else { throw a.fail("a throttle fault names its `rate` (octets per second)") }
            fault = .throttle(rate)
        }
        let forMs = try a["for"].map { try $0.duration("for") }
        if forMs != nil, fault == .reset || fault == .close || fault == .pass {
            throw try a.required("for").fail("`for` bounds a lasting fault (stall, refuse, delay, throttle); \(kind.rawValue) is at once")
        }
        return Self(relayName: n, fault: fault, forMs: forMs)
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let r = try cell.faultRelay(relayName)
        r.apply(fault)
        if let forMs {
            // Bounded by construction: the relay passes again after `for`, whatever the case does.
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(forMs)) { r.apply(.pass) }
        }
    }
}

/// Recovery seen on the wire: connections (attempts included) arriving at the relay.
struct FaultExpectArrivalsStep: StepAction {
    static let name = "fault_expect_arrivals"
    static let keys = ["relay", "count", "min_gap", "growing", "within"]
    static let summary =
        "At least `count` connections in all have reached the relay within the bound (a reconnection, or attempts); `min_gap` (a duration) bounds every gap between arrivals from below, `growing: true` asks the last gap to exceed the first (back-off). The gaps are recorded."
    var relayName: String
    var count: Int
    var minGapMs: Int?
    var growing: Bool
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let n = try scope.faultRelay(a)
        guard let count = try a.positive("count") else { throw a.fail("fault_expect_arrivals names a positive `count`") }
        return Self(
            relayName: n, count: count, minGapMs: try a["min_gap"].map { try $0.duration("min_gap") }, growing: try a.bool("growing"),
            withinMs: try a.within())
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let r = try cell.faultRelay(relayName)
        let arrived = r.awaitArrivals(count, timeoutMs: withinMs)
        let times = Array(r.arrivals.prefix(count))
        let gaps = zip(times.dropFirst(), times).map { Int($0 - $1) }
        guard arrived else {
            throw StepProblem.mismatch(expected: "\(count) connections at \(relayName) within \(withinMs) ms", seen: "\(r.arrivals.count)")
        }
        cell.observations.append("line \(step.line) \(Self.name): \(count) arrivals, gaps \(gaps.map { "\($0) ms" }.joined(separator: ", "))")
        if let minGapMs, let small = gaps.first(where: { $0 < minGapMs }) {
            throw StepProblem.mismatch(expected: "every gap between connection attempts at least \(minGapMs) ms", seen: "a gap of \(small) ms (gaps \(gaps))")
        }
        if growing, let first = gaps.first, let last = gaps.last, gaps.count >= 2, last <= first {
            throw StepProblem.mismatch(expected: "the gaps between attempts to grow (back-off)", seen: "gaps \(gaps) ms")
        }
    }
}

struct FaultExpectNoArrivalStep: StepAction {
    static let name = "fault_expect_no_arrival"
    static let keys = ["relay", "within"]
    static let summary = "No new connection reaches the relay for the whole bound (no reconnection)."
    var relayName: String
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let n = try scope.faultRelay(a)
        return Self(relayName: n, withinMs: try a.within())
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let r = try cell.faultRelay(relayName)
        let before = r.arrivals.count
        if r.awaitArrivals(before + 1, timeoutMs: withinMs) {
            throw StepProblem.mismatch(expected: "no new connection at \(relayName) within \(withinMs) ms", seen: "connection \(before + 1) arrived")
        }
    }
}

/// A process-level fault inside the implementation: the socket is closed and a fresh one of
/// the same declaration (type, options) binds the same endpoint, as a restarted server would.
struct RestartStep: StepAction {
    static let name = "restart"
    static let keys = ["socket", "within"]
    static let summary =
        "Closes a bound socket (linger 0; nothing to close after `kill`) and creates it again with the same type and options, bound to the same endpoint (retrying while the old listener is released, within the bound); a `process: own` socket gets a fresh process."
    var socket: String
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(socket: try scope.socket(a), withinMs: try a.within())
    }

    var optionsUsed: [SocketOption] { [.linger] }

    func run(_ step: Step, in cell: CellExecutor) throws {
        guard let declaration = cell.definition.declarations.first(where: { $0.name == socket }) else {
            throw StepProblem.error("socket '\(socket)' has no declaration to restart from")
        }
        guard let endpoint = cell.bound[socket] else { throw StepProblem.error("socket '\(socket)' is not bound: restart re-binds its endpoint") }
        if !cell.killed.contains(socket) {
            let old = try cell.id(socket)
            try cell.wrap("set linger=0") { try old.set(.linger, .int(0)) }
            try cell.wrap("zmq_close") { try old.close() }
        }
        try SocketStep(declaration: declaration).run(step, in: cell)
        cell.killed.remove(socket)
        let fresh = try cell.id(socket)
        // The old listener is released by the library's own thread: EADDRINUSE until then.
        let deadline = monotonicMs() + Double(withinMs)
        while true {
            do {
                cell.bound[socket] = try fresh.bind(endpoint)
                cell.observations.append("line \(step.line) \(Self.name): \(socket) bound \(endpoint) again")
                return
            } catch let e as ZMQError where e.name == "EADDRINUSE" && monotonicMs() < deadline {
                Thread.sleep(forTimeInterval: 0.01)
            } catch let e as ZMQError {
                throw StepProblem.error("restart: binding \(endpoint) again failed: \(e.name)")
            }
        }
    }
}

/// The hard process fault: the process holding a socket dies at once (no close, no FIN from
/// the library: the kernel closes its connections), as a crashed or OOM-killed server would.
struct KillStep: StepAction {
    static let name = "kill"
    static let keys = ["socket"]
    static let summary =
        "kill -9 of the process holding a `process: own` socket (the kernel closes its connections; the library says nothing); `restart` then starts a fresh process and socket on the same endpoint."
    var socket: String

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let s = try scope.socket(a)
        guard scope.ownProcess.contains(s) else {
            throw try a.required("socket").fail("kill needs a socket in a process of its own: declare '\(s)' with process: own")
        }
        return Self(socket: s)
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let pid = try cell.killOwnProcess(of: socket)
        cell.observations.append("line \(step.line) \(Self.name): process \(pid) holding \(socket) killed with SIGKILL")
    }
}

/// A partition of the network itself: the host's link goes down for the whole `for`, so that
/// heartbeats and TCP keepalive meet a silent network (no reset, no close reaches anyone), then
/// comes up again. The step lasts the fault's duration, bounded by construction; the link is
/// brought up at the cell's end whatever happens, and the namespaces go with the run.
struct PartitionStep: StepAction {
    static let name = "partition"
    static let keys = ["host", "for"]
    static let summary =
        "Takes a host's link down (a real partition on the namespace hosts: nothing is reset or closed, packets are lost) for `for:`, then up again; the step returns once the link is back."
    var host: String
    var forMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let h = try a.string("host")
        guard scope.hostLabels.contains(h) else {
            throw try a.required("host").fail("partition names host '\(h)', on which no socket of the case lives (hosts: \(scope.hostLabels.sorted()))")
        }
        guard let ms = try a["for"].map({ try $0.duration("for") }), ms > 0 else { throw a.fail("a partition names how long it lasts (`for`)") }
        return Self(host: h, forMs: ms)
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        guard let h = cell.hosts[host] else {
            throw StepProblem.error("partition: this cell does not run on hosts (host '\(host)' unknown)")
        }
        do { try HostNetwork.setLink(of: h, up: false) } catch { throw StepProblem.error("partition: \(error)") }
        cell.partitioned.insert(host)
        let start = monotonicMs()
        Thread.sleep(forTimeInterval: Double(forMs) / 1000)
        cell.healPartitions()
        cell.observations.append("line \(step.line) \(Self.name): \(h.namespace) \(h.interface) down for \(Int(monotonicMs() - start)) ms")
    }
}

extension CellExecutor {
    /// Brings up every link a partition took down (after the step, and at the cell's end).
    func healPartitions() {
        for label in partitioned {
            if let h = hosts[label] { try? HostNetwork.setLink(of: h, up: true) }
        }
        partitioned = []
    }
}

extension CaseScope {
    /// The fault relay a step names under `relay`, made by an earlier step.
    func faultRelay(_ a: StepArgs) throws -> String {
        let n = try a.string("relay")
        guard faultRelays.contains(n) else { throw try a.required("relay").fail("fault relay '\(n)' used before a fault_relay step makes it") }
        return n
    }
}
