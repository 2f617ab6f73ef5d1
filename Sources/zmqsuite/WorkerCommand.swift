import ArgumentParser
import Foundation
import Harness

/// The child process of the worker pool: runs the cells it is sent, one JSON line each way.
struct Worker: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run cells sent on stdin (internal: the conformance runner's crash-isolated worker).",
        shouldDisplay: false)

    func run() throws {
        var runners: [String: ConformanceRunner] = [:]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        while let line = readLine() {
            let request: WorkerRequest
            let definition: CaseDefinition
            do {
                request = try JSONDecoder().decode(WorkerRequest.self, from: Data(line.utf8))
                definition = try request.definition()
            } catch {
                FileHandle.standardError.write(Data("worker: bad request (\(error)): \(line.prefix(200))\n".utf8))
                throw ExitCode(2)
            }
            guard let make = WorkerRequest.inProcessDrivers[request.driver] else {
                FileHandle.standardError.write(Data("worker: no in-process implementation '\(request.driver)'\n".utf8))
                throw ExitCode(2)
            }
            let runner = runners[request.driver] ?? ConformanceRunner(driver: make(), jobs: 1)
            runners[request.driver] = runner
            var cell = Cell(definition: definition, transport: request.transport)
            cell.trace = request.trace ?? false
            let result = runner.runCell(cell)
            FileHandle.standardOutput.write(try encoder.encode(result) + Data("\n".utf8))
        }
    }
}
