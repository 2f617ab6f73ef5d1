/// A case as `zmqsuite list --json` shows it: what it checks and where it runs.
public struct CaseListing: Codable, Sendable {
    public var id: String
    public var title: String
    public var spec: SpecKey
    public var level: Level
    public var transports: [String]
    public var socketTypes: [String]
    public var steps: [String]
    public var file: String
    public var line: Int

    public init(_ c: CaseDefinition) {
        id = c.id
        title = c.title
        spec = c.specKey
        level = c.level
        transports = c.transports.map(\.rawValue)
        socketTypes = c.socketTypes.map(\.rawValue)
        steps = c.steps.map(\.name)
        file = c.file
        line = c.line
    }

    /// Clause -> cases, RFCs first (by number), then man pages; text for `list --by-spec`.
    public static func bySpec(_ cases: [CaseDefinition]) -> String {
        let groups = Dictionary(grouping: cases) { $0.specKey.doc }
        func order(_ doc: String) -> (Int, Int, String) {
            if doc.hasPrefix("RFC "), let n = Int(doc.dropFirst(4)) { return (0, n, doc) }
            return (1, 0, doc)
        }
        var out = ""
        for doc in groups.keys.sorted(by: { order($0) < order($1) }) {
            let inDoc = groups[doc]!
            let kind = inDoc[0].specKey.source == .rfc ? "protocol" : "libzmq API"
            out += "\(doc)  (\(kind), \(inDoc.count) case\(inDoc.count == 1 ? "" : "s"))\n"
            for c in inDoc.sorted(by: { ($0.specKey.section, $0.id) < ($1.specKey.section, $1.id) }) {
                let section = c.specKey.section.isEmpty ? "-" : c.specKey.section
                out += "  \(section)  \(c.id)  [\(c.level.rawValue)]  \(c.specKey.text)\n"
            }
        }
        out += "\(cases.count) cases, \(groups.count) documents\n"
        return out
    }
}
