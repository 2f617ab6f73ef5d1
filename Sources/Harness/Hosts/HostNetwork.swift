import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One simulated host: a network namespace with an interface on the suite's private segment.
public struct NamespaceHost: Sendable, Codable {
    public var label: String  // "a", "b", ... as cases name them
    public var namespace: String  // zsh<pid>-a
    public var interface: String  // eth0 inside the namespace
    public var address: String  // 10.213.0.x
}

extension NamespaceHost: CustomStringConvertible {
    /// "a=zsh1234-a eth0 10.213.0.2", as reports and progress lines name a host.
    public var description: String { "\(label)=\(namespace) \(interface) \(address)" }
}

/// Real hosts on one machine for multicast and cross-host cases: network namespaces joined
/// by veth pairs to a bridge that lives in a namespace of its own, so the root namespace
/// (`ip link`) never sees anything the suite made. Addresses come from 10.213.0.0/24, used
/// only inside these namespaces. Each namespace gets lo up, a multicast route, and
/// /etc/netns/NAME/nsswitch.conf with `hosts: files` (OpenPGM resolves names through NSS and
/// would otherwise wait for DNS). Names carry the owner's pid: leftovers of a killed run are
/// recognised and removed (`zmqsuite hosts cleanup`, or the next run).
public final class HostNetwork: @unchecked Sendable {
    public static let prefix = "zsh"
    public static let ip = "/usr/sbin/ip"
    public let hosts: [NamespaceHost]
    private let owner: Int32
    private var removed = false
    private let lock = NSLock()

    /// Why hosts cannot be made here, or nil when they can.
    public static func unavailableReason() -> String? {
        if geteuid() != 0 { return "network namespaces need root (run as root, e.g. in CI)" }
        if !FileManager.default.isExecutableFile(atPath: ip) { return "\(ip) is missing (apt-get install iproute2; scripts/setup does)" }
        return nil
    }

    /// Creates `count` hosts labelled a, b, c, ...
    public init(count: Int) throws {
        if let why = Self.unavailableReason() { throw HostError.unavailable(why) }
        owner = getpid()
        Self.removeLeftovers()
        // Before the first namespace exists, so that an interrupted setup is cleaned up too.
        Self.guardExit()
        let base = "\(Self.prefix)\(owner)"
        let sw = "\(base)-sw"
        var made: [NamespaceHost] = []
        do {
            try Self.ip("netns add \(sw)")
            try Self.ip("-n \(sw) link add br0 type bridge")
            try Self.ip("-n \(sw) link set br0 up")
            for i in 0..<count {
                let label = String(UnicodeScalar(UInt8(97 + i)))
                let ns = "\(base)-\(label)"
                try Self.writeNSSwitch(ns)
                try Self.ip("netns add \(ns)")
                // Both ends are created inside their namespaces: nothing appears in the root one.
                try Self.ip("-n \(ns) link add eth0 type veth peer name p\(label) netns \(sw)")
                try Self.ip("-n \(sw) link set p\(label) master br0 up")
                let address = "10.213.0.\(i + 2)"
                try Self.ip("-n \(ns) addr add \(address)/24 dev eth0")
                try Self.ip("-n \(ns) link set eth0 up")
                try Self.ip("-n \(ns) link set lo up")
                try Self.ip("-n \(ns) route add 224.0.0.0/4 dev eth0")
                made.append(NamespaceHost(label: label, namespace: ns, interface: "eth0", address: address))
            }
        } catch {
            Self.remove(owner: owner)
            throw error
        }
        hosts = made
    }

