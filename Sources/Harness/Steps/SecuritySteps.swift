/// Security: a scripted ZAP handler, what it was asked, and CURVE key pairs.
enum SecuritySteps {
    static let all: [any StepAction.Type] = [ZAPStep.self, ExpectZAPStep.self, CurveKeysStep.self]
}

struct ZAPStep: StepAction {
    static let name = "zap"
    static let keys = ["status", "otherwise", "user_id", "status_text", "credentials", "fault"]
    static let summary =
        "Installs a ZAP handler (RFC 27) with a scripted verdict: `status` (for the listed `credentials`, else `otherwise`), `user_id`, `status_text`; `fault` makes every reply hostile (version, request_id, status_code, metadata, short)."
    var script: ZAPScript
    var fault: ZAPReplyFault?

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(
            script: ZAPScript(
                status: try a.string("status"), otherwise: try a["otherwise"]?.string("otherwise") ?? "400",
                userId: try a["user_id"]?.string("user_id") ?? "",
                statusText: try a["status_text"]?.string("status_text") ?? "scripted",
                acceptCredentials: try credentials(a)), fault: try a["fault"]?.enumValue("ZAP reply fault", ZAPReplyFault.self))
    }

    static func credentials(_ a: StepArgs) throws -> [[UInt8]]? {
        try a["credentials"].map { try $0.sequence("credentials").map { Array(try $0.string("credential").utf8) } }
    }

    var neededFeatures: Set<Feature> { fault == nil ? [.zap] : [.zap, .zapFaults] }

    func run(_ step: Step, in cell: CellExecutor) throws {
        var script = script
        script.fault = fault
        // Every implementation of the cell gets the handler: the server may be in any.
        for s in cell.sessions { try cell.wrap("install ZAP handler") { try s.installZAP(script) } }
    }
}

struct ExpectZAPStep: StepAction {
    static let name = "expect_zap"
    static let keys = ["count", "mechanism", "domain", "credentials", "status"]
    static let summary = "Checks the ZAP requests the handler saw: version, `mechanism`, `domain`, `credentials`, the peer address, and the `status` it answered."
    var count: Int
    var mechanism: String?
    var domain: String?
    var credentials: [[UInt8]]?
    var status: String?

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        Self(
            count: try a.positive("count") ?? 1, mechanism: try a["mechanism"]?.string("mechanism"),
            domain: try a["domain"]?.string("domain"), credentials: try ZAPStep.credentials(a),
            status: try a["status"]?.string("status"))
    }

    var neededFeatures: Set<Feature> { [.zap] }

    func run(_ step: Step, in cell: CellExecutor) throws {
        try cell.expectZAP(count: count, mechanism: mechanism, domain: domain, credentials: credentials, status: status)
    }
}

struct CurveKeysStep: StepAction {
    static let name = "curve_keys"
    static let keys = ["name"]
    static let summary = "Makes a CURVE key pair under a name; use it as `{curve_public: name}` / `{curve_secret: name}`."
    var keyName: String

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let k = try a.string("name")
        scope.keys.insert(k)
        return Self(keyName: k)
    }

    var neededFeatures: Set<Feature> { [.curveKeypair] }

    func run(_ step: Step, in cell: CellExecutor) throws {
        do { cell.keys[keyName] = try cell.sessions[0].curveKeyPair() } catch let e as ZMQError {
            throw StepProblem.unsupported("zmq_curve_keypair: \(e.name)")
        }
    }
}
