import Foundation
import Harness
import Testing

/// `--shard K/N` splits a plan stably, and `zmqsuite merge` joins the shard records into the
/// record one unsharded run gives (the same cells, the same outcomes).
@Suite("Shards and merge")
struct ShardTests {
    @Test func shardsCoverEveryCellOnce() throws {
        let cases = try CaseLoader.loadDirectory(root.appendingPathComponent("cases").path)
        let cells = ConformanceRunner(driver: LibzmqDriver(), jobs: 1).plan(cases)
        let shards = (1...3).map { k in cells.filter(Shard("\(k)/3")!.contains).map(\.shardKey) }
        #expect(shards.map(\.count).reduce(0, +) == cells.count)
        #expect(Set(shards.flatMap { $0 }).count == cells.count, "no cell in two shards")
        #expect(shards.allSatisfy { Double($0.count) > Double(cells.count) / 3 * 0.8 }, "shares near a third: \(shards.map(\.count))")
        #expect(Shard("0/3") == nil && Shard("4/3") == nil && Shard("2") == nil)
    }

    @Test func threeShardsMergedAreOneRun() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("zmqsuite-shards-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let base = ["interop", "--filter", "reqrep.req.*", "--impl", "libzmq", "--impl", "pyzmq", "--registry", root.path + "/agents/registry.yaml"]
        #expect([0, 1].contains(zmqsuite(base + ["--out", out + "/whole"]).status))
        for k in 1...3 { #expect([0, 1].contains(zmqsuite(base + ["--shard", "\(k)/3", "--out", out + "/shard\(k)"]).status)) }
        #expect([0, 1].contains(zmqsuite(["merge"] + (1...3).map { out + "/shard\($0)/report.json" } + ["--out", out + "/merged"]).status))
        let whole = try ReportWriter.read(out + "/whole/report.json"), merged = try ReportWriter.read(out + "/merged/report.json")
        let outcomes = { (r: RunRecord) in Dictionary(r.cells.map { ("\($0.key)#\($0.column)", $0.outcome) }, uniquingKeysWith: { a, _ in a }) }
        #expect(outcomes(merged) == outcomes(whole))
        #expect(merged.summary.planned == whole.summary.planned)
        #expect(zmqsuite(["merge", out + "/shard1/report.json", out + "/shard1/report.json", "--out", out + "/twice"]).status == 2, "a cell in two records is refused")
    }
}
