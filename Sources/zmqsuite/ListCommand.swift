import ArgumentParser
import Foundation
import Harness

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the cases with their spec references and levels (or the clauses, the step language, the agent protocol's tables).")

    @OptionGroup var catalogue: CatalogueOptions

    @Flag(name: .long, help: "Group by clause: document and section -> the cases that check it.")
    var bySpec = false

    @Flag(name: .long, help: "Machine-readable: one JSON array of cases with their structured spec keys.")
    var json = false

    @Flag(name: .long, help: "The step language: one Markdown row per step (the README's table).")
    var steps = false

    @Flag(name: .long, help: "The agent protocol's option table (agents/PROTOCOL.md).")
    var options = false

    @Flag(name: .long, help: "The agent protocol's monitor event table (agents/PROTOCOL.md).")
    var events = false

    @Flag(name: .long, help: "The agent protocol's transport table (agents/PROTOCOL.md).")
    var transports = false

    func run() throws {
        if steps { print(StepRegistry.markdownTable(), terminator: ""); return }
        if options { print(ProtocolTables.options(), terminator: ""); return }
        if events { print(ProtocolTables.events(), terminator: ""); return }
        if transports { print(ProtocolTables.transports(), terminator: ""); return }
        let cases = try catalogue.load()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(cases.map(CaseListing.init)), as: UTF8.self))
        } else if bySpec {
            print(CaseListing.bySpec(cases), terminator: "")
        } else {
            for c in cases {
                print("\(c.id)  [\(c.level.rawValue)]  \(c.transports.map(\.rawValue).joined(separator: ","))")
                print("    \(c.spec)")
                if !c.title.isEmpty { print("    \(c.title)") }
            }
            let cells = cases.reduce(0) { $0 + $1.transports.count }
            print("\(cases.count) cases, \(cells) cells, \(Set(cases.map(\.area)).count) areas")
        }
    }
}
