/// zmq_proxy and zmq_proxy_steerable over sockets of the case.
enum ProxySteps {
    static let all: [any StepAction.Type] = [ProxyStep.self, AwaitProxyExitStep.self]
}

struct ProxyStep: StepAction {
    static let name = "proxy"
    static let keys = ["name", "frontend", "backend", "capture", "control"]
    static let summary =
        "Runs `zmq_proxy` between `frontend` and `backend` (or `zmq_proxy_steerable` with `control:`), with an optional `capture:`; the sockets then belong to it."
    var proxyName: String
    var frontend: String
    var backend: String
    var capture: String?
    var control: String?

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let pname = try a.string("name")
        let names = try ["frontend", "backend", "capture", "control"].map { key in try a[key].map { try scope.existingSocket($0) } }
        guard let fe = names[0], let be = names[1] else { throw a.fail("proxy needs frontend and backend") }
        for n in names.compactMap({ $0 }) { scope.proxyOwned.insert(n) }
        scope.proxies.insert(pname)
        return Self(proxyName: pname, frontend: fe, backend: be, capture: names[2], control: names[3])
    }

    var neededFeatures: Set<Feature> { [.proxy] }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let refs = try ([frontend, backend] + [capture, control].compactMap { $0 }).map { try cell.id($0) }
        let owner = refs[0].session
        guard refs.allSatisfy({ $0.session === owner }) else {
            throw StepProblem.unsupported("a proxy's sockets must live in one implementation")
        }
        let p = try cell.wrap("proxy") {
            try owner.startProxy(
                frontend: try cell.id(frontend).id, backend: try cell.id(backend).id,
                capture: try capture.map { try cell.id($0).id }, control: try control.map { try cell.id($0).id })
        }
        cell.proxies[proxyName] = (owner, p)
    }
}

struct AwaitProxyExitStep: StepAction {
    static let name = "await_proxy_exit"
    static let keys = ["name", "within"]
    static let summary = "Waits for a proxy to return (after TERMINATE or a context end) and checks how it returned."
    var proxyName: String
    var withinMs: Int

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let p = try a.string("name")
        guard scope.proxies.contains(p) else { throw try a.required("name").fail("proxy '\(p)' used before it exists") }
        return Self(proxyName: p, withinMs: try a.within())
    }

    var neededFeatures: Set<Feature> { [.proxy] }

    func run(_ step: Step, in cell: CellExecutor) throws {
        guard let p = cell.proxies[proxyName] else { throw StepProblem.error("no proxy '\(proxyName)'") }
        let (returned, error) = p.0.waitProxy(p.1, timeoutMs: withinMs)
        guard returned else { throw StepProblem.mismatch(expected: "proxy \(proxyName) to return within \(withinMs) ms", seen: "still running") }
        let seen = error ?? "ok"
        guard step.accepts(seen) else {
            throw StepProblem.mismatch(expected: "proxy return: \(step.acceptText)", seen: seen)
        }
    }
}
