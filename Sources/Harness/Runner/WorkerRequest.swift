import Foundation

/// What the worker pool sends a worker process for one cell: the case itself (the YAML text
/// it was read from, its file name for messages, and its id), so any case can run isolated,
/// whatever its origin, and the in-process implementation to run it on.
public struct WorkerRequest: Codable, Sendable {
    public var caseId: String
    public var file: String
    public var yaml: String
    public var transport: Transport
    /// An in-process implementation by name (see `WorkerRequest.inProcessDrivers`).
    public var driver: String
    /// The cell runs traced (`--trace`).
    public var trace: Bool?

    public init(cell: Cell, driver: String) {
        caseId = cell.definition.id
        file = cell.definition.file
        yaml = cell.definition.source
        transport = cell.transport
        self.driver = driver
        trace = cell.trace ? true : nil
    }

    /// The implementations a worker can run in its own process.
    public static let inProcessDrivers: [String: @Sendable () -> Driver] = ["libzmq": { LibzmqDriver() }]

    /// The case the request carries, parsed again from its YAML (the same file and lines).
    public func definition() throws -> CaseDefinition {
        let cases = try CaseLoader.load(yaml: yaml, file: file)
        guard let c = cases.first(where: { $0.id == caseId }) else {
            throw CaseFileError(file: file, line: 0, message: "no case '\(caseId)' in the YAML sent to the worker")
        }
        return c
    }
}
