import Foundation

/// The clause a case checks: which document, which section, the requirement in words, and
/// whether the document is a protocol RFC or a libzmq man page.
///
/// A case writes it as a mapping (`spec: {doc: "RFC 28", section: "2.2", text: "..."}`) or as
/// one line in the catalogue's usual form, parsed here:
/// `RFC 28 (REQREP) 2.2, REQ: text` or `zmq_setsockopt ZMQ_LINGER: text`.
public struct SpecKey: Codable, Sendable, Hashable {
    public enum Source: String, Codable, Sendable {
        /// A ZeroMQ RFC: protocol conformance.
        case rfc
        /// A libzmq man page: API compatibility.
        case manual
    }

    /// "RFC 28", "zmq_setsockopt(3)".
    public var doc: String
    /// "2.2", "ZMQ_LINGER"; empty when the source names none.
    public var section: String
    /// The requirement sentence, in the case's words.
    public var text: String
    public var source: Source

    /// The document and section, e.g. "RFC 28 2.2" or "zmq_setsockopt(3) ZMQ_LINGER".
    public var clause: String { section.isEmpty ? doc : "\(doc) \(section)" }

    public init(doc: String, section: String, text: String) throws {
        guard let source = Self.source(of: doc) else {
            throw SpecKeyProblem(message: "unknown document '\(doc)': expected 'RFC N' or a libzmq man page such as 'zmq_setsockopt(3)'")
        }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw SpecKeyProblem(message: "the requirement text is empty")
        }
        self.doc = source == .manual && !doc.hasSuffix(")") ? "\(doc)(\(Self.manSection(doc)))" : doc
        self.section = section
        self.text = text
        self.source = source
    }

    /// Transports and mechanisms are described in section 7 of libzmq's manual, calls in 3.
    private static func manSection(_ doc: String) -> Int {
        let seven = [
            "zmq_tcp", "zmq_ipc", "zmq_inproc", "zmq_pgm", "zmq_epgm", "zmq_tipc", "zmq_udp", "zmq_vmci", "zmq_norm",
            "zmq_ws", "zmq_null", "zmq_plain", "zmq_curve", "zmq_gssapi",
        ]
        return seven.contains(doc) ? 7 : 3
    }

    private static func source(of doc: String) -> Source? {
        if doc.range(of: #"^RFC [0-9]+$"#, options: .regularExpression) != nil { return .rfc }
        if doc.range(of: #"^zmq_[a-z0-9_]+(\([0-9]\))?$"#, options: .regularExpression) != nil { return .manual }
        return nil
    }

    /// Reads the one-line form. The document comes first; an RFC may carry its short name in
    /// parentheses and a numbered section; a man page may carry its option or socket name.
    public init(line: String) throws {
        let rfc = #"^(RFC [0-9]+)(?: \([^)]*\))?(?: ([0-9]+(?:\.[0-9]+)*))?[,:]? *(.*)$"#
        let manual = #"^(zmq_[a-z0-9_]+(?:\([0-9]\))?)(?: ((?:ZMQ_)?[A-Z][A-Z0-9_]*(?:=[0-9]+)?))?(?: \([^)]*\))?[,:]? *(.*)$"#
        for pattern in [rfc, manual] {
            guard let regex = try? NSRegularExpression(pattern: pattern),
                let m = regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line))
            else { continue }
            func group(_ i: Int) -> String { Range(m.range(at: i), in: line).map { String(line[$0]) } ?? "" }
            try self.init(doc: group(1), section: group(2), text: group(3).isEmpty ? line : group(3))
            return
        }
        throw SpecKeyProblem(message: "spec '\(line)' does not name its document: start with 'RFC N' or a libzmq man page (zmq_...)")
    }
}

/// Why a spec key was refused (the parser adds file and line).
public struct SpecKeyProblem: Error, Sendable {
    public let message: String
}
