import Foundation
import Harness

/// The package root, found from this file's path, so tests read the real catalogue.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let catalogueDirectory = packageRoot.appendingPathComponent("cases").path

/// One in-process driver for all tests: capability probing is done once.
let sharedDriver = LibzmqDriver()

/// Loads inline YAML as cases and runs them on threads (no worker processes).
func runInline(_ yaml: String, transports: Set<Transport>? = nil) throws -> [CellResult] {
    let cases = try CaseLoader.load(yaml: yaml, file: "inline.yaml")
    let runner = ConformanceRunner(driver: sharedDriver, jobs: 4)
    return runner.run(runner.plan(cases, transports: transports))
}

/// The error a bad case file gives.
func loadError(_ yaml: String) -> CaseFileError? {
    do {
        _ = try CaseLoader.load(yaml: yaml, file: "bad.yaml")
        return nil
    } catch let e as CaseFileError {
        return e
    } catch {
        return nil
    }
}