    /// Removes this process's namespaces however it ends: exit() (a second Ctrl-C), or
    /// SIGTERM/SIGHUP. kill -9 leaves them to `zmqsuite hosts cleanup` or the next run.
    private static let exitGuard: Void = {
        atexit { HostNetwork.remove(owner: getpid()) }
        for sig in [SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                HostNetwork.remove(owner: getpid())
                _exit(128 + sig)
            }
            source.resume()
            signalSources.append(source)
        }
    }()
    nonisolated(unsafe) private static var signalSources: [DispatchSourceSignal] = []
    private static func guardExit() { _ = exitGuard }

    deinit { remove() }

    /// Every host, as progress lines name them.
    public var description: String { hosts.map(\.description).joined(separator: ", ") }

    /// The command that runs `argv` inside a host.
    public func command(on host: NamespaceHost, _ argv: [String]) -> [String] {
        [Self.ip, "netns", "exec", host.namespace] + argv
    }

    /// Takes a host's link down (a real partition: its peers hear nothing, no reset, no close)
    /// or up again, restoring the multicast route the link's going down removed.
    public static func setLink(of host: NamespaceHost, up: Bool) throws {
        try ip("-n \(host.namespace) link set \(host.interface) \(up ? "up" : "down")")
        if up { _ = try? ip("-n \(host.namespace) route replace 224.0.0.0/4 dev \(host.interface)") }
    }

    /// Removes every namespace and file this network made (idempotent).
    public func remove() {
        lock.lock(); defer { lock.unlock() }
        guard !removed else { return }
        removed = true
        Self.remove(owner: owner)
    }

    /// The namespaces of the suite that exist now, with their owners.
    public static func existing() -> [(name: String, owner: Int32)] {
        guard let out = ChildProcess.output(of: ip, ["netns", "list"]) else { return [] }
        return out.split(separator: "\n").compactMap { line in
            let name = String(line.split(separator: " ").first ?? "")
            guard name.hasPrefix(prefix), let dash = name.firstIndex(of: "-"),
                let pid = Int32(name[name.index(name.startIndex, offsetBy: prefix.count)..<dash])
            else { return nil }
            return (name, pid)
        }
    }

    /// Removes what runs that are no longer alive left behind (or everything, `all`); returns
    /// the namespaces removed.
    @discardableResult
    public static func removeLeftovers(all: Bool = false) -> [String] {
        var gone: [String] = []
        for (name, pid) in existing() where all || !isAlive(pid) {
            _ = try? run(["netns", "delete", name])
            gone.append(name)
        }
        // nsswitch folders whose namespace is gone.
        let dir = "/etc/netns"
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where entry.hasPrefix(prefix) {
            if !existing().contains(where: { $0.name == entry }) { try? FileManager.default.removeItem(atPath: "\(dir)/\(entry)") }
        }
        return gone
    }

    /// A process that exists and is not a zombie (a run killed with -9 can linger as one).
    public static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return !stat[close...].dropFirst(2).hasPrefix("Z")
    }

    private static func remove(owner: Int32) {
        for (name, pid) in existing() where pid == owner { _ = try? run(["netns", "delete", name]) }
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/etc/netns")) ?? [] where entry.hasPrefix("\(prefix)\(owner)-") {
            try? FileManager.default.removeItem(atPath: "/etc/netns/\(entry)")
        }
    }

    private static func writeNSSwitch(_ ns: String) throws {
        let dir = "/etc/netns/\(ns)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "hosts: files\n".write(toFile: dir + "/nsswitch.conf", atomically: true, encoding: .utf8)
    }

    /// Runs `ip` with a command line of words without spaces.
    static func ip(_ command: String) throws { try run(command.split(separator: " ").map(String.init)) }

    static func run(_ args: [String]) throws {
        let r = ChildProcess.run(ip, args)
        guard r.status == 0 else { throw HostError.command("ip \(args.joined(separator: " ")): \(r.output.trimmingCharacters(in: .whitespacesAndNewlines))") }
    }
}

public enum HostError: Error, CustomStringConvertible {
    case unavailable(String)
    case command(String)
    public var description: String {
        switch self {
        case .unavailable(let s): return "hosts unavailable: \(s)"
        case .command(let s): return "making hosts failed: \(s)"
        }
    }
}
