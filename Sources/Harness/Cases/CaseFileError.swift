/// A case file the loader refuses: which file, which line, and what is wrong.
public struct CaseFileError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int
    public let message: String

    public var description: String { "\(file):\(line): \(message)" }
}
