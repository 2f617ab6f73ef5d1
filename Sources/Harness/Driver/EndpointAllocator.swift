import Foundation

/// Fresh endpoints for one cell, so cells can run in parallel: wildcard tcp ports (read back
/// through LAST_ENDPOINT), unique ipc paths in a private temporary directory, unique abstract
/// and inproc names.
public final class EndpointAllocator: @unchecked Sendable {
    private static let counter = AtomicCounter()
    private let tag: String
    private var directory: String?

    public init(cellTag: String) {
        tag = "\(getpid())-\(Self.counter.next())-" + cellTag.filter { $0.isLetter || $0.isNumber }.prefix(20)
    }

    public func bindEndpoint(for transport: Transport) -> String {
        let n = Self.counter.next()
        switch transport {
        case .tcp: return "tcp://127.0.0.1:*"
        case .tcp6: return "tcp://[::1]:*"
        case .ws: return "ws://127.0.0.1:*"
        case .inproc: return "inproc://zs-\(tag)-\(n)"
        case .ipcAbstract: return "ipc://@zs-\(tag)-\(n)"
        case .ipc:
            if directory == nil {
                let d = FileManager.default.temporaryDirectory.appendingPathComponent("zs-\(tag)").path
                try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
                directory = d
            }
            return "ipc://\(directory!)/\(n).sock"
        }
    }

    public func cleanup() {
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
    }
}

public final class AtomicCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    public init() {}
    public func next() -> Int {
        lock.lock(); defer { lock.unlock() }
        value += 1
        return value
    }
}
