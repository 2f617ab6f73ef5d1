/// libzmq-style socket monitors: start one, wait for events, expect none, count handshakes.
/// Monitor events are API facts (zmq_socket_monitor(3)); they are never a protocol's only proof.
enum MonitorSteps {
    static let all: [any StepAction.Type] = [MonitorStep.self, AwaitEventStep.self, NoEventStep.self, AwaitPeersStep.self]
}

struct MonitorStep: StepAction {
    static let name = "monitor"
    static let keys = ["socket"]
    static let summary = "Starts a socket monitor (or `monitor: true` on the socket). Monitor events are libzmq API facts, never a protocol's only proof."
    var socket: String

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let s = try scope.socket(a)
        scope.monitored.insert(s)
        return Self(socket: s)
    }

    var neededFeatures: Set<Feature> { [.monitor] }

    func run(_ step: Step, in cell: CellExecutor) throws {
        try cell.wrap("monitor") { try cell.id(socket).monitor() }
        cell.monitorIDs[socket] = try cell.id(socket)
    }
}

struct AwaitEventStep: StepAction {
    static let name = "await_event"
    static let keys = ["socket", "event", "count", "within", "value"]
    static let summary = "Waits for `count` monitor events (`HANDSHAKE_SUCCEEDED`, `DISCONNECTED`, ...), with an optional `value`, within the bound."
    var socket: String
    var event: MonitorEvent
    var count: Int
    var withinMs: Int
    var value: Int?

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(
            socket: try scope.monitoredSocket(a), event: try a.required("event").enumValue("monitor event", MonitorEvent.self),
            count: try a.positive("count") ?? 1, withinMs: try a.within(), value: try a["value"]?.int("value"))
    }

    var neededFeatures: Set<Feature> { [.monitor] }

    func run(_ step: Step, in cell: CellExecutor) throws {
        try cell.awaitEvents(socket, count: count, within: withinMs) { $0.event == event && (value == nil || Int($0.value) == value) }
    }
}

struct NoEventStep: StepAction {
    static let name = "no_event"
    static let keys = ["socket", "event", "within"]
    static let summary = "No monitor event of that kind arrives `within` (default 200ms)."
    var socket: String
    var event: MonitorEvent
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(
            socket: try scope.monitoredSocket(a), event: try a.required("event").enumValue("monitor event", MonitorEvent.self),
            withinMs: try a.within(default: CaseLoader.defaultQuietMs))
    }

    var neededFeatures: Set<Feature> { [.monitor] }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let found = try cell.observeEvents(socket, count: 1, within: withinMs) { $0.event == event }
        if found > 0 { throw StepProblem.mismatch(expected: "no \(event.rawValue) on \(socket) within \(withinMs) ms", seen: event.rawValue) }
    }
}

struct AwaitPeersStep: StepAction {
    static let name = "await_peers"
    static let keys = ["socket", "count", "within"]
    static let summary = "Waits for `count` completed handshakes (HANDSHAKE_SUCCEEDED); inproc has none to wait for."
    var socket: String
    var count: Int
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(socket: try scope.monitoredSocket(a), count: try a.positive("count") ?? 1, withinMs: try a.within())
    }

    var neededFeatures: Set<Feature> { [.monitor] }

    func run(_ step: Step, in cell: CellExecutor) throws {
        // inproc connections are complete when connect returns: libzmq emits no handshake events for them.
        if cell.transport == .inproc { return }
        try cell.awaitEvents(socket, count: count, within: withinMs) { $0.event == .HANDSHAKE_SUCCEEDED }
    }
}
