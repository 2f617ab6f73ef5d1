import Foundation
import Yams

/// The implementations a run may use: libzmq in process, and the agents listed in
/// agents/registry.yaml (users add their own there).
public struct Registry: Sendable {
    public struct Entry: Codable, Sendable {
        public var name: String
        /// How to start the agent here; or
        public var command: [String]?
        /// where one already listens (`zmqsuite agent-serve --listen HOST:PORT` on another machine).
        public var connect: String?
        public var description: String?
    }

    struct File: Codable { var implementations: [Entry] }

    public let entries: [Entry]
    public let root: String

    public static func load(_ path: String) throws -> Registry {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw RegistryError(file: path, message: "cannot read: \(error.localizedDescription)")
        }
        do {
            let file = try YAMLDecoder().decode(File.self, from: text)
            if let dup = Dictionary(grouping: file.implementations, by: \.name).first(where: { $0.value.count > 1 || $0.key == "libzmq" }) {
                throw RegistryError(file: path, message: "implementation name '\(dup.key)' is taken")
            }
            for e in file.implementations {
                switch (e.command, e.connect) {
                case (let c?, nil) where !c.isEmpty: continue
                case (nil, let address?) where LineProcess.remoteAddress("tcp://" + address) != nil: continue
                case (nil, let address?):
                    throw RegistryError(file: path, message: "\(e.name): connect '\(address)': expected HOST:PORT with an IPv4 address, e.g. 10.0.0.2:5600")
                default:
                    throw RegistryError(file: path, message: "\(e.name): expected either command (how to start the agent) or connect (HOST:PORT of an agent-serve)")
                }
            }
            let root = URL(fileURLWithPath: path).deletingLastPathComponent().deletingLastPathComponent().path
            return Registry(entries: file.implementations, root: root)
        } catch let e as RegistryError { throw e } catch {
            throw RegistryError(file: path, message: "bad registry: \(error)")
        }
    }

    /// Where scripts keep what they build (scripts/build-libzmq-draft): `{cache}` in a command.
    public static var cacheDirectory: String {
        let env = ProcessInfo.processInfo.environment
        if let own = env["ZMQSUITE_CACHE"] { return own }
        return (env["XDG_CACHE_HOME"] ?? NSHomeDirectory() + "/.cache") + "/zmqsuite"
    }

    /// The command with {bin}, {cache} and relative paths resolved.
    public func command(for entry: Entry, bin: String) -> [String] {
        if let address = entry.connect { return ["tcp://" + address] }
        return (entry.command ?? []).enumerated().map { i, part in
            let p = part.replacingOccurrences(of: "{bin}", with: bin).replacingOccurrences(of: "{cache}", with: Self.cacheDirectory)
            if i == 0 && !p.hasPrefix("/") { return root + "/" + p }
            if p.hasPrefix("agents/") || p.hasPrefix(".venv/") { return root + "/" + p }
            return p
        }
    }

    /// The agent command that runs an implementation in a process of its own (inside a host,
    /// for instance): zmq-agent for the in-process libzmq, else the implementation's entry.
    public func agentCommand(for implementation: String, bin: String) -> [String]? {
        let name = implementation == "libzmq" ? "zmq-agent" : implementation
        return entries.first { $0.name == name }.map { command(for: $0, bin: bin) }
    }

    /// An implementation: a driver, or the reason it cannot be used here.
    public enum Availability {
        case ready(Driver)
        case unavailable(String)
    }

    /// Starts the named implementations. "libzmq" is the in-process one; with `isolated` it is
    /// driven through zmq-agent instead (still named libzmq), so that an abort inside libzmq
    /// ends one cell, not the run: the interop matrix has no worker processes.
    public func open(_ names: [String], bin: String, isolated: Bool = false) -> [(String, Availability)] {
        names.map { name in
            if name == "libzmq" {
                guard isolated else { return (name, .ready(LibzmqDriver())) }
                guard let command = agentCommand(for: name, bin: bin) else { return (name, .unavailable("no zmq-agent entry in the registry")) }
                do { return (name, .ready(try AgentDriver(name: name, command: command))) } catch {
                    return (name, .unavailable("\(error)"))
                }
            }
            guard let entry = entries.first(where: { $0.name == name }) else {
                return (name, .unavailable("not in the registry (known: \((["libzmq"] + entries.map(\.name)).joined(separator: ", ")))"))
            }
            // A built artifact the entry names (a {cache} path) that is not there yet.
            let resolved = command(for: entry, bin: bin)
            for (part, path) in zip(entry.command ?? [], resolved) where part.contains("{cache}") && !FileManager.default.fileExists(atPath: path) {
                return (name, .unavailable("\(path) does not exist yet (\(entry.description ?? "see agents/registry.yaml"))"))
            }
            do { return (name, .ready(try AgentDriver(name: name, command: resolved))) } catch {
                return (name, .unavailable("\(error)"))
            }
        }
    }

    public var allNames: [String] { ["libzmq"] + entries.map(\.name) }
}
