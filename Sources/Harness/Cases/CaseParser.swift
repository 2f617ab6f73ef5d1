/// Turns one YAML document into a CaseDefinition, checking every name it uses against what
/// earlier steps created (sockets, endpoints, proxies, keys, raw connections, captures).
struct CaseParser {
    let file: String
    private var sockets: [String: SocketType] = [:]
    private var monitored: Set<String> = []
    private var proxyOwned: Set<String> = []
    private var endpoints: Set<String> = []
    private var proxies: Set<String> = []
    private var keys: Set<String> = []
    private var raws: Set<String> = []
    private var variables: Set<String> = []
    private var counters: Set<String> = []
    private var relays: Set<String> = []

    init(file: String) { self.file = file }

    static let caseKeys = ["id", "title", "spec", "level", "transports", "requires", "timeout", "steps"]

    mutating func parseCase(_ r: YAMLReader) throws -> CaseDefinition {
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
        if let t = value("transports") {
            if t.node.string == "all" { transports = Transport.singleHost } else {
                transports = try t.sequence("transports").map { try $0.enumValue("transport", Transport.self) }
                if transports.isEmpty { throw t.fail("transports is empty") }
            }
        }
        let requires = try value("requires")?.listOrOne("requires").map(parseRequirement) ?? []
        let stepsNode = try required("steps")
        var steps: [Step] = []
        for s in try stepsNode.sequence("steps") { steps.append(try parseStep(s)) }
        if steps.isEmpty { throw stepsNode.fail("steps is empty") }
        return CaseDefinition(
            id: id,
            title: try value("title")?.string("title") ?? "",
            spec: try required("spec").string("spec"),
            level: try required("level").enumValue("level", Level.self),
            transports: transports, requires: requires,
            timeoutMs: try value("timeout")?.duration("timeout") ?? CaseLoader.defaultCaseTimeoutMs,
            steps: steps, file: file, line: r.line)
    }

