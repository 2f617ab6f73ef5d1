/// agents/registry.yaml cannot be used: which file and what is wrong with it.
public struct RegistryError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let message: String

    public var description: String { "\(file): \(message)" }
}
