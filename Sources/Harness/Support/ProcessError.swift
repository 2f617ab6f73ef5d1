import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process could not be started: which call failed and why (errno's text).
public struct ProcessError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let code: Int32

    public init(_ operation: String, code: Int32) {
        self.operation = operation
        self.code = code
    }

    public var description: String { "\(operation): \(String(cString: strerror(code)))" }
}
