import ArgumentParser
import Foundation
import Harness

struct Hosts: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The network namespaces that multicast and cross-host cells run on.",
        subcommands: [List.self, Cleanup.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Namespaces the suite made that still exist, with their owner process.")
        func run() throws {
            let all = HostNetwork.existing()
            if all.isEmpty { print("no zmqsuite hosts") }
            for (name, pid) in all { print("\(name)  owner \(pid) \(HostNetwork.isAlive(pid) ? "running" : "gone")") }
        }
    }

    struct Cleanup: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove the namespaces (and their veths, bridge and /etc/netns files) of runs that are gone.")
        @Flag(name: .long, help: "Also remove those of runs still going.") var all = false
        func run() throws {
            if let why = HostNetwork.unavailableReason() { throw ValidationError("hosts cleanup: \(why)") }
            let removed = HostNetwork.removeLeftovers(all: all)
            print(removed.isEmpty ? "nothing to remove" : "removed \(removed.count) namespace(s): \(removed.joined(separator: " "))")
        }
    }
}
