/// One kind of step in the case language. A conforming type holds everything about its step:
/// the YAML name and argument keys, the parser, what it needs from a driver, and how it runs.
/// The parser, the case model and the cell executor look steps up in `StepRegistry`; none of
/// them switches over step kinds.
protocol StepAction: Sendable {
    /// The step's name in YAML and in reports.
    static var name: String { get }
    /// The argument keys the step takes (under its name).
    static var keys: [String] { get }
    /// One sentence for the README's step table.
    static var summary: String { get }
    /// Reads the step's arguments, checking every name against what earlier steps created.
    static func parse(_ args: StepArgs, in scope: inout CaseScope) throws -> Self

    /// Harness features a driver must offer for this step (Capabilities.features).
    var neededFeatures: Set<Feature> { get }
    /// Socket options the step sets or reads.
    var optionsUsed: [SocketOption] { get }
    /// The step names an endpoint the runner did not allocate (a literal, a reserved port,
    /// a raw connection or relay on loopback), so its cell cannot be split across hosts.
    var pinsEndpoint: Bool { get }
    /// Runs the step in a cell; throws StepProblem when it does not hold.
    func run(_ step: Step, in cell: CellExecutor) throws
}

extension StepAction {
    var neededFeatures: Set<Feature> { [] }
    var optionsUsed: [SocketOption] { [] }
    var pinsEndpoint: Bool { false }
    /// The name people read in reports.
    var name: String { Self.name }
}

/// A harness feature a step needs from a driver; agents list the ones they offer in `hello`.
public enum Feature: String, CaseIterable, Codable, Sendable {
    case monitor, zap, proxy, curveKeypair = "curve_keypair", properties
    /// Receiving one frame of a message at a time (the recv_frame op).
    case frames = "recv_frame"
    /// The draft API: join/leave, groups and routing ids on messages, connect_peer.
    case draftAPI = "draft_api"
    /// A ZAP handler that answers with a chosen defect (zap's `fault`).
    case zapFaults = "zap_fault"
    /// Shutting the context down under a blocked receive (the recv_until_shutdown op).
    case contextShutdown = "ctx_shutdown"
}
