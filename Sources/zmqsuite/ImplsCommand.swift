import ArgumentParser
import Foundation
import Harness

struct Impls: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the implementations and what each can do.")

    @Flag(help: "Print the capabilities as JSON.")
    var json = false

    func run() throws {
        let infos = [LibzmqDriver().info]
        if json {
            print(String(decoding: try ReportWriter.encoder().encode(infos), as: UTF8.self))
            return
        }
        for i in infos {
            let c = i.capabilities
            print("\(i.name) \(i.version)  (in process, \(i.library))")
            print("  socket types: \(c.socketTypes.joined(separator: " "))")
            print("  transports:")
            for t in Transport.allCases {
                print("    \(t.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) \(c.unsupportedReason(transport: t).map { "no: \($0)" } ?? "yes")")
            }
            print("  mechanisms: \(c.mechanisms.joined(separator: " "))")
            print("  zmq_has: " + c.zmqHas.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value ? "yes" : "no")" }.joined(separator: " "))
            print("  draft API symbols: " + c.draftSymbols.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value ? "yes" : "no")" }.joined(separator: " "))
        }
    }
}
