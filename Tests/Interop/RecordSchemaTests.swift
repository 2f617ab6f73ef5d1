import Foundation
import Harness
import Testing

/// Every kind of record zmqsuite writes, made by the real commands, is valid against its JSON
/// Schema in schemas/ (checked with Python's jsonschema, which scripts/setup installs in .venv).
@Suite("Records match their JSON Schemas")
struct RecordSchemaTests {
    func validate(_ schema: String, _ records: [String]) {
        let r = ChildProcess.run(root.path + "/.venv/bin/python", [root.path + "/tools/validate-records.py", schema] + records, boundMs: 60000)
        #expect(r.status == 0, "\(r.output)")
    }

    @Test func conformanceInteropPerfAndGateRecords() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("zmqsuite-schemas-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let registryFile = root.path + "/agents/registry.yaml"
        let conformance = zmqsuite(["conformance", "--filter", "reqrep.req.*", "--registry", registryFile, "--out", out + "/conformance"])
        #expect(conformance.status == 0 || conformance.status == 1, "\(conformance.output.suffix(400))")
        let interop = zmqsuite(["interop", "--filter", "reqrep.req.*", "--impl", "libzmq", "--impl", "pyzmq", "--registry", registryFile, "--out", out + "/interop"])
        #expect(interop.status == 0 || interop.status == 1, "\(interop.output.suffix(400))")
        validate("report", [out + "/conformance/report.json", out + "/interop/report.json"])

        let perf = zmqsuite(["perf", "latency", "--transport", "inproc", "--trials", "2", "--count", "500", "--out", out + "/perf"])
        #expect(perf.status == 0, "\(perf.output.suffix(400))")
        validate("perf", [out + "/perf/perf.json"])

        // The stored baseline against itself: a gate report without measuring anything.
        let baseline = root.path + "/results/baselines/debian12-2core-quick.json"
        let gate = zmqsuite(["gate", "--baseline", baseline, "--current", baseline, "--out", out + "/gate"])
        #expect(gate.status == 0, "\(gate.output.suffix(400))")
        // A/B in its smallest form: its verdict does not matter here, its records do.
        let ab = zmqsuite([
            "gate", "--a", "libzmq", "--b", "zmq-agent", "--pairs", "7", "--blocks", "7", "--trial-seconds", "0.02", "--registry", registryFile, "--out", out + "/ab",
        ])
        #expect(ab.status == 0 || ab.status == 1, "\(ab.output.suffix(400))")
        validate("gate", [out + "/gate/gate.json", out + "/ab/gate.json"])
    }
}
