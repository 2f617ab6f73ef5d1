/// One cell of a run: a case on a transport with an implementation assignment.
public struct CellResult: Codable, Sendable {
    public var caseId: String
    public var title: String
    public var spec: String
    /// The clause, structured (absent in records made before it existed).
    public var clause: SpecKey?
    /// The public bug report(s) the case reproduces ("libzmq #916"), when it names one.
    public var bug: String?
    /// Protocol conformance (an RFC) or libzmq API compatibility (a man page).
    public var dimension: Dimension?
    public var level: Level
    public var area: String
    public var transport: String
    public var socketTypes: [String]
    public var implementations: [String]
    /// In an interop cell, "binder>connector": which implementation bound and which connected;
    /// `across-hosts` for a cell split over two hosts.
    public var pair: String?
    public var outcome: Outcome
    public var durationSeconds: Double
    /// One line a person reads: why the cell is not PASS, or what a multi-choice step saw.
    public var detail: String
    public var failure: CellFailure?
    /// What steps that allow several behaviours actually did.
    public var observations: [String]
    /// The wire peer's decoded exchange (greetings, commands, frames, who closed), when the
    /// cell used it; absent otherwise.
    public var wire: [String]?
    public var file: String
    public var line: Int

    /// `pair` of a unicast cell split across two namespace hosts (binders on one, the rest on the other).
    public static let acrossHosts = "across-hosts"

    /// An interop cell of two implementations (binder>connector).
    public var isPair: Bool { pair.map { $0 != Self.acrossHosts } ?? false }

    /// The column of a comparison: the pair ("A>B"), or the implementation's name alone.
    public var column: String { pair ?? implementations.first.map { String($0.split(separator: " ").first ?? "") } ?? "" }

    /// The key that identifies a cell across runs (for expectations and comparisons).
    public var key: String { "\(caseId)@\(transport)" + (pair.map { "@" + $0 } ?? "") }
}
