/// How messages spread over several sockets: counts per socket or per prefix, and
/// subscriptions reaching a publisher.
enum DistributionSteps {
    static let all: [any StepAction.Type] = [CollectStep.self, AwaitSubscriptionStep.self]
}

struct CollectStep: StepAction {
    static let name = "collect"
    static let keys = ["from", "count", "within", "first", "group_by", "expect", "tolerance"]
    static let summary =
        "Receives `count` messages from several sockets (`from`) and checks the spread per socket or per body prefix (`group_by: prefix`), over all or the `first` N, within `tolerance`."
    var from: [String]
    var count: Int
    var withinMs: Int
    var first: Int?
    var groupBy: GroupBy
    var groups: [String: Int]
    var tolerance: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let from = try a.required("from").listOrOne("from").map { try scope.existingSocket($0) }
        let expect = try a.required("expect")
        guard case .mapping(let m) = expect.node else { throw expect.fail("expect must be a mapping of group to count") }
        var groups: [String: Int] = [:]
        for (k, v) in try expect.mapping("collect expect", allowed: m.compactMap { $0.key.string }) {
            groups[k] = try v.int("expected count")
        }
        let groupBy = try a["group_by"]?.enumValue("group_by", GroupBy.self) ?? .socket
        if groupBy == .socket, let bad = groups.keys.first(where: { !from.contains($0) }) {
            throw expect.fail("collect expects a count for '\(bad)', which is not in 'from'")
        }
        return Self(
            from: from, count: try a.positive("count") ?? groups.values.reduce(0, +), withinMs: try a.within(),
            first: try a.positive("first"), groupBy: groupBy, groups: groups, tolerance: try a.int("tolerance", default: 0))
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        try cell.collect(from: from, count: count, within: withinMs, first: first, groupBy: groupBy, groups: groups, tolerance: tolerance)
    }
}

struct AwaitSubscriptionStep: StepAction {
    static let name = "await_subscription"
    static let keys = ["pub", "subs", "topic", "within"]
    static let summary =
        "Publishes probes until every subscriber receives one, then drains them up to an end marker: a sync made of events, not sleeps. Anything else that arrives meanwhile is a failure."
    var pub: String
    var subs: [String]
    var topic: [UInt8]
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(
            pub: try scope.existingSocket(a.required("pub")),
            subs: try a.required("subs").listOrOne("subs").map { try scope.existingSocket($0) },
            topic: Array(try a["topic"]?.string("topic").utf8 ?? "".utf8), withinMs: try a.within())
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        try cell.awaitSubscription(pub: pub, subs: subs, topic: topic, within: withinMs)
    }
}
