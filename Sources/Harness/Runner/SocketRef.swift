/// A socket of a cell together with the implementation (session) that holds it: in an
/// interop cell the sockets of one case live in different implementations.
struct SocketRef {
    let session: DriverSession
    let id: SocketID

    func set(_ option: SocketOption, _ value: OptionValue) throws { try session.set(id, option, value) }
    func get(_ option: SocketOption) throws -> OptionValue { try session.get(id, option) }
    func bind(_ endpoint: String) throws -> String { try session.bind(id, endpoint) }
    func connect(_ endpoint: String) throws { try session.connect(id, endpoint) }
    func disconnect(_ endpoint: String) throws { try session.disconnect(id, endpoint) }
    func unbind(_ endpoint: String) throws { try session.unbind(id, endpoint) }
    func send(_ frames: [[UInt8]], dontWait: Bool, timeoutMs: Int) throws {
        try session.send(id, frames, dontWait: dontWait, timeoutMs: timeoutMs)
    }
    func receive(timeoutMs: Int, properties: [String] = []) throws -> Message {
        try session.receive(id, timeoutMs: timeoutMs, properties: properties)
    }
    func receiveFrame(timeoutMs: Int) throws -> (frame: [UInt8], more: Bool) { try session.receiveFrame(id, timeoutMs: timeoutMs) }
    func shutdownDuringReceive(afterMs: Int, timeoutMs: Int) throws -> String {
        try session.shutdownDuringReceive(id, afterMs: afterMs, timeoutMs: timeoutMs)
    }
    func join(_ group: String) throws { try session.join(id, group) }
    func leave(_ group: String) throws { try session.leave(id, group) }
    func connectPeer(_ endpoint: String) throws -> UInt32 { try session.connectPeer(id, endpoint) }
    func sendDraft(_ frame: [UInt8], routingId: UInt32?, group: String?, dontWait: Bool, timeoutMs: Int) throws {
        try session.sendDraft(id, frame, routingId: routingId, group: group, dontWait: dontWait, timeoutMs: timeoutMs)
    }
    func receiveDraft(timeoutMs: Int) throws -> DraftMessage { try session.receiveDraft(id, timeoutMs: timeoutMs) }
    func monitor() throws { try session.monitor(id) }
    func nextEvent(timeoutMs: Int) throws -> ObservedEvent? { try session.nextEvent(id, timeoutMs: timeoutMs) }
    func close() throws { try session.close(id) }
}

/// zmq_poll over sockets that may belong to several implementations: one poll when they
/// share a session, else short polls of each in turn until one is ready or the bound passes.
func poll(_ items: [(SocketRef, PollEvents)], timeoutMs: Int) throws -> [PollEvents] {
    let sessions = items.map { ObjectIdentifier($0.0.session) }
    if Set(sessions).count <= 1, let first = items.first {
        return try first.0.session.poll(items.map { ($0.0.id, $0.1) }, timeoutMs: timeoutMs)
    }
    let deadline = monotonicMs() + Double(timeoutMs)
    while true {
        var result = [PollEvents](repeating: [], count: items.count)
        for key in Set(sessions) {
            let indices = items.indices.filter { sessions[$0] == key }
            let got = try items[indices[0]].0.session.poll(indices.map { (items[$0].0.id, items[$0].1) }, timeoutMs: 0)
            for (k, i) in indices.enumerated() { result[i] = got[k] }
        }
        if result.contains(where: { !$0.isEmpty }) || monotonicMs() >= deadline { return result }
        _ = try items[0].0.session.poll([(items[0].0.id, [])], timeoutMs: min(5, max(0, Int(deadline - monotonicMs()))))
    }
}
