/// What the steps of one case have created so far (sockets, endpoints, proxies, keys, raw
/// connections, relays, captures, counters), so a step that names something unknown is
/// refused with its line. Step parsers read and extend it; it also holds the value readers
/// several steps share (frames, matchers, option values, errno names).
struct CaseScope {
    let file: String
    var sockets: [String: SocketType] = [:]
    var monitored: Set<String> = []
    /// Sockets declared `process: own` (a kill step may kill their process).
    var ownProcess: Set<String> = []
    /// The hosts sockets were placed on (`host:`).
    var hostLabels: Set<String> = []
    var proxyOwned: Set<String> = []
    var endpoints: Set<String> = []
    var proxies: Set<String> = []
    var keys: Set<String> = []
    var raws: Set<String> = []
    var variables: Set<String> = []
    var counters: Set<String> = []
    var relays: Set<String> = []
    /// Relays that do faults (fault_relay).
    var faultRelays: Set<String> = []
    /// The suite's ZMTP peers (wire_connect, wire_listen).
    var wirePeers: Set<String> = []
    /// Names of routing ids captured by draft steps (SERVER, PEER).
    var routingIds: Set<String> = []

    init(file: String) { self.file = file }

    // MARK: names

    /// Why a socket cannot be used by a step, or nil.
    func problem(using socket: String) -> String? {
        if sockets[socket] == nil { return "socket '\(socket)' used before it exists" }
        if proxyOwned.contains(socket) { return "socket '\(socket)' belongs to a proxy and cannot be used by steps" }
        return nil
    }

    /// The open socket named under `key` (default `socket`).
    func socket(_ a: StepArgs, key: String = "socket") throws -> String {
        let s = try a.string(key)
        if let problem = problem(using: s) { throw try a.required(key).fail(problem) }
        return s
    }

    /// A socket that exists (a proxy's too), named by the reader itself.
    func existingSocket(_ r: YAMLReader) throws -> String {
        let s = try r.string("socket")
        guard sockets[s] != nil else { throw r.fail("socket '\(s)' used before it exists") }
        return s
    }

    /// A monitored socket, open or closed (its monitor outlives it: MONITOR_STOPPED).
    func monitoredSocket(_ a: StepArgs) throws -> String {
        let s = try a.string("socket")
        if sockets[s] == nil && !monitored.contains(s) { throw try a.required("socket").fail("socket '\(s)' used before it exists") }
        guard monitored.contains(s) else {
            throw try a.required("socket").fail("socket '\(s)' is not monitored: add 'monitor: true' to it or a 'monitor' step before")
        }
        return s
    }

    /// A routing id an earlier step captured, named under `key`.
    func routingId(_ a: StepArgs, key: String = "routing_id") throws -> String? {
        guard let r = a[key] else { return nil }
        let n = try r.string(key)
        guard routingIds.contains(n) else { throw r.fail("routing id '\(n)' used before a step captures it") }
        return n
    }

    func rawName(_ a: StepArgs) throws -> String {
        let n = try a.string("raw")
        guard raws.contains(n) else { throw try a.required("raw").fail("raw connection '\(n)' used before it exists") }
        return n
    }

    func wirePeer(_ a: StepArgs) throws -> String {
        let n = try a.string("peer")
        guard wirePeers.contains(n) else { throw try a.required("peer").fail("wire peer '\(n)' used before a wire_connect or wire_listen makes it") }
        return n
    }

    /// `endpoint: LITERAL` or `to: NAME` (a bound socket, a bind's `as`, a reserve, a relay).
    func endpointRef(_ a: StepArgs) throws -> EndpointRef {
        if let lit = a["endpoint"] { return EndpointRef(ref: nil, literal: try lit.string("endpoint")) }
        let to = try a.required("to")
        let ref = try to.string("to")
        guard endpoints.contains(ref) || sockets[ref] != nil || proxyOwned.contains(ref) else {
            throw to.fail("endpoint '\(ref)' used before it exists (name a bound socket or a bind's 'as')")
        }
        return EndpointRef(ref: ref, literal: nil)
    }

    // MARK: values

    func errnoName(_ r: YAMLReader) throws -> String {
        let n = try r.string("errno")
        guard ErrnoName.code(of: n) != nil else {
            throw r.fail("unknown errno '\(n)'; expected one of: \(ErrnoName.allNames.joined(separator: ", ")) (or any, for expect_error)")
        }
        return n
    }

