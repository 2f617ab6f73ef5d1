import ArgumentParser
import Foundation
import Harness

/// The child process of the worker pool: runs the cells it is sent, one JSON line each way.
struct Worker: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run cells sent on stdin (internal: the conformance runner's crash-isolated worker).",
        shouldDisplay: false)

    @Option(name: .long, help: "Directory of case files.")
    var cases: String = "cases"

    struct Request: Decodable { var caseId: String; var transport: Transport }

    func run() throws {
        let catalogue = Dictionary(uniqueKeysWithValues: try CaseLoader.loadDirectory(cases).map { ($0.id, $0) })
        let runner = ConformanceRunner(driver: LibzmqDriver(), jobs: 1)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        while let line = readLine() {
            guard let request = try? JSONDecoder().decode(Request.self, from: Data(line.utf8)),
                  let definition = catalogue[request.caseId] else {
                FileHandle.standardError.write(Data("worker: bad request: \(line)\n".utf8))
                throw ExitCode(2)
            }
            let result = runner.runCell(Cell(definition: definition, transport: request.transport))
            FileHandle.standardOutput.write(try encoder.encode(result) + Data("\n".utf8))
        }
    }
}
