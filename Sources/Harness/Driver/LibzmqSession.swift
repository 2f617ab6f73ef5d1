import CZeroMQ
import Foundation

/// One cell's context and sockets in the in-process libzmq driver.
final class LibzmqSession: DriverSession {
    private let context: Context
    private var sockets: [SocketID: Socket] = [:]
    private var monitors: [SocketID: SocketMonitor] = [:]
    private var proxies: [ProxyRunner] = []
    private var proxyOwned: Set<SocketID> = []
    private var zap: ZAPHandler?
    private var nextID = 1
    private static let monitorCounter = AtomicCounter()

    init() throws { context = try Context() }

    private func sock(_ id: SocketID) throws -> Socket {
        guard let s = sockets[id] else { throw ZMQError(code: ENOTSOCK, operation: "socket \(id) is closed") }
        return s
    }

    func socket(_ type: SocketType) throws -> SocketID {
        let s = try Socket(context: context, type: type)
        let id = nextID
        nextID += 1
        sockets[id] = s
        return id
    }

    func set(_ s: SocketID, _ option: SocketOption, _ value: OptionValue) throws {
        let socket = try sock(s)
        try socket.set(option, value)
        if option == .rcvtimeo || option == .sndtimeo, case .int(let v) = value {
            socket.rememberUserTimeout(option, v)
        }
    }

    func get(_ s: SocketID, _ option: SocketOption) throws -> OptionValue { try sock(s).get(option) }

    func bind(_ s: SocketID, _ endpoint: String) throws -> String {
        let socket = try sock(s)
        try socket.bind(endpoint)
        let last = try socket.lastEndpoint
        // libzmq 4.3.4 answers a udp bind's LAST_ENDPOINT without its scheme ("127.0.0.1:5555");
        // udp has no wildcard port to resolve, so the endpoint bound is the real one.
        return last.contains("://") ? last : endpoint
    }

    func connect(_ s: SocketID, _ endpoint: String) throws { try sock(s).connect(endpoint) }
    func disconnect(_ s: SocketID, _ endpoint: String) throws { try sock(s).disconnect(endpoint) }
    func unbind(_ s: SocketID, _ endpoint: String) throws { try sock(s).unbind(endpoint) }

    func send(_ s: SocketID, _ frames: [[UInt8]], dontWait: Bool, timeoutMs: Int) throws {
        try sock(s).send(frames, dontWait: dontWait, timeoutMs: timeoutMs)
    }

    func receive(_ s: SocketID, timeoutMs: Int, properties: [String]) throws -> Message {
        try sock(s).receive(timeoutMs: timeoutMs, properties: properties)
    }

    func receiveFrame(_ s: SocketID, timeoutMs: Int) throws -> (frame: [UInt8], more: Bool) {
        try sock(s).receiveFrame(timeoutMs: timeoutMs)
    }

    func join(_ s: SocketID, _ group: String) throws { try sock(s).join(group) }
    func leave(_ s: SocketID, _ group: String) throws { try sock(s).leave(group) }
    func connectPeer(_ s: SocketID, _ endpoint: String) throws -> UInt32 { try sock(s).connectPeer(endpoint) }

    func sendDraft(_ s: SocketID, _ frame: [UInt8], routingId: UInt32?, group: String?, dontWait: Bool, timeoutMs: Int) throws {
        try sock(s).sendDraft(frame, routingId: routingId, group: group, dontWait: dontWait, timeoutMs: timeoutMs)
    }

    func receiveDraft(_ s: SocketID, timeoutMs: Int) throws -> DraftMessage { try sock(s).receiveDraft(timeoutMs: timeoutMs) }

    func shutdownDuringReceive(_ s: SocketID, afterMs: Int, timeoutMs: Int) throws -> String {
        let socket = try sock(s)
        let ended = DispatchSemaphoreBox()
        let outcome = LockedValue<String>()
        // The receive runs on a thread of its own; this thread only waits and shuts down.
        Thread {
            do { _ = try socket.receive(timeoutMs: timeoutMs); outcome.set("ok") } catch let e as ZMQError { outcome.set(e.name) } catch {
                outcome.set("\(error)")
            }
            ended.signal()
        }.start()
        // A receive that ends before `afterMs` did not block: nothing to interrupt.
        if ended.wait(timeoutMs: afterMs) { return "did not block: " + (outcome.get() ?? "?") }
        context.shutdown()
        guard ended.wait(timeoutMs: timeoutMs) else { return "still blocked" }
        return outcome.get() ?? "?"
    }

    func poll(_ items: [(SocketID, PollEvents)], timeoutMs: Int) throws -> [PollEvents] {
        try Harness.poll(items.map { (try sock($0.0), $0.1) }, timeoutMs: timeoutMs)
    }

    func monitor(_ s: SocketID) throws {
        let address = "inproc://zs-monitor-\(Self.monitorCounter.next())"
        monitors[s] = try SocketMonitor(context: context, socket: try sock(s), address: address)
    }

    func nextEvent(_ s: SocketID, timeoutMs: Int) throws -> ObservedEvent? {
        guard let m = monitors[s] else { throw ZMQError(code: EINVAL, operation: "socket \(s) is not monitored") }
        return try m.next(timeoutMs: timeoutMs)
    }

    func close(_ s: SocketID) throws {
        try sock(s).close()
        sockets[s] = nil
    }

    func startProxy(frontend: SocketID, backend: SocketID, capture: SocketID?, control: SocketID?) throws -> Int {
        let runner = ProxyRunner(
            frontend: try sock(frontend), backend: try sock(backend),
            capture: try capture.map(sock), control: try control.map(sock))
        for id in [frontend, backend, capture, control].compactMap({ $0 }) { proxyOwned.insert(id) }
        proxies.append(runner)
        runner.start()
        return proxies.count - 1
    }

    func waitProxy(_ id: Int, timeoutMs: Int) -> (returned: Bool, error: String?) {
        let p = proxies[id]
        guard p.wait(timeoutMs: timeoutMs) else { return (false, nil) }
        return (true, p.errorName)
    }

    func installZAP(_ script: ZAPScript) throws {
        let handler = try ZAPHandler(context: context, script: script)
        zap = handler
        handler.start()
    }

    func zapRequests() -> [ZAPRequest] { zap?.requests ?? [] }

    func curveKeyPair() throws -> CurveKeyPair { try CurveKeyPair.generate() }

    func teardown(timeoutMs: Int) -> Bool {
        var clean = true
        if let zap, !zap.stop(timeoutMs: timeoutMs) { clean = false }
        for m in monitors.values { m.close() }
        // Sockets a proxy owns are closed only after the proxy has returned.
        if !proxies.isEmpty {
            context.shutdown()
            for p in proxies where !p.wait(timeoutMs: timeoutMs) { clean = false }
        }
        for (id, s) in sockets {
            if proxyOwned.contains(id) && !clean { continue }
            try? s.set(.linger, .int(0))
            s.close()
        }
        sockets.removeAll()
        // zmq_ctx_term waits for every socket's linger; bound it on a helper thread.
        let done = DispatchSemaphoreBox()
        let context = self.context
        Thread {
            context.terminate(); done.signal()
        }.start()
        return done.wait(timeoutMs: timeoutMs) && clean
    }
}
