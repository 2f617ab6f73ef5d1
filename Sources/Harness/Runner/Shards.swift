/// A stable split of a run's cells into N shards, so that N machines (a CI job matrix) each
/// run one and `zmqsuite merge` puts the records back together. A cell's shard depends only
/// on its own identity (case, transport, implementations), never on the order of planning or
/// on Swift's per-process hash seed: every machine agrees on it.
public struct Shard: Sendable, Equatable {
    public let index: Int  // 1-based
    public let count: Int

    /// Parses "K/N" with 1 <= K <= N.
    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, k >= 1, k <= n else { return nil }
        (index, count) = (k, n)
    }

    public func contains(_ cell: Cell) -> Bool {
        Int(Self.fnv1a(cell.shardKey) % UInt64(count)) == index - 1
    }

    /// FNV-1a, 64 bits: small, stable across processes and machines.
    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in s.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }
}

extension Cell {
    /// What identifies a cell across machines: case, transport and who runs it.
    public var shardKey: String {
        let who: String
        switch mode {
        case .runner: who = ""
        case .solo(let d): who = d.info.name
        case .pair(let binder, let connector): who = "\(binder.info.name)>\(connector.info.name)"
        case .hosts(_, let acrossHosts): who = acrossHosts ? "across-hosts" : "hosts"
        }
        return "\(definition.id)@\(transport.rawValue)@\(who)"
    }
}
