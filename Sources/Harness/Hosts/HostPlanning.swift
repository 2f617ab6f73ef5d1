import Foundation

extension ConformanceRunner {
    /// How many hosts the cells need (0: none). With `acrossHosts`, splittable tcp and ws
    /// cells need two.
    public static func hostsNeeded(_ cells: [Cell], acrossHosts: Bool) -> Int {
        var n = 0
        for c in cells {
            if c.needsHosts { n = max(n, max(1, c.definition.hosts.count)) }
            if acrossHosts && crossesHosts(c) { n = max(n, 2) }
        }
        return n
    }

    /// Unicast cells that can run with their binders on one host and the rest on another:
    /// tcp or ws, split between binders and connectors, every endpoint allocated by the runner
    /// (a literal or reserved endpoint names loopback).
    static func crossesHosts(_ c: Cell) -> Bool {
        guard (c.transport == .tcp || c.transport == .ws), c.definition.hosts.isEmpty, c.definition.splittable else { return false }
        return !c.definition.pinsEndpoints
    }

    /// Puts the cells that need hosts on the rig, or blocks them with the reason there is none;
    /// with `acrossHosts` the unicast cells that can cross hosts go across two.
    public static func place(_ cells: [Cell], on rig: HostRig?, unavailable: String?, acrossHosts: Bool) -> [Cell] {
        cells.map { cell in
            var c = cell
            if c.needsHosts {
                if let rig, let placement = rig.placement(of: c.definition) {
                    c.mode = .hosts(placement, acrossHosts: false)
                } else {
                    c.blocked = "needs \(max(1, c.definition.hosts.count)) host(s): \(unavailable ?? "not enough hosts were made")"
                }
            } else if acrossHosts && crossesHosts(c) {
                if let rig, let placement = rig.split(c.definition) {
                    c.mode = .hosts(placement, acrossHosts: true)
                } else {
                    c.blocked = "--across-hosts: \(unavailable ?? "no hosts")"
                }
            }
            return c
        }
    }

    /// Makes the hosts the cells need (or says why it cannot), with `agent` (the implementation's
    /// agent command) started in each, and places the cells on them; `log` hears which.
    public static func placeOnHosts(
        _ cells: [Cell], acrossHosts: Bool, implementation: String, agent: [String]?,
        log: (String) -> Void
    ) -> (cells: [Cell], rig: HostRig?) {
        let needed = hostsNeeded(cells, acrossHosts: acrossHosts)
        guard needed > 0 else { return (cells, nil) }
        var rig: HostRig?
        var why: String?
        if let agent {
            do { rig = try HostRig(hostCount: max(needed, 3), implementation: implementation, agent: agent) } catch { why = "\(error)" }
        } else {
            why = "\(implementation) has no agent to start inside a host"
        }
        log(rig.map { "hosts: \($0.network.description)" } ?? "hosts: none (\(why ?? "")); cells that need them are UNSUPPORTED")
        return (place(cells, on: rig, unavailable: why, acrossHosts: acrossHosts), rig)
    }
}
