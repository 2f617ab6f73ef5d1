import Foundation

/// Where a cell's sockets live when it runs on hosts: one driver per host used, each
/// socket's host by index, and the hosts themselves for the report.
public struct HostPlacement: @unchecked Sendable {
    public var drivers: [Driver]
    public var hosts: [NamespaceHost]
    public var assignment: [String: Int]

    /// "a=zsh123-a eth0 10.213.0.2, b=..." for the cell's record.
    public var description: String {
        "hosts " + hosts.map(\.description).joined(separator: ", ")
    }
}

/// Hosts with an implementation running in each: a HostNetwork and, per host, an agent
/// started inside its namespace with `ip netns exec`.
public final class HostRig: @unchecked Sendable {
    public let network: HostNetwork
    public let drivers: [AgentDriver]

    /// `agent` is the agent's command (zmq-agent for libzmq); it runs once per host.
    public init(hostCount: Int, implementation: String, agent: [String]) throws {
        let network = try HostNetwork(count: hostCount)
        var drivers: [AgentDriver] = []
        do {
            for host in network.hosts {
                drivers.append(try AgentDriver(name: "\(implementation)@\(host.label)", command: network.command(on: host, agent)))
            }
        } catch {
            for d in drivers { d.shutdown() }
            network.remove()
            throw error
        }
        self.network = network
        self.drivers = drivers
    }

    /// Stops the agents, then removes the namespaces.
    public func shutdown() {
        for d in drivers { d.shutdown() }
        network.remove()
    }

    /// Multicast and other hosted cases: each socket on the host its case names.
    public func placement(of c: CaseDefinition) -> HostPlacement? {
        let labels = c.hosts.isEmpty ? ["a"] : c.hosts
        let indices = labels.compactMap { l in network.hosts.firstIndex { $0.label == l } }
        guard indices.count == labels.count else { return nil }
        let hostOf = c.socketHosts
        return HostPlacement(
            drivers: indices.map { drivers[$0] }, hosts: indices.map { network.hosts[$0] },
            assignment: hostOf.mapValues { labels.firstIndex(of: $0) ?? 0 })
    }

    /// Cross-host unicast: sockets that bind on host a, the others on host b.
    public func split(_ c: CaseDefinition) -> HostPlacement? {
        guard drivers.count >= 2 else { return nil }
        return HostPlacement(
            drivers: Array(drivers[0..<2]), hosts: Array(network.hosts[0..<2]),
            assignment: Dictionary(uniqueKeysWithValues: c.socketNames.map { ($0, c.binders.contains($0) ? 0 : 1) }))
    }
}

/// Shared use of the hosts by cells, or sole use by a cell that partitions one. Not owned by a
/// thread: the runner releases it for a cell whose thread it had to abandon.
final class HostUseLock: @unchecked Sendable {
    private let changed = NSCondition()
    private var sharers = 0
    private var sole = false

    func acquire(exclusive: Bool) {
        changed.lock()
        defer { changed.unlock() }
        while sole || (exclusive && sharers > 0) { changed.wait() }
        if exclusive { sole = true } else { sharers += 1 }
    }

    func release(exclusive: Bool) {
        changed.lock()
        if exclusive { sole = false } else { sharers -= 1 }
        changed.broadcast()
        changed.unlock()
    }
}

let hostUse = HostUseLock()
