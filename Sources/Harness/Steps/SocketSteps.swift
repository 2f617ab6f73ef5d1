/// Sockets and their endpoints: create, set and read options, bind, connect, close.
enum SocketSteps {
    static let all: [any StepAction.Type] = [
        SocketStep.self, SetStep.self, GetStep.self, BindStep.self, ReserveStep.self,
        ConnectStep.self, DisconnectStep.self, UnbindStep.self, CloseStep.self, ShutdownDuringRecvStep.self,
    ]
}

struct SocketStep: StepAction {
    static let name = "socket"
    static let keys = ["name", "type", "options", "monitor", "host", "process"]
    static let summary =
        "Creates `{name, type, options: {...}, monitor: true, host: b, process: own}`. Types are PAIR ... STREAM and the draft ones; options are lower-case names (`sndhwm`, `routing_id`, `curve_serverkey`...). `host:` (a to h) puts the socket on that host: the cell then runs on network namespaces. `process: own` puts it in a process of its own (an agent of the same implementation; zmq-agent for in-process libzmq), which `kill` can kill -9."
    var declaration: SocketDecl

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let sname = try a.string("name")
        if scope.sockets[sname] != nil { throw a.fail("socket '\(sname)' already exists") }
        let type = try a.required("type").enumValue("socket type", SocketType.self)
        var options: [(SocketOption, OptionValueSpec)] = []
        if let o = a["options"] {
            for (k, v) in try o.mapping("options", allowed: SocketOption.allCases.map(\.rawValue)) {
                options.append((SocketOption(rawValue: k)!, try scope.optionValue(v)))
            }
        }
        let monitor = try a.bool("monitor")
        var host: String?
        if let h = a["host"] {
            let label = try h.string("host")
            guard label.count == 1, let c = label.unicodeScalars.first, ("a"..."h").contains(c) else {
                throw h.fail("bad host '\(label)': expected a letter from a to h")
            }
            host = label
            scope.hostLabels.insert(label)
        }
        var own = false
        if let p = a["process"] {
            guard try p.string("process") == "own" else { throw p.fail("bad process: expected `own` (the socket in a process of its own)") }
            own = true
            scope.ownProcess.insert(sname)
        }
        scope.sockets[sname] = type
        if monitor { scope.monitored.insert(sname) }
        var declaration = SocketDecl(name: sname, type: type, options: options, monitor: monitor, host: host)
        declaration.ownProcess = own
        return Self(declaration: declaration)
    }

    var neededFeatures: Set<Feature> { declaration.monitor ? [.monitor] : [] }
    var optionsUsed: [SocketOption] { declaration.options.map(\.0) }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let d = declaration
        let owner = d.ownProcess ? try cell.openOwnProcess(for: d.name) : cell.sessions[cell.assignment[d.name] ?? 0]
        let s = SocketRef(session: owner, id: try cell.wrap("zmq_socket(\(d.type.rawValue))") { try owner.socket(d.type) })
        cell.sockets[d.name] = s
        cell.socketTypes[d.name] = d.type
        for (option, value) in d.options {
            let v = try cell.optionValue(value)
            try cell.expectOutcome(step, "set \(option.rawValue)=\(v)") { try cell.setOption(s, option, v, step) }
        }
        if d.monitor {
            try cell.wrap("monitor") { try s.monitor() }
            cell.monitorIDs[d.name] = s
        }
    }
}

struct SetStep: StepAction {
    static let name = "set"
    static let keys = ["socket", "option", "value"]
    static let summary = "Sets an option (`expect_error` when it must be refused)."
    var socket: String
    var option: SocketOption
    var value: OptionValueSpec

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(socket: try scope.socket(a), option: try a.option(), value: try scope.optionValue(try a.required("value")))
    }

    var optionsUsed: [SocketOption] { [option] }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let v = try cell.optionValue(value)
        try cell.expectOutcome(step, "set \(option.rawValue)=\(v)") { try cell.setOption(try cell.id(socket), option, v, step) }
    }
}

struct GetStep: StepAction {
    static let name = "get"
    static let keys = ["socket", "option", "expect"]
    static let summary = "Reads an option, optionally checking it against `expect`."
    var socket: String
    var option: SocketOption
    var expect: OptionValue?

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(socket: try scope.socket(a), option: try a.option(), expect: try a["expect"].map { try scope.plainValue($0) })
    }

    var optionsUsed: [SocketOption] { [option] }

    func run(_ step: Step, in cell: CellExecutor) throws {
        var got: OptionValue?
        try cell.expectOutcome(step, "get \(option.rawValue)") { got = try cell.id(socket).get(option) }
        if let expect, let got, !CellExecutor.same(expect, got) {
            throw StepProblem.mismatch(expected: "\(option.rawValue) = \(expect)", seen: "\(got)")
        }
    }
}

struct BindStep: StepAction {
    static let name = "bind"
    static let keys = ["socket", "as", "endpoint", "to"]
    static let summary = "Binds a fresh endpoint of the cell's transport (`as:` names it), a literal `endpoint:`, or a `reserve`d one (`to:`)."
    var socket: String
    var alias: String?
    var literal: String?
    var reserved: String?

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let alias = try a["as"]?.string("as")
        if let alias { scope.endpoints.insert(alias) }
        var reserved: String?
        if let to = a["to"] {
            let name = try to.string("to")
            guard scope.endpoints.contains(name) || scope.sockets[name] != nil else {
                throw to.fail("endpoint '\(name)' used before it exists (name a reserve step's 'as' or a bound socket)")
            }
            reserved = name
        }
        return Self(socket: try scope.socket(a), alias: alias, literal: try a["endpoint"]?.string("endpoint"), reserved: reserved)
    }

    var pinsEndpoint: Bool { literal != nil || reserved != nil }

    func run(_ step: Step, in cell: CellExecutor) throws {
        try cell.prepare(socket)
        let ep = try literal ?? reserved.map { try cell.endpoint(EndpointRef(ref: $0, literal: nil)) } ?? cell.allocatedEndpoint(for: socket)
        try cell.expectOutcome(step, "bind \(ep)") {
            let real = try cell.id(socket).bind(ep)
            cell.bound[socket] = real
            if let alias { cell.bound[alias] = real }
        }
    }
}

