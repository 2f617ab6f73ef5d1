/// libzmq's draft API on the draft socket types: groups (RADIO, DISH), routing ids (SERVER,
/// PEER) and zmq_connect_peer. Cases that use them name the draft symbols they need.
enum DraftSteps {
    static let all: [any StepAction.Type] = [
        DraftJoinStep.self, DraftLeaveStep.self, DraftSendStep.self, DraftRecvStep.self, DraftConnectPeerStep.self, AwaitJoinStep.self,
    ]
}

/// `draft_join` and `draft_leave`: a socket and a group.
protocol GroupMembershipStep: StepAction {
    var socket: String { get }
    var group: String { get }
    init(socket: String, group: String)
    static func change(_ s: SocketRef, _ group: String) throws
}

extension GroupMembershipStep {
    static var keys: [String] { ["socket", "group"] }

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(socket: try scope.socket(a), group: try a.string("group"))
    }

    var neededFeatures: Set<Feature> { [.draftAPI] }

    func run(_ step: Step, in cell: CellExecutor) throws {
        try cell.expectOutcome(step, "\(Self.name) \(group)") { try Self.change(try cell.id(socket), group) }
    }
}

struct DraftJoinStep: GroupMembershipStep {
    static let name = "draft_join"
    static let summary = "A DISH joins a group (zmq_join)."
    var socket: String
    var group: String
    static func change(_ s: SocketRef, _ group: String) throws { try s.join(group) }
}

struct DraftLeaveStep: GroupMembershipStep {
    static let name = "draft_leave"
    static let summary = "A DISH leaves a group (zmq_leave)."
    var socket: String
    var group: String
    static func change(_ s: SocketRef, _ group: String) throws { try s.leave(group) }
}

struct DraftSendStep: StepAction {
    static let name = "draft_send"
    static let keys = ["socket", "frame", "group", "routing_id", "dontwait", "within"]
    static let summary =
        "Sends one frame with a `group` (RADIO) or to a captured `routing_id` (SERVER, PEER) set on the message."
    var socket: String
    var frame: FrameSpec
    var group: String?
    var routingId: String?
    var dontWait: Bool
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let frame = try a.required("frame")
        return Self(
            socket: try scope.socket(a), frame: try scope.frame(frame),
            group: try a["group"]?.string("group"), routingId: try scope.routingId(a), dontWait: try a.bool("dontwait"),
            withinMs: try a.within())
    }

    var neededFeatures: Set<Feature> { [.draftAPI] }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let bytes = try cell.frames([frame], counter: 0)[0]
        let id = try routingId.map { name -> UInt32 in
            guard let v = cell.routingIds[name] else { throw StepProblem.error("routing id '\(name)' was never captured") }
            return v
        }
        try cell.expectOutcome(step, Self.name, blocking: !dontWait) {
            try cell.id(socket).sendDraft(bytes, routingId: id, group: group, dontWait: dontWait, timeoutMs: withinMs)
        }
    }
}

struct DraftRecvStep: StepAction {
    static let name = "draft_recv"
    static let keys = ["socket", "expect", "group", "routing_id", "capture_routing_id", "within"]
    static let summary =
        "Receives one frame within the bound and checks it (`expect`), its `group`, and its `routing_id` (a captured one), or keeps the routing id under `capture_routing_id`."
    var socket: String
    var expect: FrameMatcher?
    var group: String?
    var routingId: String?
    var capture: String?
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let expect = try a["expect"].map { try scope.matcher($0) }
        let routingId = try scope.routingId(a)
        let capture = try a["capture_routing_id"]?.string("capture_routing_id")
        if let capture { scope.routingIds.insert(capture) }
        return Self(
            socket: try scope.socket(a), expect: expect, group: try a["group"]?.string("group"), routingId: routingId,
            capture: capture, withinMs: try a.within())
    }

    var neededFeatures: Set<Feature> { [.draftAPI] }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let what = "\(Self.name) on \(socket)"
        guard let m = try cell.receiving(step, what, want: "a message", withinMs: withinMs, { try cell.id(socket).receiveDraft(timeoutMs: withinMs) })
        else { return }
        if let expect, !cell.matches([expect], [m.frame], counter: 0) {
            throw StepProblem.mismatch(expected: "\(what): \(cell.describe([expect], counter: 0))", seen: describeFrames([m.frame]))
        }
        if let group, m.group != group {
            throw StepProblem.mismatch(expected: "\(what): group \"\(group)\"", seen: "group \"\(m.group)\"")
        }
        if let routingId, let want = cell.routingIds[routingId], m.routingId != want {
            throw StepProblem.mismatch(expected: "\(what): routing id \(routingId) = \(want)", seen: "\(m.routingId)")
        }
        if let capture {
            guard m.routingId != 0 else { throw StepProblem.mismatch(expected: "\(what): a routing id on the message", seen: "0 (none)") }
            cell.routingIds[capture] = m.routingId
        }
    }
}

struct DraftConnectPeerStep: StepAction {
    static let name = "draft_connect_peer"
    static let keys = ["socket", "to", "endpoint", "as"]
    static let summary = "A PEER connects with zmq_connect_peer and keeps the new peer's routing id under `as`."
    var socket: String
    var to: EndpointRef
    var alias: String

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let alias = try a.string("as")
        scope.routingIds.insert(alias)
        return Self(socket: try scope.socket(a), to: try scope.endpointRef(a), alias: alias)
    }

    var neededFeatures: Set<Feature> { [.draftAPI] }
    var pinsEndpoint: Bool { to.literal != nil }

    func run(_ step: Step, in cell: CellExecutor) throws {
        try cell.prepare(socket)
        let ep = try cell.endpoint(to)
        var id: UInt32 = 0
        try cell.expectOutcome(step, "\(Self.name) \(ep)") { id = try cell.id(socket).connectPeer(ep) }
        cell.routingIds[alias] = id
    }
}

/// The JOIN travels to the RADIO on its own: probes in the group until every DISH has one,
/// then an end marker, and each DISH drained up to it (await_subscription's way, for groups).
struct AwaitJoinStep: StepAction {
    static let name = "await_join"
    static let keys = ["radio", "dishes", "group", "within"]
    static let summary =
        "Sends probes in a group from a RADIO until every DISH receives one (its join reached the RADIO), then drains them: a sync made of messages."
    var radio: String
    var dishes: [String]
    var group: String
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(
            radio: try scope.existingSocket(a.required("radio")),
            dishes: try a.required("dishes").listOrOne("dishes").map { try scope.existingSocket($0) }, group: try a.string("group"),
            withinMs: try a.within())
    }

    var neededFeatures: Set<Feature> { [.draftAPI] }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let r = try cell.id(radio)
        let ds = try dishes.map { try cell.id($0) }
        try cell.awaitProbes(
            change: "the join of \(group)", kind: "join", sender: radio, receivers: dishes, prefix: [], within: withinMs,
            send: { try? r.sendDraft($0, routingId: nil, group: group, dontWait: true, timeoutMs: 0) },
            receive: { i, ms in (try? ds[i].receiveDraft(timeoutMs: ms)).map { [$0.frame] } })
    }
}
