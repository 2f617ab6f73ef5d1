import Foundation
import Harness
import Testing

/// zmq-agent, built beside the test runner by `swift build --build-tests`.
let agentPath = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("zmq-agent").path

/// The multicast cases on real hosts (network namespaces), as CI runs them: it runs as root.
/// Without root the suite is skipped, and says so; the catalogue test leaves these cells out.
@Suite(
    "Multicast and cross-host cells on network namespaces", .serialized,
    .enabled(if: HostNetwork.unavailableReason() == nil, "needs root and iproute2 to make network namespaces"))
struct MulticastTests {
    @Test("pgm, epgm and norm cells match the expectations, on hosts the run removes afterwards")
    func multicastCatalogue() throws {
        let cases = try CaseLoader.loadDirectory(catalogueDirectory).filter { $0.id.hasPrefix("multicast.") }
        #expect(cases.count >= 10)
        let expectations = try Expectations.load(catalogueDirectory + "/expectations/libzmq.yaml")
        let rig = try HostRig(hostCount: 3, implementation: "libzmq", agent: [agentPath])
        let runner = ConformanceRunner(driver: sharedDriver, jobs: 4)
        let cells = ConformanceRunner.place(runner.plan(cases), on: rig, unavailable: nil, acrossHosts: false)
        let results = runner.run(cells)
        let namespaces = rig.network.hosts.map(\.namespace)
        rig.shutdown()

        #expect(results.count == cells.count)
        #expect(Set(results.map(\.transport)) == ["pgm", "epgm", "norm"])
        for r in results {
            let expected = expectations.expected(for: r)
            #expect(expected.contains(r.outcome), "\(r.key): expected \(expected.map(\.rawValue).joined(separator: " or ")), got \(r.outcome.rawValue): \(r.detail)")
            #expect(r.observations.contains { $0.hasPrefix("hosts a=") }, "\(r.key) names its hosts")
        }
        // Nothing the run made is left.
        let left = HostNetwork.existing().map(\.name)
        #expect(left.allSatisfy { !namespaces.contains($0) }, "left behind: \(left)")
    }

    @Test("tcp cells with their peers on two hosts pass over a real interface")
    func acrossHosts() throws {
        let ids: Set = ["reqrep.req.lockstep", "pubsub.sub.prefix-filter", "pipeline.push.round-robin", "pair.exchange"]
        let cases = try CaseLoader.loadDirectory(catalogueDirectory).filter { ids.contains($0.id) }
        let rig = try HostRig(hostCount: 2, implementation: "libzmq", agent: [agentPath])
        defer { rig.shutdown() }
        let runner = ConformanceRunner(driver: sharedDriver, jobs: 4)
        let cells = ConformanceRunner.place(runner.plan(cases, transports: [.tcp]), on: rig, unavailable: nil, acrossHosts: true)
        #expect(cells.allSatisfy { $0.placement != nil }, "every chosen tcp case can cross hosts")
        for r in runner.run(cells) {
            #expect(r.outcome == .PASS, "\(r.key): \(r.outcome.rawValue) \(r.detail)")
            #expect(r.detail.contains("10.213.0.2"), "\(r.key) names the hosts: \(r.detail)")
        }
    }
}
