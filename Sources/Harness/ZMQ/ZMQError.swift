import CZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

/// A libzmq call failed. Carries the errno and its symbolic name (EAGAIN, EFSM, ...),
/// which is what cases name in `expect_error`.
public struct ZMQError: Error, CustomStringConvertible, Equatable, Sendable {
    public let code: Int32
    public let operation: String

    /// The errno name as an agent reported it, for names this table does not know.
    public let reportedName: String?

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
        reportedName = nil
    }

    /// An error an agent reported by name (agents/PROTOCOL.md).
    public init(name: String, operation: String) {
        code = ErrnoName.code(of: name) ?? -1
        self.operation = operation
        reportedName = name
    }

    /// The error of the last libzmq call on this thread.
    public static func last(_ operation: String) -> ZMQError {
        ZMQError(code: zmq_errno(), operation: operation)
    }

    public var name: String { reportedName ?? ErrnoName.name(of: code) }
    public var description: String {
        reportedName != nil ? "\(operation): \(name)" : "\(operation): \(name) (\(String(cString: zmq_strerror(code))))"
    }
}

/// Symbolic errno names, both libzmq's own (above ZMQ_HAUSNUMERO) and the POSIX ones it returns.
public enum ErrnoName {
    private static let hausnumero: Int32 = 156_384_712
    static let table: [(String, Int32)] = [
        ("EAGAIN", EAGAIN), ("EINTR", EINTR), ("EINVAL", EINVAL), ("EFAULT", EFAULT),
        ("ENOMEM", ENOMEM), ("ENODEV", ENODEV), ("ENOENT", ENOENT), ("EMFILE", EMFILE),
        ("ENOTSUP", ENOTSUP), ("EPROTONOSUPPORT", EPROTONOSUPPORT), ("ENOBUFS", ENOBUFS),
        ("ENETDOWN", ENETDOWN), ("EADDRINUSE", EADDRINUSE), ("EADDRNOTAVAIL", EADDRNOTAVAIL),
        ("ECONNREFUSED", ECONNREFUSED), ("EINPROGRESS", EINPROGRESS), ("ENOTSOCK", ENOTSOCK),
        ("EMSGSIZE", EMSGSIZE), ("EAFNOSUPPORT", EAFNOSUPPORT), ("ENETUNREACH", ENETUNREACH),
        ("ECONNABORTED", ECONNABORTED), ("ECONNRESET", ECONNRESET), ("ENOTCONN", ENOTCONN),
        ("ETIMEDOUT", ETIMEDOUT), ("EHOSTUNREACH", EHOSTUNREACH), ("ENETRESET", ENETRESET),
        ("EFSM", hausnumero + 51), ("ENOCOMPATPROTO", hausnumero + 52),
        ("ETERM", hausnumero + 53), ("EMTHREAD", hausnumero + 54),
    ]

    public static func name(of code: Int32) -> String {
        table.first { $0.1 == code }?.0 ?? "errno \(code)"
    }

    public static func code(of name: String) -> Int32? {
        table.first { $0.0 == name }?.1
    }

    public static var allNames: [String] { table.map(\.0) }
}
