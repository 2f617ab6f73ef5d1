import Foundation

/// Where a cell's sockets live.
public enum CellMode: @unchecked Sendable {
    /// Every socket in the runner's own driver.
    case runner
    /// Every socket in one other implementation (interop runs each implementation alone too).
    case solo(Driver)
    /// An interop pair: the sockets that bind live in `binder`, all others in `connector`.
    case pair(binder: Driver, connector: Driver)
    /// On hosts made of network namespaces: multicast, sockets on named hosts, or unicast
    /// split across two hosts (`acrossHosts`).
    case hosts(HostPlacement, acrossHosts: Bool)

    /// The implementations the cell opens sessions of; nil for the runner's own driver.
    var drivers: [Driver]? {
        switch self {
        case .runner: return nil
        case .solo(let d): return [d]
        case .pair(let binder, let connector): return [binder, connector]
        case .hosts(let placement, _): return placement.drivers
        }
    }
}

/// One planned cell: a case on a transport, where its sockets live, and, when planning
/// already knows it cannot run here, why.
public struct Cell: Sendable {
    public var definition: CaseDefinition
    public var transport: Transport
    public var mode: CellMode
    /// Why this cell cannot run here, decided while planning (e.g. no hosts without root).
    public var blocked: String?
    /// `--trace`: connections pass through a relay that decodes the ZMTP exchange into the wire log.
    public var trace = false

    public init(definition: CaseDefinition, transport: Transport, mode: CellMode = .runner) {
        self.definition = definition
        self.transport = transport
        self.mode = mode
    }

    /// The host placement, when the cell runs on hosts.
    public var placement: HostPlacement? {
        if case .hosts(let p, _) = mode { return p }
        return nil
    }

    /// The case needs hosts on this transport: multicast, or sockets placed on named hosts.
    public var needsHosts: Bool { transport.isMulticast || !definition.hosts.isEmpty }
}

/// Expands cases over transports and runs the cells in parallel, each on a thread of its own
/// with a watchdog, so a hung implementation call costs one ERROR cell, not the run.
public final class ConformanceRunner: @unchecked Sendable {
    public let driver: Driver
    public let jobs: Int
    /// When set, cells run in worker processes (crash isolation); else on threads in this process.
    public let pool: WorkerPool?
    /// Extra time beyond a case's own timeout for teardown before the watchdog fires.
    public let teardownMs = 3000

    public init(driver: Driver, jobs: Int, pool: WorkerPool? = nil) {
        self.driver = driver
        self.jobs = max(1, jobs)
        self.pool = pool
    }

    /// The interop matrix: every implementation alone over the whole catalogue, then every
    /// ordered pair (A binds, B connects) over each splittable case and each transport but
    /// inproc (which cannot cross processes).
    public static func planInterop(_ cases: [CaseDefinition], drivers: [Driver], transports: Set<Transport>? = nil) -> [Cell] {
        var cells: [Cell] = []
        for d in drivers {
            for c in cases {
                for t in c.transports where transports?.contains(t) ?? true {
                    cells.append(Cell(definition: c, transport: t, mode: .solo(d)))
                }
            }
        }
        for a in drivers {
            for b in drivers where b !== a {
                for c in cases where c.splittable {
                    for t in c.transports where t != .inproc && (transports?.contains(t) ?? true) {
                        cells.append(Cell(definition: c, transport: t, mode: .pair(binder: a, connector: b)))
                    }
                }
            }
        }
        return cells
    }

    public func plan(_ cases: [CaseDefinition], transports: Set<Transport>? = nil) -> [Cell] {
        cases.flatMap { c in
            c.transports.filter { transports?.contains($0) ?? true }.map { Cell(definition: c, transport: $0) }
        }
    }

    /// Runs the cells; `onResult` is called (serially) as each finishes; `shouldStop` is
    /// checked before each new cell starts. Returns the finished cells in plan order.
    public func run(
        _ cells: [Cell], onResult: @escaping @Sendable (CellResult) -> Void = { _ in },
        shouldStop: @escaping @Sendable () -> Bool = { false }
    ) -> [CellResult] {
        let state = RunState(count: cells.count)
        let group = DispatchGroup()
        for w in 0..<min(jobs, max(1, cells.count)) {
            group.enter()
            let worker = Thread { [self] in
                while true {
                    let i = state.take()
                    if i >= cells.count || shouldStop() { break }
                    state.finish(i, runCell(cells[i]), onResult)
                }
                group.leave()
            }
            worker.name = "zmqsuite-worker-\(w)"
            worker.start()
        }
        group.wait()
        return state.finished
    }

