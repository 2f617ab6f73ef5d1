import Foundation
import Harness
import Testing

/// pyomq (agents/pyomq), an implementation added from PROTOCOL.md alone: every cell has the
/// outcome cases/expectations/pyomq.yaml records, and no cell is ERROR because of the protocol.
@Suite("pyomq through its agent")
struct PyomqTests {
    @Test("the catalogue on pyomq has its expected outcomes")
    func catalogueOnPyomq() throws {
        let results = try catalogueMatchesExpectations("pyomq")
        let protocolErrors = results.filter { $0.outcome == .ERROR && $0.detail.contains("protocol error") }
        #expect(protocolErrors.isEmpty, "\(protocolErrors.map { "\($0.key): \($0.detail)" })")
    }
}
