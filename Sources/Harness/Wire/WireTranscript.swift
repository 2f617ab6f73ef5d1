import Foundation
import NIOConcurrencyHelpers

/// What crossed the wire in a cell, decoded, in order: each greeting, command and frame with
/// its octets, and who closed. It goes into the record and the HTML details, as Autobahn
/// shows its wire log.
public final class WireTranscript: @unchecked Sendable {
    public enum Direction: String, Sendable { case toPeer = "→", fromPeer = "←", note = "·" }

    private let lines = NIOLockedValueBox<[String]>([])
    private let start = Date()
    /// A label for the connection in the lines ("p1"); set by the step that opened it.
    public var name: String

    public init(name: String = "") { self.name = name }

    /// Octets shown per line; the rest is counted.
    static let shownOctets = 48

    public func record(_ direction: Direction, _ label: String, _ bytes: [UInt8]) {
        let shown = hex(bytes.prefix(Self.shownOctets))
        let more = bytes.count > Self.shownOctets ? "... (\(bytes.count) octets)" : ""
        add("\(direction.rawValue) \(label) [\(shown)\(more)]")
    }

    public func note(_ text: String) { add("\(Direction.note.rawValue) \(text)") }

    private func add(_ line: String) {
        let ms = Int(Date().timeIntervalSince(start) * 1000)
        let prefix = name.isEmpty ? "" : "\(name) "
        lines.withLockedValue { $0.append(String(format: "%5d ms ", ms) + prefix + line) }
    }

    public var text: [String] { lines.withLockedValue { $0 } }
}
