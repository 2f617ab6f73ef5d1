import Foundation

/// Writes a run's reports into one directory: report.json, junit.xml, summary.md and
/// report.html, each atomically; and cells.jsonl, a journal appended as each cell finishes,
/// so even a killed run leaves what it finished.
public final class ReportWriter: @unchecked Sendable {
    public let directory: String
    private let journal: FileHandle?

    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/cells.jsonl"
        FileManager.default.createFile(atPath: path, contents: nil)
        journal = FileHandle(forWritingAtPath: path)
    }

    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        return e
    }

    /// Appends one finished cell to the journal (one JSON object a line).
    public func journal(_ cell: CellResult) {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? e.encode(cell) else { return }
        journal?.write(data + Data("\n".utf8))
    }

    @discardableResult
    public func write(_ record: RunRecord) throws -> [String] {
        let files: [(String, Data)] = [
            ("report.json", try Self.encoder().encode(record)),
            ("junit.xml", Data(JUnitReport.render(record).utf8)),
            ("summary.md", Data(MarkdownReport.render(record).utf8)),
            ("report.html", Data(HTMLReport.render(record).utf8)),
        ]
        for (name, data) in files { try writeAtomically(data, to: directory + "/" + name) }
        return files.map { directory + "/" + $0.0 }
    }

    /// Reads a JSON record back (for comparisons and gates).
    public static func read(_ path: String) throws -> RunRecord {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return try d.decode(RunRecord.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