    private func parseRequirement(_ r: YAMLReader) throws -> Requirement {
        let text = try r.string("requirement")
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw r.fail("bad requirement '\(text)': expected mechanism:NAME, symbol:NAME or has:NAME") }
        switch parts[0] {
        case "mechanism": return .mechanism(parts[1])
        case "symbol": return .symbol(parts[1])
        case "has": return .has(parts[1])
        default: throw r.fail("bad requirement '\(text)': expected mechanism:NAME, symbol:NAME or has:NAME")
        }
    }

    // MARK: steps

    static let commonKeys = ["transports", "level", "expect_error", "expect_one_of", "note"]
    static let stepKeys: [String: [String]] = [
        "socket": ["name", "type", "options", "monitor", "host"],
        "set": ["socket", "option", "value"],
        "get": ["socket", "option", "expect"],
        "bind": ["socket", "as", "endpoint", "to"],
        "reserve": ["as"],
        "connect": ["socket", "to", "endpoint"],
        "disconnect": ["socket", "to", "endpoint"],
        "unbind": ["socket", "to", "endpoint"],
        "send": ["socket", "frames", "dontwait", "repeat", "within", "retry_on"],
        "recv": ["socket", "expect", "repeat", "within", "properties"],
        "no_recv": ["socket", "within"],
        "poll": ["items", "expect", "within"],
        "monitor": ["socket"],
        "await_event": ["socket", "event", "count", "within", "value"],
        "drain": ["socket", "quiet", "within", "expect_min", "expect_max", "expect_count"],
        "await_peers": ["socket", "count", "within"],
        "no_event": ["socket", "event", "within"],
        "close": ["socket"],
        "proxy": ["name", "frontend", "backend", "capture", "control"],
        "await_proxy_exit": ["name", "within"],
        "zap": ["status", "otherwise", "user_id", "status_text", "credentials"],
        "expect_zap": ["count", "mechanism", "domain", "credentials", "status"],
        "curve_keys": ["name"],
        "collect": ["from", "count", "within", "first", "group_by", "expect", "tolerance"],
        "await_subscription": ["pub", "subs", "topic", "within"],
        "send_until_blocked": ["socket", "frames", "max", "expect_min", "expect_max", "settle", "as", "within"],
        "raw_connect": ["name", "to"],
        "raw_send": ["raw", "data"],
        "raw_recv": ["raw", "expect", "size", "within"],
        "raw_expect_closed": ["raw", "within"],
        "raw_close": ["raw"],
        "relay": ["name", "to"],
        "relay_expect": ["name", "absent", "present"],
    ]

    private mutating func parseStep(_ r: YAMLReader) throws -> Step {
        guard case .mapping(let m) = r.node, let first = m.first, let name = first.key.string else {
            throw r.fail("a step must be a mapping whose first key is the step name")
        }
        guard let keys = Self.stepKeys[name] else {
            throw r.child(first.key).fail("unknown step '\(name)'; expected one of: \(Self.stepKeys.keys.sorted().joined(separator: ", "))")
        }
        // The step's own arguments sit under its name; the common keys beside it.
        let common = try r.mapping("step '\(name)'", allowed: [name] + Self.commonKeys)
        let args = r.child(first.value)
        let fields = try args.mapping("step '\(name)'", allowed: keys)
        var step = Step(kind: try parseKind(name, StepArgs(reader: args, fields: fields)), line: r.line,
                        onlyOn: nil, level: nil, accept: ["ok"])
        for (key, v) in common where key != name {
            switch key {
            case "transports": step.onlyOn = Set(try v.listOrOne("transports").map { try $0.enumValue("transport", Transport.self) })
            case "level": step.level = try v.enumValue("level", Level.self)
            case "expect_error": step.accept = [try errnoName(v)]
            case "expect_one_of":
                step.accept = try v.sequence("expect_one_of").map { $0.node.string == "ok" ? "ok" : try errnoName($0) }
            default: break
            }
        }
        return step
    }

    private func errnoName(_ r: YAMLReader) throws -> String {
        let n = try r.string("errno")
        guard ErrnoName.code(of: n) != nil else {
            throw r.fail("unknown errno '\(n)'; expected one of: \(ErrnoName.allNames.joined(separator: ", "))")
        }
        return n
    }

    private mutating func parseKind(_ name: String, _ a: StepArgs) throws -> StepKind {
        switch name {
        case "socket":
            let sname = try a.string("name")
            if sockets[sname] != nil { throw a.fail("socket '\(sname)' already exists") }
            let type = try a.required("type").enumValue("socket type", SocketType.self)
            var options: [(SocketOption, OptionValueSpec)] = []
            if let o = a["options"] {
                for (k, v) in try o.mapping("options", allowed: SocketOption.allCases.map(\.rawValue)) {
                    options.append((SocketOption(rawValue: k)!, try optionValue(v)))
                }
            }
            let monitor = try a["monitor"]?.bool("monitor") ?? false
            var host: String?
            if let h = a["host"] {
                host = try h.string("host")
                guard host!.count == 1, let c = host!.unicodeScalars.first, ("a"..."h").contains(c) else {
                    throw h.fail("bad host '\(host!)': expected a letter from a to h")
                }
            }
            sockets[sname] = type
            if monitor { monitored.insert(sname) }
            return .socket(SocketDecl(name: sname, type: type, options: options, monitor: monitor, host: host))
        case "set":
            return .set(socket: try a.socket(self), option: try a.option(), value: try optionValue(try a.required("value")))
        case "get":
            return .get(socket: try a.socket(self), option: try a.option(),
                        expect: try a["expect"].map { v -> OptionValue in
                            guard case .value(let x) = try optionValue(v) else { throw v.fail("get expects a plain value") }
                            return x
                        })
        case "bind":
            let alias = try a["as"]?.string("as")
            if let alias { endpoints.insert(alias) }
            var reserved: String?
            if let to = a["to"] {
                reserved = try to.string("to")
                guard endpoints.contains(reserved!) || sockets[reserved!] != nil else {
                    throw to.fail("endpoint '\(reserved!)' used before it exists (name a reserve step's 'as' or a bound socket)")
                }
            }
            return .bind(socket: try a.socket(self), alias: alias, literal: try a["endpoint"]?.string("endpoint"), reserved: reserved)
        case "reserve":
            let alias = try a.string("as")
            endpoints.insert(alias)
            return .reserve(alias: alias)
        case "connect": return .connect(socket: try a.socket(self), to: try endpointRef(a))
        case "disconnect": return .disconnect(socket: try a.socket(self), from: try endpointRef(a))
        case "unbind": return .unbind(socket: try a.socket(self), from: try endpointRef(a))
        case "send":
            return .send(socket: try a.socket(self), frames: try frames(a.required("frames")),
                         dontWait: try a["dontwait"]?.bool("dontwait") ?? false,
                         repeatCount: try a.positive("repeat") ?? 1, withinMs: try a.within(),
                         retryOn: try a["retry_on"]?.listOrOne("retry_on").map(errnoName) ?? [])
        case "recv":
            var props: [String: String] = [:]
            if let p = a["properties"] {
                guard case .mapping(let m) = p.node else { throw p.fail("properties must be a mapping") }
                for (k, v) in m { props[k.string ?? ""] = v.string ?? "" }
            }
            let expect = try a["expect"].map { try matchers($0) }
            return .recv(socket: try a.socket(self), expect: expect,
                         repeatCount: try a.positive("repeat") ?? 1, withinMs: try a.within(), properties: props)
        case "no_recv":
            return .noRecv(socket: try a.socket(self), withinMs: try a.within(default: CaseLoader.defaultQuietMs))
        case "poll":
            var items: [(String, PollEvents)] = []
            for item in try a.required("items").sequence("items") {
                let f = StepArgs(reader: item, fields: try item.mapping("poll item", allowed: ["socket", "events"]))
                items.append((try f.socket(self), try events(f.required("events"))))
            }
            var expect: [String: PollEvents] = [:]
            if let e = a["expect"] {
                for (k, v) in try e.mapping("poll expect", allowed: items.map(\.0)) { expect[k] = try events(v) }
            }
            return .poll(items: items, expect: expect, withinMs: try a.within())
        case "monitor":
            let s = try a.socket(self)
            monitored.insert(s)
            return .monitor(socket: s)
        case "await_event":
            return .awaitEvent(socket: try monitoredSocket(a), event: try a.required("event").enumValue("monitor event", MonitorEvent.self),
                               count: try a.positive("count") ?? 1, withinMs: try a.within(),
                               value: try a["value"]?.int("value"))
        case "drain":
            return .drain(socket: try a.socket(self), quietMs: try a["quiet"]?.duration("quiet") ?? CaseLoader.defaultQuietMs,
                          withinMs: try a.within(default: 10 * CaseLoader.defaultWithinMs),
                          minCount: try a["expect_min"]?.int("expect_min") ?? 0,
                          maxCount: try a["expect_max"]?.int("expect_max") ?? Int.max,
                          expectCount: try a["expect_count"].map { v in
                              let n = try v.string("expect_count")
                              guard counters.contains(n) else { throw v.fail("count '\(n)' used before a send_until_blocked names it with 'as'") }
                              return n
                          })
        case "no_event":
            return .noEvent(socket: try monitoredSocket(a), event: try a.required("event").enumValue("monitor event", MonitorEvent.self),
                            withinMs: try a.within(default: CaseLoader.defaultQuietMs))
        case "await_peers":
            return .awaitPeers(socket: try monitoredSocket(a), count: try a.positive("count") ?? 1, withinMs: try a.within())
        case "close":
            let s = try a.socket(self)
            sockets[s] = nil
            return .close(socket: s)
        case "proxy":
            let pname = try a.string("name")
            let names = try ["frontend", "backend", "capture", "control"].map { key -> String? in
                guard let v = a[key] else { return nil }
                let s = try v.string(key)
                guard sockets[s] != nil else { throw v.fail("socket '\(s)' used before it exists") }
                return s
            }
            guard let fe = names[0], let be = names[1] else { throw a.fail("proxy needs frontend and backend") }
            for n in names.compactMap({ $0 }) { proxyOwned.insert(n) }
            proxies.insert(pname)
            return .proxy(name: pname, frontend: fe, backend: be, capture: names[2], control: names[3])
        case "await_proxy_exit":
            let p = try a.string("name")
            guard proxies.contains(p) else { throw try a.required("name").fail("proxy '\(p)' used before it exists") }
            return .awaitProxyExit(name: p, withinMs: try a.within())
        case "zap":
            let status = try a.required("status").string("status")
            return .zap(ZAPScript(status: status, otherwise: try a["otherwise"]?.string("otherwise") ?? "400",
                                  userId: try a["user_id"]?.string("user_id") ?? "",
                                  statusText: try a["status_text"]?.string("status_text") ?? "scripted",
                                  acceptCredentials: try a["credentials"].map { try $0.sequence("credentials").map { Array(try $0.string("credential").utf8) } }))
        case "expect_zap":
            return .expectZAP(count: try a.positive("count") ?? 1, mechanism: try a["mechanism"]?.string("mechanism"),
                              domain: try a["domain"]?.string("domain"),
                              credentials: try a["credentials"].map { try $0.sequence("credentials").map { Array(try $0.string("credential").utf8) } },
                              status: try a["status"]?.string("status"))
        case "curve_keys":
            let k = try a.string("name")
            keys.insert(k)
            return .curveKeys(name: k)
        case "collect":
            let from = try a.required("from").listOrOne("from").map { r -> String in
                let s = try r.string("socket")
                guard sockets[s] != nil else { throw r.fail("socket '\(s)' used before it exists") }
                return s
            }
            var groups: [String: Int] = [:]
            for (k, v) in try a.required("expect").mapping("collect expect", allowed: try anyKeys(a.required("expect"))) {
                groups[k] = try v.int("expected count")
            }
            let groupBy = try a["group_by"]?.enumValue("group_by", GroupBy.self) ?? .socket
            if groupBy == .socket, let bad = groups.keys.first(where: { !from.contains($0) }) {
                throw try a.required("expect").fail("collect expects a count for '\(bad)', which is not in 'from'")
            }
            return .collect(from: from, count: try a.positive("count") ?? groups.values.reduce(0, +), withinMs: try a.within(),
                            first: try a.positive("first"), groupBy: groupBy, groups: groups,
                            tolerance: try a["tolerance"]?.int("tolerance") ?? 0)
        case "await_subscription":
            let pub = try a.required("pub").string("pub")
            guard sockets[pub] != nil else { throw try a.required("pub").fail("socket '\(pub)' used before it exists") }
            let subs = try a.required("subs").listOrOne("subs").map { r -> String in
                let s = try r.string("socket")
                guard sockets[s] != nil else { throw r.fail("socket '\(s)' used before it exists") }
                return s
            }
            return .awaitSubscription(pub: pub, subs: subs, topic: Array(try a["topic"]?.string("topic").utf8 ?? "".utf8), withinMs: try a.within())
        case "send_until_blocked":
            return .sendUntilBlocked(socket: try a.socket(self), frames: try frames(a.required("frames")),
                                     max: try a.positive("max") ?? 100_000,
                                     minCount: try a["expect_min"]?.int("expect_min") ?? 0,
                                     maxCount: try a["expect_max"]?.int("expect_max") ?? Int.max,
                                     settleMs: try a["settle"]?.duration("settle") ?? 100,
                                     countAs: try a["as"].map { v in
                                         let n = try v.string("as")
                                         counters.insert(n)
                                         return n
                                     },
                                     withinMs: try a.within(default: 5 * CaseLoader.defaultWithinMs))
        case "raw_connect":
            let n = try a.string("name")
            raws.insert(n)
            return .rawConnect(name: n, to: try endpointRef(a))
        case "raw_send": return .rawSend(raw: try rawName(a), data: try frames(a.required("data")).flatMap(Self.literalBytes))
        case "raw_recv":
            return .rawRecv(raw: try rawName(a), expect: try a["expect"].map { try frames($0).flatMap(Self.literalBytes) },
                            size: try a.positive("size"), withinMs: try a.within())
        case "raw_expect_closed": return .rawExpectClosed(raw: try rawName(a), withinMs: try a.within())
        case "raw_close": return .rawClose(raw: try rawName(a))
        case "relay":
            let n = try a.string("name")
            let to = try endpointRef(a)
            endpoints.insert(n)
            relays.insert(n)
            return .relay(name: n, to: to)
        case "relay_expect":
            let n = try a.string("name")
            guard relays.contains(n) else { throw try a.required("name").fail("relay '\(n)' used before it exists") }
            return .relayExpect(name: n, absent: try a["absent"].map { Array(try $0.string("absent").utf8) },
                                present: try a["present"].map { Array(try $0.string("present").utf8) })
        default:
            throw a.fail("step '\(name)' is not implemented")
        }
    }

    private func anyKeys(_ r: YAMLReader) throws -> [String] {
        guard case .mapping(let m) = r.node else { throw r.fail("expect must be a mapping of group to count") }
        return m.compactMap { $0.key.string }
    }

    /// A monitored socket, open or closed (its monitor outlives it: MONITOR_STOPPED).
    private func monitoredSocket(_ a: StepArgs) throws -> String {
        let s = try a.string("socket")
        if sockets[s] == nil && !monitored.contains(s) { throw try a.required("socket").fail("socket '\(s)' used before it exists") }
        guard monitored.contains(s) else {
            throw try a.required("socket").fail("socket '\(s)' is not monitored: add 'monitor: true' to it or a 'monitor' step before")
        }
        return s
    }

    private func rawName(_ a: StepArgs) throws -> String {
        let n = try a.string("raw")
        guard raws.contains(n) else { throw try a.required("raw").fail("raw connection '\(n)' used before it exists") }
        return n
    }

    func isUsable(_ socket: String) -> String? {
        if sockets[socket] == nil { return "socket '\(socket)' used before it exists" }
        if proxyOwned.contains(socket) { return "socket '\(socket)' belongs to a proxy and cannot be used by steps" }
        return nil
    }

    private func endpointRef(_ a: StepArgs) throws -> EndpointRef {
        if let lit = a["endpoint"] { return EndpointRef(ref: nil, literal: try lit.string("endpoint")) }
        let to = try a.required("to")
        let ref = try to.string("to")
        guard endpoints.contains(ref) || sockets[ref] != nil || proxyOwned.contains(ref) else {
            throw to.fail("endpoint '\(ref)' used before it exists (name a bound socket or a bind's 'as')")
        }
        return EndpointRef(ref: ref, literal: nil)
    }

    private func events(_ r: YAMLReader) throws -> PollEvents {
        var e: PollEvents = []
        for item in try r.listOrOne("events") {
            switch try item.string("event") {
            case "in": e.insert(.pollIn)
            case "out": e.insert(.pollOut)
            case let other: throw item.fail("unknown poll event '\(other)'; expected in or out")
            }
        }
        return e
    }

    private func optionValue(_ r: YAMLReader) throws -> OptionValueSpec {
        if case .mapping = r.node {
            let f = try r.mapping("option value", allowed: ["hex", "curve_public", "curve_secret"])
            guard let (k, v) = f.first, f.count == 1 else { throw r.fail("option value needs exactly one of hex, curve_public, curve_secret") }
            switch k {
            case "hex": return .value(.bytes(try Self.hexBytes(v)))
            case "curve_public", "curve_secret":
                let name = try v.string(k)
                guard keys.contains(name) else { throw v.fail("curve key pair '\(name)' used before it exists (add a curve_keys step)") }
                return k == "curve_public" ? .curvePublic(name) : .curveSecret(name)
            default: fatalError("unreachable")
            }
        }
        guard case .scalar(let s) = r.node else { throw r.fail("option value must be a scalar") }
        if s.style == .plain, let b = r.node.bool, ["true", "false"].contains(s.string) { return .value(.int(b ? 1 : 0)) }
        if s.style == .plain, let i = Int(s.string) { return .value(.int(i)) }
        return .value(.string(s.string))
    }

    private func frames(_ r: YAMLReader) throws -> [FrameSpec] {
        try r.sequence("frames").map { f in
            switch f.node {
            case .scalar(let s): return .text(s.string)
            case .mapping:
                let m = try f.mapping("frame", allowed: ["hex", "size", "fill", "var"])
                if let v = m.first(where: { $0.key == "var" })?.value {
                    let name = try v.string("var")
                    guard variables.contains(name) else { throw v.fail("variable '\(name)' used before a recv captures it") }
                    return .variable(name)
                }
                if let h = m.first(where: { $0.key == "hex" })?.value { return .bytes(try Self.hexBytes(h)) }
                if let sz = m.first(where: { $0.key == "size" })?.value {
                    let fill = Array(try m.first(where: { $0.key == "fill" })?.value.string("fill").utf8 ?? "x".utf8)
                    let n = try sz.int("size")
                    guard !fill.isEmpty, n >= 0 else { throw sz.fail("size must be >= 0 and fill not empty") }
                    return .bytes((0..<n).map { fill[$0 % fill.count] })
                }
                throw f.fail("a frame mapping needs hex, size or var")
            default: throw f.fail("a frame must be a string or a mapping")
            }
        }
    }

    private mutating func matchers(_ r: YAMLReader) throws -> [FrameMatcher] {
        try r.sequence("expect").map { f in
            switch f.node {
            case .scalar(let s): return .text(s.string)
            case .mapping:
                let m = try f.mapping("frame matcher", allowed: ["hex", "size", "fill", "prefix", "any", "var", "capture", "u64"])
                guard let (k, v) = m.first else { throw f.fail("empty frame matcher") }
                switch k {
                case "hex": return .bytes(try Self.hexBytes(v))
                case "size", "fill":
                    if m.contains(where: { $0.key == "fill" }), case .bytes(let b) = try frames(YAMLReader(node: .sequence(.init([f.node])), file: file))[0] {
                        return .bytes(b)
                    }
                    return .size(try v.int("size"))
                case "prefix": return .prefix(Array(try v.string("prefix").utf8))
                case "any": return .any
                case "var":
                    let name = try v.string("var")
                    guard variables.contains(name) else { throw v.fail("variable '\(name)' used before a recv captures it") }
                    return .variable(name)
                case "capture":
                    let name = try v.string("capture")
                    variables.insert(name)
                    return .capture(name)
                case "u64": return .uint64(UInt64(try v.int("u64")))
                default: fatalError("unreachable")
                }
            default: throw f.fail("a frame matcher must be a string or a mapping")
            }
        }
    }

    static func hexBytes(_ r: YAMLReader) throws -> [UInt8] {
        let text = try r.string("hex").filter { !$0.isWhitespace }
        guard text.count % 2 == 0 else { throw r.fail("hex '\(text)' has an odd number of digits") }
        var out: [UInt8] = []
        var i = text.startIndex
        while i < text.endIndex {
            let j = text.index(i, offsetBy: 2)
            guard let b = UInt8(text[i..<j], radix: 16) else { throw r.fail("bad hex '\(text)'") }
            out.append(b)
            i = j
        }
        return out
    }

    static func literalBytes(_ f: FrameSpec) -> [UInt8] {
        switch f {
        case .text(let t): return Array(t.utf8)
        case .bytes(let b): return b
        case .variable: return []
        }
    }
}

/// A step's arguments with lookups that fail with the step's line.
struct StepArgs {
    let reader: YAMLReader
    let fields: [(key: String, value: YAMLReader)]

    subscript(_ key: String) -> YAMLReader? { fields.first { $0.key == key }?.value }

    func fail(_ m: String) -> CaseFileError { reader.fail(m) }

    func required(_ key: String) throws -> YAMLReader {
        guard let v = self[key] else { throw reader.fail("missing '\(key)'") }
        return v
    }

    func string(_ key: String) throws -> String { try required(key).string(key) }

    func positive(_ key: String) throws -> Int? {
        guard let v = self[key] else { return nil }
        let n = try v.int(key)
        guard n > 0 else { throw v.fail("\(key) must be positive") }
        return n
    }

    func within(default d: Int = CaseLoader.defaultWithinMs) throws -> Int { try self["within"]?.duration("within") ?? d }

    func option() throws -> SocketOption { try required("option").enumValue("socket option", SocketOption.self) }

    func socket(_ p: CaseParser) throws -> String {
        let s = try string("socket")
        if let problem = p.isUsable(s) { throw try required("socket").fail(problem) }
        return s
    }
}
