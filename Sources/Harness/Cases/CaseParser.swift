/// Turns one YAML document into a CaseDefinition. The case's own keys are read here; each
/// step is handed to its type in StepRegistry, which checks every name it uses against what
/// earlier steps created (CaseScope).
struct CaseParser {
    private var scope: CaseScope

    init(file: String) { scope = CaseScope(file: file) }

    static let caseKeys = ["id", "title", "spec", "bug", "level", "transports", "requires", "timeout", "steps"]
    /// Keys any step may carry beside its name.
    static let commonKeys = ["transports", "level", "expect_error", "expect_one_of", "note"]

    mutating func parseCase(_ r: YAMLReader, source: String) throws -> CaseDefinition {
        let entries = try r.mapping("a case", allowed: Self.caseKeys)
        func value(_ key: String) -> YAMLReader? { entries.first { $0.key == key }?.value }
        func required(_ key: String) throws -> YAMLReader {
            guard let v = value(key) else { throw r.fail("case is missing '\(key)'") }
            return v
        }
        let id = try required("id").string("id")
        guard id.range(of: #"^[a-z0-9_-]+(\.[a-z0-9_-]+)+$"#, options: .regularExpression) != nil else {
            throw try required("id").fail("bad id '\(id)': expected dotted lower-case words, area first (e.g. reqrep.req.lockstep)")
        }
        var transports = Transport.singleHost
        if let t = value("transports"), t.node.string != "all" {
            transports = try t.sequence("transports").map { try $0.enumValue("transport", Transport.self) }
            if transports.isEmpty { throw t.fail("transports is empty") }
        }
        let requires = try value("requires")?.listOrOne("requires").map(Self.parseRequirement) ?? []
        let (spec, specKey) = try Self.parseSpec(try required("spec"))
        let stepsNode = try required("steps")
        var steps: [Step] = []
        for s in try stepsNode.sequence("steps") { steps.append(try parseStep(s)) }
        if steps.isEmpty { throw stepsNode.fail("steps is empty") }
        return CaseDefinition(
            id: id,
            title: try value("title")?.string("title") ?? "",
            spec: spec, specKey: specKey,
            level: try required("level").enumValue("level", Level.self),
            transports: transports, requires: requires,
            timeoutMs: try value("timeout")?.duration("timeout") ?? CaseLoader.defaultCaseTimeoutMs,
            steps: steps, file: scope.file, line: r.line, source: source, bug: try value("bug")?.string("bug"))
    }

    /// `spec:` as one line or as a mapping of doc, section and text; returns the line people
    /// read and the structured key.
    private static func parseSpec(_ r: YAMLReader) throws -> (String, SpecKey) {
        do {
            if case .mapping = r.node {
                let m = try r.mapping("spec", allowed: ["doc", "section", "text"])
                func field(_ k: String) throws -> String? { try m.first { $0.key == k }?.value.string(k) }
                guard let doc = try field("doc"), let text = try field("text") else { throw r.fail("spec needs doc and text") }
                let key = try SpecKey(doc: doc, section: try field("section") ?? "", text: text)
                return ("\(key.clause): \(text)", key)
            }
            let line = try r.string("spec")
            return (line, try SpecKey(line: line))
        } catch let p as SpecKeyProblem {
            throw r.fail("spec: \(p.message)")
        }
    }

    private static func parseRequirement(_ r: YAMLReader) throws -> Requirement {
        let text = try r.string("requirement")
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let expected = "expected mechanism:NAME, symbol:NAME or has:NAME"
        guard parts.count == 2 else { throw r.fail("bad requirement '\(text)': \(expected)") }
        switch parts[0] {
        case "mechanism": return .mechanism(parts[1])
        case "symbol": return .symbol(parts[1])
        case "has": return .has(parts[1])
        default: throw r.fail("bad requirement '\(text)': \(expected)")
        }
    }

    private mutating func parseStep(_ r: YAMLReader) throws -> Step {
        guard case .mapping(let m) = r.node, let first = m.first, let name = first.key.string else {
            throw r.fail("a step must be a mapping whose first key is the step name")
        }
        guard let type = StepRegistry.byName[name] else {
            throw r.child(first.key).fail("unknown step '\(name)'; expected one of: \(StepRegistry.names.joined(separator: ", "))")
        }
        // The step's own arguments sit under its name; the common keys beside it.
        let common = try r.mapping("step '\(name)'", allowed: [name] + Self.commonKeys)
        let args = r.child(first.value)
        let fields = try args.mapping("step '\(name)'", allowed: type.keys)
        var step = Step(
            action: try type.parse(StepArgs(reader: args, fields: fields), in: &scope), line: r.line,
            onlyOn: nil, level: nil, accept: ["ok"])
        for (key, v) in common where key != name {
            switch key {
            case "transports": step.onlyOn = Set(try v.listOrOne("transports").map { try $0.enumValue("transport", Transport.self) })
            case "level": step.level = try v.enumValue("level", Level.self)
            case "expect_error": step.accept = [v.node.string == "any" ? "any" : try scope.errnoName(v)]
            case "expect_one_of":
                step.accept = try v.sequence("expect_one_of").map { $0.node.string == "ok" ? "ok" : try scope.errnoName($0) }
            default: break  // "note": for readers only
            }
        }
        return step
    }
}