    public func runCell(_ cell: Cell) -> CellResult {
        let c = cell.definition
        let drivers = cell.mode.drivers ?? [driver]
        var result = CellResult(
            caseId: c.id, title: c.title, spec: c.spec, level: c.level, area: c.area,
            transport: cell.transport.rawValue, socketTypes: c.socketTypes.map(\.rawValue),
            implementations: drivers.map { "\($0.info.name) \($0.info.version)" }, outcome: .PASS,
            durationSeconds: 0, detail: "", failure: nil, observations: [], file: c.file, line: c.line)
        result.clause = c.specKey
        result.bug = c.bug
        result.dimension = Dimension(c.specKey.source)
        switch cell.mode {
        case .pair(let binder, let connector): result.pair = "\(binder.info.name)>\(connector.info.name)"
        case .hosts(let placement, let across):
            result.observations.append(placement.description)
            if across { result.pair = CellResult.acrossHosts }
        case .runner, .solo: break
        }
        if let reason = unsupportedReason(cell) {
            result.outcome = .UNSUPPORTED
            result.detail = reason
            return result
        }
        if let reason = needsSuiteBeside(cell, drivers) {
            // The harness's limit, not the implementation's: never a FAIL blamed on it.
            result.outcome = .ERROR
            result.detail = reason
            return result
        }
        if let pool, case .runner = cell.mode {
            // The worker's own watchdog fires first; this bound catches a worker that hangs whole.
            return pool.run(cell, base: result, boundMs: c.timeoutMs + 2 * teardownMs)
        }
        // The hosts are shared by the run's hosted cells: one that partitions a host runs alone.
        // Taken before the cell's clock starts, and given back by this thread even if the
        // cell's own thread hangs.
        let exclusive = cell.definition.partitionsHosts
        if cell.placement != nil { hostUse.acquire(exclusive: exclusive) }
        defer { if cell.placement != nil { hostUse.release(exclusive: exclusive) } }
        let start = monotonicMs()
        let box = LockedValue<CellVerdict>()
        let done = DispatchSemaphoreBox()
        let thread = Thread { [teardownMs] in
            box.set(Self.execute(cell, drivers: drivers, teardownMs: teardownMs))
            done.signal()
        }
        thread.name = "zmqsuite-cell"
        thread.stackSize = 4 << 20
        thread.start()
        if done.wait(timeoutMs: c.timeoutMs + teardownMs) {
            let verdict = box.get()!
            result.outcome = verdict.outcome
            result.failure = verdict.failure
            result.observations += verdict.observations
            if !verdict.wire.isEmpty { result.wire = verdict.wire }
            if let failure = verdict.failure {
                result.detail = "step \(failure.step) (\(failure.stepName), line \(failure.line)): expected \(failure.expected); saw \(failure.seen)"
                if let problem = verdict.teardownProblem { result.detail = problem + "; before that, " + result.detail }
            } else if let problem = verdict.teardownProblem {
                result.detail = problem
            } else {
                result.detail = result.observations.joined(separator: "; ")
            }
        } else {
            // The cell thread is abandoned: its implementation call never returned.
            result.outcome = .ERROR
            result.detail = "cell did not finish within \(c.timeoutMs + teardownMs) ms (case timeout plus teardown): the implementation hung"
        }
        result.durationSeconds = (monotonicMs() - start) / 1000
        return result
    }

    private static func execute(_ cell: Cell, drivers: [Driver], teardownMs: Int) -> CellVerdict {
        let endpoints = EndpointAllocator(cellTag: cell.definition.id)
        defer { endpoints.cleanup() }
        var sessions: [DriverSession] = []
        for d in drivers {
            do { sessions.append(try d.openSession()) } catch {
                for s in sessions { _ = s.teardown(timeoutMs: teardownMs) }
                return CellVerdict(outcome: .ERROR, teardownProblem: "could not open a session of \(d.info.name): \(error)")
            }
        }
        var assignment: [String: Int] = [:]
        switch cell.mode {
        case .pair:
            for name in cell.definition.socketNames { assignment[name] = cell.definition.binders.contains(name) ? 0 : 1 }
        case .hosts(let placement, _): assignment = placement.assignment
        case .runner, .solo: break
        }
        let executor = CellExecutor(
            definition: cell.definition, transport: cell.transport, sessions: sessions,
            assignment: assignment, endpoints: endpoints, hostAddresses: cell.placement?.hosts.map(\.address) ?? [])
        executor.trace = cell.trace
        for host in cell.placement?.hosts ?? [] { executor.hosts[host.label] = host }
        if let target = sessions.first as? WireTargetSession {
            executor.wireSecurity = target.driver.security
            if let subject = cell.definition.declarations.first { executor.targetServerKeyName = target.driver.serverKeyName(of: subject) }
        }
        var verdict = executor.run()
        executor.healPartitions()
        executor.closeRaw()
        let ownClean = executor.teardownOwnProcesses(timeoutMs: teardownMs)
        let clean = sessions.map { $0.teardown(timeoutMs: teardownMs) }.allSatisfy { $0 } && ownClean
        executor.finishTrace()
        verdict.wire = executor.wireLog
        // A crash or hang of an implementation makes whatever the steps saw unreliable.
        if !clean && verdict.outcome != .ERROR && verdict.outcome != .UNSUPPORTED {
            verdict.outcome = .ERROR
            verdict.teardownProblem = "teardown (closing sockets, terminating the context) did not finish within \(teardownMs) ms, or an implementation died"
        }
        return verdict
    }