struct ReserveStep: StepAction {
    static let name = "reserve"
    static let keys = ["as"]
    static let summary = "A concrete endpoint nobody is bound to yet, under a name (`as`), to connect before binding."
    var alias: String

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let alias = try a.string("as")
        scope.endpoints.insert(alias)
        return Self(alias: alias)
    }

    var pinsEndpoint: Bool { true }

    func run(_ step: Step, in cell: CellExecutor) throws {
        guard let ep = cell.endpoints.reserve(for: cell.transport) else {
            throw StepProblem.error("could not reserve a \(cell.transport.rawValue) endpoint")
        }
        cell.bound[alias] = ep
    }
}

struct ConnectStep: StepAction {
    static let name = "connect"
    static let keys = ["socket", "to", "endpoint"]
    static let summary =
        "Connects `to:` an endpoint name or a socket (its last bound endpoint), or to a literal `endpoint:`; `{port:NAME}` in a literal stands for NAME's port."
    var socket: String
    var to: EndpointRef

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(socket: try scope.socket(a), to: try scope.endpointRef(a))
    }

    var pinsEndpoint: Bool { to.literal != nil }

    func run(_ step: Step, in cell: CellExecutor) throws {
        try cell.prepare(socket)
        // Multicast has no binder to reach: every socket joins the group on its own interface.
        var ep = cell.transport.isMulticast && to.literal == nil ? try cell.allocatedEndpoint(for: socket) : try cell.endpoint(to)
        // tipc binds a name sequence {type,lower,upper} and connects to a name {type,instance}@zone.
        if cell.transport == .tipc, to.literal == nil, let close = ep.lastIndex(of: ","), ep.hasSuffix("}") {
            ep = String(ep[..<close]) + "}@0.0.0"
        }
        let through = try cell.traced(ep)
        try cell.expectOutcome(step, "connect \(ep)") { try cell.id(socket).connect(through) }
    }
}

/// `disconnect` and `unbind`: the same arguments, a different call.
protocol DetachStep: StepAction {
    var socket: String { get }
    var from: EndpointRef { get }
    init(socket: String, from: EndpointRef)
    static func detach(_ s: SocketRef, _ endpoint: String) throws
}

extension DetachStep {
    static var keys: [String] { ["socket", "to", "endpoint"] }

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(socket: try scope.socket(a), from: try scope.endpointRef(a))
    }

    var pinsEndpoint: Bool { from.literal != nil }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let ep = try cell.endpoint(from)
        // A traced socket disconnects from the relay it connected to; unbind names the target itself.
        let actual = Self.self == DisconnectStep.self ? cell.connectedEndpoint(ep) : ep
        try cell.expectOutcome(step, "\(Self.name) \(ep)") { try Self.detach(try cell.id(socket), actual) }
    }
}

struct DisconnectStep: DetachStep {
    static let name = "disconnect"
    static let summary = "Disconnects from an endpoint, named as in `connect`."
    var socket: String
    var from: EndpointRef
    static func detach(_ s: SocketRef, _ endpoint: String) throws { try s.disconnect(endpoint) }
}

struct UnbindStep: DetachStep {
    static let name = "unbind"
    static let summary = "Unbinds an endpoint, named as in `connect`."
    var socket: String
    var from: EndpointRef
    static func detach(_ s: SocketRef, _ endpoint: String) throws { try s.unbind(endpoint) }
}

struct CloseStep: StepAction {
    static let name = "close"
    static let keys = ["socket"]
    static let summary = "Closes a socket; its monitor, if any, goes on to report the close."
    var socket: String

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let s = try scope.socket(a)
        scope.sockets[s] = nil
        return Self(socket: s)
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        try cell.expectOutcome(step, "close") { try cell.id(socket).close() }
        cell.sockets[socket] = nil
    }
}

/// The end of a context under a blocked call: the call returns ETERM (zmq_ctx_shutdown(3),
/// zmq_ctx_term(3)). The cell's context is spent afterwards: only closes may follow.
struct ShutdownDuringRecvStep: StepAction {
    static let name = "shutdown_during_recv"
    static let keys = ["socket", "after", "within"]
    static let summary =
        "Blocks a receive on a socket; once it has blocked for `after` (default 100ms), shuts the context down; the receive must end with ETERM within the bound. Only closes may follow."
    var socket: String
    var afterMs: Int
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(socket: try scope.socket(a), afterMs: try a.duration("after", default: 100), withinMs: try a.within())
    }

    var neededFeatures: Set<Feature> { [.contextShutdown] }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let seen = try cell.id(socket).shutdownDuringReceive(afterMs: afterMs, timeoutMs: withinMs)
        guard seen == "ETERM" else {
            throw StepProblem.mismatch(expected: "the receive blocked on \(socket) to end with ETERM when the context shuts down", seen: seen)
        }
    }
}
