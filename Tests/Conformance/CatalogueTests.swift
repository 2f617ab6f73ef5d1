import Foundation
import Harness
import Testing

/// The whole catalogue against libzmq, each cell compared with cases/expectations/libzmq.yaml.
/// Cells run in worker processes, because libzmq aborts on some draft-type cells.
@Suite("Catalogue against libzmq")
struct CatalogueTests {
    @Test("every cell has its expected outcome")
    func catalogueMatchesExpectations() throws {
        let cases = try CaseLoader.loadDirectory(catalogueDirectory)
        let expectations = try Expectations.load(catalogueDirectory + "/expectations/libzmq.yaml")
        let executable = try #require(WorkerPool.defaultExecutable(), "build the zmqsuite product first (scripts/test does)")
        let pool = WorkerPool(executable: executable)
        defer { pool.shutdown() }
        let runner = ConformanceRunner(driver: sharedDriver, jobs: 6, pool: pool)
        // Cells that need hosts (multicast) run in MulticastTests, on network namespaces.
        let cells = runner.plan(cases).filter { !$0.needsHosts }
        let results = runner.run(cells)

        #expect(results.count == cells.count, "every planned cell finished")
        #expect(cases.count >= 150, "the catalogue has at least 150 cases")
        for r in results {
            let expected = expectations.expected(for: r)
            #expect(expected.contains(r.outcome), "\(r.key): expected \(expected.map(\.rawValue).joined(separator: " or ")), got \(r.outcome.rawValue): \(r.detail)")
        }
        // Stale entries hide nothing: each must still match some cell.
        for glob in expectations.entries.flatMap(\.cells) where !glob.hasPrefix("multicast.") {
            #expect(results.contains { fnmatch(glob, $0.key, 0) == 0 }, "expectation '\(glob)' matches no cell")
        }
    }

    @Test("all 12 stable socket types run over tcp, ipc and inproc")
    func stableTypesCoverCoreTransports() throws {
        let cases = try CaseLoader.loadDirectory(catalogueDirectory)
        for type in SocketType.stable {
            for transport in [Transport.tcp, .ipc, .inproc] {
                let covered = cases.contains { $0.socketTypes.contains(type) && $0.transports.contains(transport) }
                #expect(covered, "\(type.rawValue) has no case over \(transport.rawValue)")
            }
        }
    }
}
