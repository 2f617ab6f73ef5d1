import Foundation
import Testing

@testable import Gate
@testable import Harness
@testable import PerfTools

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The rules of the JUnit XSD that Jenkins and most CI readers use (junit-4.xsd of Jenkins'
/// dtkit, as JUnit 5's own tests keep it): which attributes each element may carry, which
/// children it may hold and in what order, and which elements hold text only.
enum JenkinsJUnitRules {
    static let attributes: [String: Set<String>] = [
        "testsuites": ["name", "time", "tests", "failures", "disabled", "errors"],
        "testsuite": ["name", "tests", "failures", "errors", "time", "disabled", "skipped", "timestamp", "hostname", "id", "package"],
        "properties": [],
        "property": ["name", "value"],
        "testcase": ["name", "assertions", "time", "classname", "status"],
        "failure": ["type", "message"],
        "error": ["type", "message"],
        "skipped": [],
        "system-out": [],
        "system-err": [],
    ]
    static let required: [String: Set<String>] = ["testsuite": ["name", "tests"], "property": ["name", "value"], "testcase": ["name"]]
    /// Children in their required order (each element may repeat or be absent here).
    static let children: [String: [String]] = [
        "testsuites": ["testsuite"],
        "testsuite": ["properties", "testcase", "system-out", "system-err"],
        "properties": ["property"],
        "testcase": ["skipped", "error", "failure", "system-out", "system-err"],
    ]

    /// Every breach of the rules in `document`, as "element: problem".
    static func violations(_ document: String) throws -> [String] {
        let doc = try XMLDocument(xmlString: document, options: [])
        guard let root = doc.rootElement() else { return ["no root element"] }
        var found: [String] = []
        func visit(_ e: XMLElement) {
            let name = e.name ?? "?"
            guard let allowed = attributes[name] else {
                found.append("\(name): not an element of the schema")
                return
            }
            let present = Set((e.attributes ?? []).compactMap(\.name))
            for a in present.subtracting(allowed) { found.append("\(name)@\(a): attribute not allowed") }
            for a in (required[name] ?? []).subtracting(present) { found.append("\(name)@\(a): required attribute missing") }
            let kids = (e.children ?? []).compactMap { $0 as? XMLElement }
            if let order = children[name] {
                let ranks = kids.map { order.firstIndex(of: $0.name ?? "") ?? -1 }
                if ranks.contains(-1) { found.append("\(name): a child not allowed here") }
                if ranks != ranks.sorted() { found.append("\(name): children out of the schema's order") }
            } else if !kids.isEmpty {
                found.append("\(name): holds elements, the schema allows text only")
            }
            kids.forEach(visit)
        }
        visit(root)
        return found
    }
}

@Suite("JUnit reports follow the common JUnit XSD")
struct JUnitSchemaTests {
    @Test func conformanceReportWithEveryOutcome() throws {
        let env = RunEnvironment.capture(implementations: [], start: Date(timeIntervalSince1970: 0))
        let cells = Outcome.allCases.enumerated().map { i, outcome in
            CellResult(
                caseId: "area.case\(i)", title: "t", spec: "RFC 28 <static_cast<int>>", level: .MUST, area: "area", transport: "tcp", socketTypes: [],
                implementations: ["libzmq 4.3.4"], outcome: outcome, durationSeconds: 0.1, detail: "detail & \"quotes\"", failure: nil, observations: [],
                file: "f.yaml", line: 1)
        }
        let xml = JUnitReport.render(RunRecord(kind: "conformance", environment: env, cells: cells, planned: cells.count, interrupted: false))
        #expect(try JenkinsJUnitRules.violations(xml) == [])
        #expect(xml.contains("<skipped>"), "UNSUPPORTED is a skipped test")
    }

    @Test func gateReport() throws {
        var policy = GatePolicy()
        policy.failBlind = true
        let report = Gatekeeper.decide(baseline: record(), current: record(cells: [("reqrep.req.lockstep", .FAIL)]), policy: policy)
        #expect(try JenkinsJUnitRules.violations(GateOutput.junit(report)) == [])
    }

    @Test func theRulesCatchWhatTheyShould() throws {
        let bad =
            "<testsuites skipped=\"1\"><testsuite name=\"a\" tests=\"1\"><testcase name=\"x\"><failure/><skipped message=\"m\"/></testcase></testsuite></testsuites>"
        let found = try JenkinsJUnitRules.violations(bad)
        #expect(found.contains("testsuites@skipped: attribute not allowed"))
        #expect(found.contains("skipped@message: attribute not allowed"))
        #expect(found.contains("testcase: children out of the schema's order"))
    }
}
