import Foundation
import Yams

/// Loads case files (one or more YAML documents each, separated by `---`) and refuses any
/// malformed one with its file, line and problem.
public enum CaseLoader {
    public static let defaultWithinMs = 2000
    public static let defaultQuietMs = 200
    public static let defaultCaseTimeoutMs = 15000

    /// Every `.yaml` file under `directory`, sorted by path; ids must be unique.
    public static func loadDirectory(_ directory: String) throws -> [CaseDefinition] {
        let root = URL(fileURLWithPath: directory)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw CaseFileError(file: directory, line: 0, message: "cannot read the case directory")
        }
        var files: [String] = []
        for case let url as URL in walker where url.pathExtension == "yaml" || url.pathExtension == "yml" {
            // Expectation files live beside the cases but are not cases.
            if url.path.contains("/expectations/") { continue }
            files.append(url.path)
        }
        var cases: [CaseDefinition] = []
        var seen: [String: String] = [:]
        for file in files.sorted() {
            for c in try loadFile(file) {
                if let other = seen[c.id] {
                    throw CaseFileError(file: c.file, line: c.line, message: "duplicate case id '\(c.id)' (also in \(other))")
                }
                seen[c.id] = "\(c.file):\(c.line)"
                cases.append(c)
            }
        }
        return cases
    }

    public static func loadFile(_ path: String) throws -> [CaseDefinition] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw CaseFileError(file: path, line: 0, message: "cannot read: \(error.localizedDescription)")
        }
        return try load(yaml: text, file: path)
    }

    public static func load(yaml: String, file: String) throws -> [CaseDefinition] {
        var out: [CaseDefinition] = []
        do {
            // Parser.nextRoot throws on bad YAML, where compose_all's sequence would just stop.
            let parser = try Parser(yaml: yaml)
            while let node = try parser.nextRoot() {
                var parser = CaseParser(file: file)
                out.append(try parser.parseCase(YAMLReader(node: node, file: file), source: yaml))
            }
        } catch let e as YamlError {
            throw CaseFileError(file: file, line: yamlErrorLine(e), message: "not valid YAML: \(e)")
        }
        if out.isEmpty { throw CaseFileError(file: file, line: 1, message: "no case in file") }
        return out
    }

    private static func yamlErrorLine(_ e: YamlError) -> Int {
        switch e {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default: return 0
        }
    }
}
