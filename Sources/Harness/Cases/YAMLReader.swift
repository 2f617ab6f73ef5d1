import Yams

/// A YAML node with its file, for errors that name file and line.
struct YAMLReader {
    let node: Node
    let file: String

    var line: Int { node.mark?.line ?? 0 }

    func fail(_ message: String) -> CaseFileError { CaseFileError(file: file, line: line, message: message) }

    func child(_ n: Node) -> YAMLReader { YAMLReader(node: n, file: file) }

    /// The mapping's entries in file order; refuses keys not in `allowed`.
    func mapping(_ what: String, allowed: [String]) throws -> [(key: String, value: YAMLReader)] {
        guard case .mapping(let m) = node else { throw fail("\(what) must be a mapping") }
        var out: [(String, YAMLReader)] = []
        for (k, v) in m {
            guard let key = k.string else { throw child(k).fail("\(what): keys must be strings") }
            guard allowed.contains(key) else {
                throw child(k).fail("unknown key '\(key)' in \(what); expected one of: \(allowed.joined(separator: ", "))")
            }
            if out.contains(where: { $0.0 == key }) { throw child(k).fail("duplicate key '\(key)' in \(what)") }
            out.append((key, child(v)))
        }
        return out
    }

    /// A mapping of names to strings, in file order (READY properties).
    func stringPairs(_ what: String) throws -> [(String, String)] {
        try optionalStringPairs(what).map { pair in
            guard let v = pair.1 else { throw fail("\(what): '\(pair.0)' needs a value") }
            return (pair.0, v)
        }
    }

    /// A mapping of names to strings or null (null: the name must be absent).
    func optionalStringPairs(_ what: String) throws -> [(String, String?)] {
        guard case .mapping(let m) = node else { throw fail("\(what) must be a mapping") }
        return try m.map { k, v in
            guard let key = k.string, !key.isEmpty else { throw child(k).fail("\(what): names must be non-empty strings") }
            if v.tag.description.hasSuffix(":null") || v.string == "~" || v.string == "null" { return (key, nil) }
            return (key, try child(v).string(key))
        }
    }

    func sequence(_ what: String) throws -> [YAMLReader] {
        guard case .sequence(let s) = node else { throw fail("\(what) must be a list") }
        return s.map(child)
    }

    /// A list, or a single value taken as a one-element list.
    func listOrOne(_ what: String) throws -> [YAMLReader] {
        if case .sequence(let s) = node { return s.map(child) }
        return [self]
    }

    func string(_ what: String) throws -> String {
        guard case .scalar(let s) = node else { throw fail("\(what) must be a string") }
        return s.string
    }

    func int(_ what: String) throws -> Int {
        guard case .scalar(let s) = node, let v = Int(s.string) else {
            throw fail("\(what) must be an integer, got '\(node.string ?? "a collection")'")
        }
        return v
    }

    func bool(_ what: String) throws -> Bool {
        guard let v = node.bool else { throw fail("\(what) must be true or false") }
        return v
    }

    /// "200ms", "1s", "1.5s": milliseconds.
    func duration(_ what: String) throws -> Int {
        let text = try string(what).trimmingCharacters(in: .whitespaces)
        func number(_ s: Substring) -> Double? { Double(s).flatMap { $0 >= 0 ? $0 : nil } }
        if text.hasSuffix("ms"), let v = number(text.dropLast(2)) { return Int(v) }
        if text.hasSuffix("s"), let v = number(text.dropLast(1)) { return Int(v * 1000) }
        throw fail("bad duration '\(text)' for \(what): expected a number with ms or s, e.g. 200ms or 1.5s")
    }

    func enumValue<E: RawRepresentable & CaseIterable>(_ what: String, _ type: E.Type) throws -> E where E.RawValue == String {
        let text = try string(what)
        guard let v = E(rawValue: text) else {
            throw fail("unknown \(what) '\(text)'; expected one of: \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }
}

extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}

extension Set where Element == Character {
    static let whitespaces: Set<Character> = [" ", "\t"]
}