    /// Why the driver(s) cannot run this cell at all, checked before it starts.
    /// Why a cell cannot run with a remote agent in it: a step connects from the suite (or
    /// `--trace` puts a relay on the path), and the endpoints of both are this machine's.
    func needsSuiteBeside(_ cell: Cell, _ drivers: [Driver]) -> String? {
        guard let far = drivers.compactMap({ $0 as? AgentDriver }).first(where: \.isRemote) else { return nil }
        let what: String
        if let step = cell.definition.firstSuiteSideStep {
            what = "step \(step.name) (line \(step.line)) connects from the suite"
        } else if cell.trace {
            what = "--trace puts a relay on the path"
        } else {
            return nil
        }
        return "\(far.info.name) is a remote agent (\(far.command[0])): \(what), and its endpoints are this machine's; run zmqsuite on the agent's machine for this cell"
    }

    public func unsupportedReason(_ cell: Cell) -> String? {
        if let blocked = cell.blocked { return blocked }
        if cell.needsHosts && cell.placement == nil {
            return "needs hosts with real interfaces (multicast does not work over loopback); none were made for this run"
        }
        switch cell.mode {
        case .hosts(let hosts, _):
            // Each host's implementation must have the socket types placed on it.
            for (i, d) in hosts.drivers.enumerated() {
                let placed = Set(hosts.assignment.filter { $0.value == i }.keys)
                if let why = unsupportedReason(cell, on: d, types: cell.definition.socketTypes(of: placed)) { return why }
            }
            return nil
        case .pair(let binder, let connector):
            let binderTypes = cell.definition.socketTypes(of: cell.definition.binders)
            let otherTypes = cell.definition.socketTypes(of: Set(cell.definition.socketNames).subtracting(cell.definition.binders))
            return unsupportedReason(cell, on: binder, types: binderTypes) ?? unsupportedReason(cell, on: connector, types: otherTypes)
        case .solo(let d): return unsupportedReason(cell, on: d, types: cell.definition.socketTypes)
        case .runner: return unsupportedReason(cell, on: driver, types: cell.definition.socketTypes)
        }
    }

    private func unsupportedReason(_ cell: Cell, on driver: Driver, types: [SocketType]) -> String? {
        let caps = driver.info.capabilities
        if let reason = caps.unsupportedReason(transport: cell.transport) { return "\(driver.info.name): \(reason)" }
        if cell.definition.usesWirePeer, let carried = caps.carriedTransports[cell.transport.rawValue] {
            return
                "\(driver.info.name): its \(cell.transport.rawValue) is not \(cell.transport.rawValue) on the wire, so the wire peer or a fault relay cannot reach it; its agent's hello says: \(carried)"
        }
        for type in types where !caps.socketTypes.contains(type.rawValue) {
            return "\(driver.info.name): socket type \(type.rawValue) cannot be created"
        }
        if let known = caps.options {
            for o in cell.definition.neededOptions.sorted() where !known.contains(o) {
                return "\(driver.info.name) has no socket option \(o)"
            }
        }
        for r in cell.definition.requires {
            switch r {
            case .mechanism(let m) where !caps.mechanisms.contains(m): return "mechanism \(m) not available"
            case .symbol(let s) where caps.draftSymbols[s] != true:
                if driver is AgentDriver {
                    let listed = caps.draftSymbols.filter(\.value).keys.sorted().joined(separator: ", ")
                    return "\(driver.info.name)'s hello lists the draft API symbols [\(listed)]: \(s) is not among them"
                }
                return "draft API symbol \(s) is not exported by \(driver.info.library) (dlsym finds no \(s))"
            case .has(let h) where caps.zmqHas[h] != true: return "zmq_has(\"\(h)\") is false"
            default: continue
            }
        }
        // After the requirements: a missing draft symbol says more than the feature it implies.
        for f in cell.definition.neededFeatures.map(\.rawValue).sorted() where !caps.features.contains(f) {
            let source = driver is AgentDriver ? "its agent's hello lists" : "it offers"
            return "\(driver.info.name) offers no '\(f)' (\(source): \(caps.features.joined(separator: ", ")))"
        }
        return nil
    }
}

/// The shared queue position and results of one run's workers.
private final class RunState: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var results: [CellResult?]
    init(count: Int) { results = Array(repeating: nil, count: count) }

    func take() -> Int {
        lock.lock(); defer { lock.unlock() }
        next += 1
        return next - 1
    }

    /// Stores a result and reports it, serially, so reporters need no lock of their own.
    func finish(_ i: Int, _ r: CellResult, _ report: (CellResult) -> Void) {
        lock.lock(); defer { lock.unlock() }
        results[i] = r
        report(r)
    }

    var finished: [CellResult] {
        lock.lock(); defer { lock.unlock() }
        return results.compactMap { $0 }
    }
}
