/// A recording TCP relay between two sockets: the bytes that crossed, and who closed the
/// connection. Evidence on the wire for any pair of implementations.
enum RelaySteps {
    static let all: [any StepAction.Type] = [RelayStep.self, RelayExpectStep.self, RelayExpectClosedStep.self]
}

struct RelayStep: StepAction {
    static let name = "relay"
    static let keys = ["name", "to", "endpoint"]
    static let summary =
        "Starts a recording TCP relay in front of an endpoint (`to:` a name, or a literal `endpoint:`); its name is an endpoint other sockets connect to."
    var relayName: String
    var to: EndpointRef

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let n = try a.string("name")
        let to = try scope.endpointRef(a)
        scope.endpoints.insert(n)
        scope.relays.insert(n)
        return Self(relayName: n, to: to)
    }

    var pinsEndpoint: Bool { true }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let r = try TCPRelay(to: try cell.endpoint(to))
        r.start()
        cell.relays[relayName] = r
        cell.bound[relayName] = r.endpoint
    }
}

struct RelayExpectStep: StepAction {
    static let name = "relay_expect"
    static let keys = ["name", "absent", "present"]
    static let summary = "Checks the bytes that crossed a relay: `absent` from the wire or `present` on it."
    var relayName: String
    var absent: [UInt8]?
    var present: [UInt8]?

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let n = try a.string("name")
        guard scope.relays.contains(n) else { throw try a.required("name").fail("relay '\(n)' used before it exists") }
        return Self(
            relayName: n, absent: try a["absent"].map { Array(try $0.string("absent").utf8) },
            present: try a["present"].map { Array(try $0.string("present").utf8) })
    }

    func run(_ step: Step, in cell: CellExecutor) throws {
        let relay = try cell.relay(relayName)
        let seen = relay.seen
        if let absent, seen.contains(subsequence: absent) {
            throw StepProblem.mismatch(expected: "\(describeFrame(absent)) never on the wire", seen: "it is, in \(seen.count) relayed bytes")
        }
        if let present, !seen.contains(subsequence: present) {
            throw StepProblem.mismatch(expected: "\(describeFrame(present)) on the wire", seen: "not in \(seen.count) relayed bytes")
        }
    }
}

/// The proof that a peer was refused, as any implementation shows it: the connection ended.
struct RelayExpectClosedStep: StepAction {
    static let name = "relay_expect_closed"
    static let keys = ["name", "within", "or_error"]
    static let summary =
        "The relayed connection ends within the bound, closed by either side (the record says which): wire evidence of a refusal, whatever the implementations' APIs report. `or_error: true` also accepts a ZMTP ERROR command on the wire, for clauses that refuse without requiring a close."
    var relayName: String
    var withinMs: Int
    var orError: Bool

    static func parse(_ a: StepArgs, in scope: inout CaseScope) throws -> Self {
        let n = try a.string("name")
        guard scope.relays.contains(n) else { throw try a.required("name").fail("relay '\(n)' used before it exists") }
        return Self(relayName: n, withinMs: try a.within(), orError: try a.bool("or_error"))
    }

    /// A ZMTP command frame named ERROR (RFC 23 3.x): command-name length 5, then "ERROR".
    static let errorCommand: [UInt8] = [5] + Array("ERROR".utf8)

    func run(_ step: Step, in cell: CellExecutor) throws {
        let relay = try cell.relay(relayName)
        let deadline = monotonicMs() + Double(withinMs)
        while true {
            if let side = relay.awaitClose(timeoutMs: orError ? 10 : withinMs) {
                cell.observations.append("line \(step.line) \(Self.name): closed by \(side.rawValue) after \(relay.seen.count) relayed bytes")
                return
            }
            if orError, relay.seen.contains(subsequence: Self.errorCommand) {
                cell.observations.append("line \(step.line) \(Self.name): an ERROR command crossed (the connection stays open)")
                return
            }
            if !orError || monotonicMs() >= deadline { break }
        }
        let expected = "the connection through \(relayName) closed\(orError ? " or an ERROR command on it" : "") within \(withinMs) ms"
        let seen = "still open after \(relay.seen.count) relayed bytes"
        // A ZMTP/2.0 greeting on either side makes the connection ZMTP/2.0, whose RFC 15 says
        // only that peers SHOULD disconnect an invalid socket type.
        let (client, target) = relay.bySide
        if let old = [client, target].compactMap(Self.zmtp2Revision).first {
            throw StepProblem.mismatchAt(.SHOULD, expected: expected + " (RFC 15: SHOULD, since a greeting said \(old))", seen: seen)
        }
        throw StepProblem.mismatch(expected: expected, seen: seen)
    }

    /// "ZMTP/2.0 (revision 1)" when a greeting announces revision 1 (RFC 15: signature with the
    /// low bit of octet 9 set, then the revision), nil for ZMTP 3.x or too few bytes to tell.
    static func zmtp2Revision(_ greeting: [UInt8]) -> String? {
        guard greeting.count >= 11, greeting[0] == 0xFF, greeting[9] & 1 == 1, greeting[10] < 3 else { return nil }
        return "ZMTP/2.0 (revision \(greeting[10]))"
    }
}
