import Foundation
import Yams

/// Known outcomes of one implementation where it is not PASS (like h2spec's exclusion lists):
/// each entry names cells by a glob on `caseId@transport`, the outcome(s) seen, and why.
/// A test compares every cell with its expectation, so a fix shows as loudly as a break.
public struct Expectations: Sendable {
    public struct Entry: Codable, Sendable {
        /// Globs on `caseId@transport`: one, or a list (`cells: ["a.*@tcp", "b@*"]`).
        public var cells: [String]
        /// One outcome, or several when the implementation is known to vary (a flaky behaviour).
        public var outcome: [Outcome]
        public var reason: String

        enum CodingKeys: String, CodingKey { case cells, outcome, reason }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            if let one = try? c.decode(String.self, forKey: .cells) {
                cells = [one]
            } else {
                cells = try c.decode([String].self, forKey: .cells)
            }
            reason = try c.decode(String.self, forKey: .reason)
            if let one = try? c.decode(Outcome.self, forKey: .outcome) {
                outcome = [one]
            } else {
                outcome = try c.decode([Outcome].self, forKey: .outcome)
            }
        }
    }

    struct File: Codable {
        var implementation: String
        var expectations: [Entry]
    }

    public let implementation: String
    public let entries: [Entry]

    public static func load(_ path: String) throws -> Expectations {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        do {
            let file = try YAMLDecoder().decode(File.self, from: text)
            return Expectations(implementation: file.implementation, entries: file.expectations)
        } catch {
            throw CaseFileError(file: path, line: 0, message: "bad expectations file: \(error)")
        }
    }

    /// The first entry whose glob matches the cell, if any.
    public func entry(for cell: CellResult) -> Entry? {
        entries.first { $0.cells.contains { fnmatch($0, cell.key, 0) == 0 } }
    }

    /// What the cell should be: the entry's outcomes, or PASS.
    public func expected(for cell: CellResult) -> [Outcome] {
        entry(for: cell)?.outcome ?? [.PASS]
    }

    /// The cells whose outcome is not what this file expects (an unexpected PASS included),
    /// each with what was expected.
    public func differences(_ cells: [CellResult]) -> [(cell: CellResult, expected: [Outcome])] {
        cells.compactMap { c in
            let want = expected(for: c)
            return want.contains(c.outcome) ? nil : (c, want)
        }
    }
}
