import Foundation
import Harness
import Testing

/// Proof that catalogue cases can fail: each mutation breaks the behaviour a real case checks
/// (mostly by an option that changes the behaviour, a few by a wrong expectation) and the
/// case must then not PASS. The text replaced must exist, so a case edit cannot silently
/// disarm its mutation.
@Suite("Catalogue cases fail when their behaviour is broken")
struct MutationTests {
    struct Mutation: CustomStringConvertible, Sendable {
        var file: String, caseId: String, replace: String, with: String
        var description: String { caseId }
    }

    static let mutations: [Mutation] = [
        .init(
            file: "reqrep/req.yaml", caseId: "reqrep.req.lockstep",
            replace: "- socket: { name: client, type: REQ }", with: "- socket: { name: client, type: REQ, options: { req_relaxed: 1 } }"),
        .init(
            file: "reqrep/router.yaml", caseId: "reqrep.router.mandatory-unroutable",
            replace: "options: { router_mandatory: 1 }", with: "options: { router_mandatory: 0 }"),
        .init(
            file: "reqrep/rep.yaml", caseId: "reqrep.rep.envelope",
            replace: "expect: [\"X\", \"Y\", \"\", \"reply\"]", with: "expect: [\"reply\"]"),
        .init(
            file: "pubsub/pub-sub.yaml", caseId: "pubsub.sub.prefix-filter",
            replace: "subscribe: \"weather.\"", with: "subscribe: \"\""),
        .init(
            file: "pubsub/xpub-xsub.yaml", caseId: "pubsub.xpub.filters-duplicates",
            replace: "- socket: { name: xpub, type: XPUB }", with: "- socket: { name: xpub, type: XPUB, options: { xpub_verbose: 1 } }"),
        .init(
            file: "pipeline/push-pull.yaml", caseId: "pipeline.push.round-robin",
            replace: "expect: { w1: 4, w2: 4, w3: 4 }", with: "expect: { w1: 6, w2: 3, w3: 3 }"),
        .init(
            file: "options/options.yaml", caseId: "options.conflate.keeps-last",
            replace: "conflate: 1", with: "conflate: 0"),
        .init(
            file: "options/options.yaml", caseId: "options.linger.zero-discards",
            replace: "options: { linger: 0 }", with: "options: { linger: 2000 }"),
        .init(
            file: "hwm/hwm.yaml", caseId: "hwm.push.blocks-at-mark",
            replace: "options: { sndhwm: 5 }", with: "options: { sndhwm: 50 }"),
        .init(
            file: "security/plain.yaml", caseId: "security.plain.refused",
            replace: "plain_password: \"wrong\"", with: "plain_password: \"secret\""),
        .init(
            file: "security/curve.yaml", caseId: "security.curve.wrong-server-key",
            replace: "curve_serverkey: { curve_public: impostor }", with: "curve_serverkey: { curve_public: server_keys }"),
        .init(
            file: "messages/sizes.yaml", caseId: "messages.maxmsgsize",
            replace: "maxmsgsize: 1000", with: "maxmsgsize: -1"),
        .init(
            file: "stream/stream.yaml", caseId: "stream.raw-peer-exchange",
            replace: "- socket: { name: s, type: STREAM }", with: "- socket: { name: s, type: STREAM, options: { stream_notify: 0 } }"),
        .init(
            file: "connection/lifecycle.yaml", caseId: "connection.disconnect",
            replace: "  - disconnect: { socket: push, to: w1 }\n", with: ""),
        .init(
            file: "proxy/proxy.yaml", caseId: "proxy.steerable-pause-resume",
            replace: "frames: [\"PAUSE\"]", with: "frames: [\"RESUME\"]"),
        .init(
            file: "wire/commands.yaml", caseId: "wire.command.heartbeat-timeout-closes",
            replace: "heartbeat_ivl: 50, heartbeat_timeout: 200", with: "heartbeat_ivl: 0, heartbeat_timeout: 200"),
        // Wire evidence: a valid peer type keeps the connection, so the refusal checks fail.
        .init(
            file: "pair/pair.yaml", caseId: "pair.refuses-other-types",
            replace: "- socket: { name: d, type: DEALER }", with: "- socket: { name: d, type: PAIR }"),
        .init(
            file: "wire/socket-types.yaml", caseId: "wire.socket-type.pair.refuses-invalid",
            replace: "socket_type: REQ, expect: refused", with: "socket_type: PAIR, expect: refused"),
        .init(
            file: "messages/multipart.yaml", caseId: "messages.multipart.rcvmore",
            replace: "expect: \"two\", more: true", with: "expect: \"two\", more: false"),
    ]

    /// The YAML document of one case in a catalogue file.
    static func document(_ m: Mutation) throws -> String {
        let text = try String(contentsOfFile: catalogueDirectory + "/" + m.file, encoding: .utf8)
        let docs = text.components(separatedBy: "\n---\n")
        return try #require(docs.first { $0.contains("id: \(m.caseId)\n") }, "\(m.caseId) not in \(m.file)")
    }

    @Test("the mutated case does not pass", arguments: mutations)
    func mutatedCaseFails(_ m: Mutation) throws {
        let original = try Self.document(m)
        #expect(original.contains(m.replace), "mutation anchor not found in \(m.caseId)")
        let mutated = original.replacingOccurrences(of: m.replace, with: m.with)
        let definition = try #require(try CaseLoader.load(yaml: mutated, file: m.file).first)
        let transport = definition.transports.contains(.tcp) ? Transport.tcp : definition.transports[0]
        let runner = ConformanceRunner(driver: sharedDriver, jobs: 1)
        let result = runner.runCell(Cell(definition: definition, transport: transport))
        #expect(result.outcome != .PASS, "\(m.caseId)@\(transport.rawValue) still passes with \(m.with)")
        #expect(result.outcome != .ERROR && result.outcome != .UNSUPPORTED, "\(m.caseId): \(result.outcome.rawValue) \(result.detail)")
    }
}
