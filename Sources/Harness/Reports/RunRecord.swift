import Foundation

/// The JSON record of one run (schema-versioned; README, "Reading the reports").
public struct RunRecord: Codable, Sendable {
    public static let currentSchema = 1
    public var schemaVersion: Int = RunRecord.currentSchema
    public var kind: String
    public var environment: RunEnvironment
    public var summary: RunSummary
    public var cells: [CellResult]

    public init(kind: String, environment: RunEnvironment, cells: [CellResult], planned: Int, interrupted: Bool) {
        self.kind = kind
        self.environment = environment
        self.cells = cells
        summary = RunSummary(cells: cells, planned: planned, interrupted: interrupted)
    }
}

public struct RunSummary: Codable, Sendable {
    public var planned: Int
    public var finished: Int
    public var interrupted: Bool
    public var outcomes: [String: Int]
    /// MUST cells that did not pass (FAIL or ERROR): what makes the exit code 1.
    public var mustNotPassed: Int
    /// Passed/run per implementation (or pair) in each dimension: protocol and API apart.
    public var scores: [DimensionScore]?

    public init(cells: [CellResult], planned: Int, interrupted: Bool) {
        self.planned = planned
        finished = cells.count
        self.interrupted = interrupted
        var counts: [String: Int] = [:]
        for o in Outcome.allCases { counts[o.rawValue] = 0 }
        for c in cells { counts[c.outcome.rawValue, default: 0] += 1 }
        outcomes = counts
        mustNotPassed = cells.filter { $0.level == .MUST && ($0.outcome == .FAIL || $0.outcome == .ERROR) }.count
        scores = DimensionScore.scores(cells)
    }

    /// The scores as a Markdown table: one row per implementation or pair.
    public var scoresTable: String {
        guard let scores, !scores.isEmpty else { return "" }
        var out = "| implementation | " + Dimension.allCases.map(\.title).joined(separator: " | ") + " |\n|---|"
        out += Dimension.allCases.map { _ in "---:" }.joined(separator: "|") + "|\n"
        var columns: [String] = []
        for s in scores where !columns.contains(s.column) { columns.append(s.column) }
        for col in columns {
            out += "| \(col) | " + Dimension.allCases.map { d in scores.first { $0.column == col && $0.dimension == d }?.text ?? "" }.joined(separator: " | ") + " |\n"
        }
        return out
    }
}

public struct RunEnvironment: Codable, Sendable {
    public var implementations: [ImplementationInfo]
    public var os: String
    public var kernel: String
    public var cpu: String
    public var cores: Int
    public var gitRevision: String
    public var suiteVersion: String
    public var command: [String]
    public var startTime: Date
    public var endTime: Date

    public static let suiteVersion = "0.1.0"

    public static func capture(implementations: [ImplementationInfo], start: Date) -> RunEnvironment {
        RunEnvironment(
            implementations: implementations, os: osName(), kernel: kernel(), cpu: cpuModel(),
            cores: ProcessInfo.processInfo.activeProcessorCount, gitRevision: gitRevision(),
            suiteVersion: suiteVersion, command: CommandLine.arguments, startTime: start, endTime: start)
    }

    private static func osName() -> String {
        guard let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return line.dropFirst(12).trimmingCharacters(in: ["\""])
        }
        return "unknown"
    }

    private static func kernel() -> String {
        (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?.trimmingCharacters(in: ["\n"]) ?? "unknown"
    }

    private static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { String($0).trimmingCharacters(in: [" "]) } ?? "unknown"
        }
        return "unknown"
    }

    /// The suite's own revision: `git rev-parse HEAD` in the working directory, "+dirty" when modified.
    private static func gitRevision() -> String {
        func git(_ args: [String]) -> String? {
            ChildProcess.output(of: "/usr/bin/git", args)?.trimmingCharacters(in: ["\n"])
        }
        guard let rev = git(["rev-parse", "HEAD"]) else { return "unknown" }
        let dirty = !(git(["status", "--porcelain", "--untracked-files=no"]) ?? "").isEmpty
        return rev + (dirty ? "+dirty" : "")
    }
}
