import ArgumentParser
import Foundation
import Harness

struct Impls: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the implementations and what each can do.")

    @Flag(help: "Print the capabilities as JSON.")
    var json = false

    @OptionGroup var registryOptions: RegistryOptions

    func run() throws {
        let registry = try registryOptions.load()
        let opened = registry.open(registry.allNames, bin: registryOptions.bin)
        defer { for case (_, .ready(let d as AgentDriver)) in opened { d.shutdown() } }
        if json {
            let infos = opened.compactMap { entry -> ImplementationInfo? in
                if case .ready(let d) = entry.1 { return d.info }
                return nil
            }
            print(String(decoding: try ReportWriter.encoder().encode(infos), as: UTF8.self))
            return
        }
        for (name, availability) in opened {
            guard case .ready(let driver) = availability else {
                if case .unavailable(let why) = availability { print("\(name): UNAVAILABLE: \(why)\n") }
                continue
            }
            let i = driver.info
            let c = i.capabilities
            let how = driver is AgentDriver ? "agent" : "in process"
            print("\(name): \(i.name == name ? "" : i.name + " ")\(i.version)  (\(how), \(i.library))")
            print("  socket types: \(c.socketTypes.joined(separator: " "))")
            print("  transports:")
            for t in Transport.allCases {
                print("    \(t.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) \(c.unsupportedReason(transport: t).map { "no: \($0)" } ?? "yes")")
            }
            print("  mechanisms: \(c.mechanisms.joined(separator: " "))")
            print("  features: \(c.features.joined(separator: " "))")
            if !c.zmqHas.isEmpty {
                print("  zmq_has: " + c.zmqHas.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value ? "yes" : "no")" }.joined(separator: " "))
                print("  draft API symbols: " + c.draftSymbols.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value ? "yes" : "no")" }.joined(separator: " "))
            }
            print("")
        }
    }
}