    func pollEvents(_ r: YAMLReader) throws -> PollEvents {
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

    func optionValue(_ r: YAMLReader) throws -> OptionValueSpec {
        if case .mapping = r.node {
            let f = try r.mapping("option value", allowed: ["hex", "curve_public", "curve_secret"])
            guard let (k, v) = f.first, f.count == 1 else { throw r.fail("option value needs exactly one of hex, curve_public, curve_secret") }
            if k == "hex" { return .value(.bytes(try Self.hexBytes(v))) }
            let name = try v.string(k)
            guard keys.contains(name) else { throw v.fail("curve key pair '\(name)' used before it exists (add a curve_keys step)") }
            return k == "curve_public" ? .curvePublic(name) : .curveSecret(name)
        }
        guard case .scalar(let s) = r.node else { throw r.fail("option value must be a scalar") }
        if s.style == .plain, let b = r.node.bool, ["true", "false"].contains(s.string) { return .value(.int(b ? 1 : 0)) }
        if s.style == .plain, let i = Int(s.string) { return .value(.int(i)) }
        return .value(.string(s.string))
    }

    /// A plain value (no key pair reference), for `get`'s expectation.
    func plainValue(_ r: YAMLReader) throws -> OptionValue {
        guard case .value(let x) = try optionValue(r) else { throw r.fail("get expects a plain value") }
        return x
    }

    func frames(_ r: YAMLReader) throws -> [FrameSpec] {
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
                    return .bytes(try Self.filled(size: sz, fill: m.first(where: { $0.key == "fill" })?.value))
                }
                throw f.fail("a frame mapping needs hex, size or var")
            default: throw f.fail("a frame must be a string or a mapping")
            }
        }
    }

    /// One frame (a step that sends a single frame): the same forms as a `frames` list item.
    func frame(_ r: YAMLReader) throws -> FrameSpec {
        try frames(YAMLReader(node: .sequence(.init([r.node])), file: r.file))[0]
    }

    /// One frame matcher (a step that receives a single frame).
    mutating func matcher(_ r: YAMLReader) throws -> FrameMatcher {
        try matchers(YAMLReader(node: .sequence(.init([r.node])), file: r.file))[0]
    }

    /// Literal bytes (raw wire data): frames without variables, joined; a single string or
    /// `{hex: ...}` needs no list around it.
    func literalBytes(_ r: YAMLReader) throws -> [UInt8] {
        var list = r
        if case .sequence = r.node {} else { list = YAMLReader(node: .sequence(.init([r.node])), file: r.file) }
        return try frames(list).flatMap { f -> [UInt8] in
            switch f {
            case .text(let t): return Array(t.utf8)
            case .bytes(let b): return b
            case .variable: throw r.fail("raw bytes cannot use a captured variable")
            }
        }
    }

    mutating func matchers(_ r: YAMLReader) throws -> [FrameMatcher] {
        try r.sequence("expect").map { f in
            switch f.node {
            case .scalar(let s): return .text(s.string)
            case .mapping:
                let m = try f.mapping("frame matcher", allowed: ["hex", "size", "fill", "prefix", "any", "var", "not_var", "capture", "u64"])
                guard let (k, v) = m.first else { throw f.fail("empty frame matcher") }
                switch k {
                case "hex": return .bytes(try Self.hexBytes(v))
                case "size", "fill":
                    let size = m.first(where: { $0.key == "size" })?.value ?? v
                    if let fill = m.first(where: { $0.key == "fill" })?.value { return .bytes(try Self.filled(size: size, fill: fill)) }
                    return .size(try size.int("size"))
                case "prefix": return .prefix(Array(try v.string("prefix").utf8))
                case "any": return .any
                case "var", "not_var":
                    let name = try v.string(k)
                    guard variables.contains(name) else { throw v.fail("variable '\(name)' used before a recv captures it") }
                    return k == "var" ? .variable(name) : .notVariable(name)
                case "capture":
                    let name = try v.string("capture")
                    variables.insert(name)
                    return .capture(name)
                default: return .uint64(UInt64(try v.int("u64")))
                }
            default: throw f.fail("a frame matcher must be a string or a mapping")
            }
        }
    }

    /// `size: N` bytes repeating `fill` (default "x").
    static func filled(size: YAMLReader, fill: YAMLReader?) throws -> [UInt8] {
        let pattern = Array(try fill?.string("fill").utf8 ?? "x".utf8)
        let n = try size.int("size")
        guard !pattern.isEmpty, n >= 0 else { throw size.fail("size must be >= 0 and fill not empty") }
        return (0..<n).map { pattern[$0 % pattern.count] }
    }

    static func hexBytes(_ r: YAMLReader) throws -> [UInt8] {
        let text = try r.string("hex").filter { !$0.isWhitespace }
        guard text.count % 2 == 0 else { throw r.fail("hex '\(text)' has an odd number of digits") }
        guard let out = octets(hex: text) else { throw r.fail("bad hex '\(text)'") }
        return out
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

    func bool(_ key: String, default d: Bool = false) throws -> Bool { try self[key]?.bool(key) ?? d }

    func int(_ key: String, default d: Int) throws -> Int { try self[key]?.int(key) ?? d }

    /// true/false as 1/0, or an integer (a greeting's as-server octet may be any value).
    func octet(_ key: String) throws -> Int? {
        guard let v = self[key] else { return nil }
        if let b = v.node.bool { return b ? 1 : 0 }
        let n = try v.int(key)
        guard (0...255).contains(n) else { throw v.fail("\(key) must be true, false or an octet (0 to 255)") }
        return n
    }

    func positive(_ key: String) throws -> Int? {
        guard let v = self[key] else { return nil }
        let n = try v.int(key)
        guard n > 0 else { throw v.fail("\(key) must be positive") }
        return n
    }

    func duration(_ key: String, default d: Int) throws -> Int { try self[key]?.duration(key) ?? d }

    func within(default d: Int = CaseLoader.defaultWithinMs) throws -> Int { try duration("within", default: d) }

    func option() throws -> SocketOption { try required("option").enumValue("socket option", SocketOption.self) }
}
