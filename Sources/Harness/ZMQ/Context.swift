import CZeroMQ

/// A libzmq context. One per conformance cell, so inproc names and ZAP handlers never leak
/// between cells.
public final class Context: @unchecked Sendable {
    public let handle: UnsafeMutableRawPointer

    public init() throws {
        guard let h = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        handle = h
    }

    /// Makes blocking calls on this context's sockets return ETERM (proxies end this way).
    public func shutdown() { zmq_ctx_shutdown(handle) }

    /// Waits for every socket to be closed. Callers bound it (see `CellTeardown`).
    public func terminate() {
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }
}

public enum ZMQLibrary {
    public static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }

    /// zmq_has: what the library says it was built with. Probe by trying as well: 4.3.4 answers
    /// 0 for "ws" although the transport works.
    public static func has(_ capability: String) -> Bool { zmq_has(capability) == 1 }
}
