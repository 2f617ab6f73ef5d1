import ArgumentParser
import Harness

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the cases with their spec references and levels.")

    @OptionGroup var catalogue: CatalogueOptions

    func run() throws {
        let cases = try catalogue.load()
        for c in cases {
            print("\(c.id)  [\(c.level.rawValue)]  \(c.transports.map(\.rawValue).joined(separator: ","))")
            print("    \(c.spec)")
            if !c.title.isEmpty { print("    \(c.title)") }
        }
        let cells = cases.reduce(0) { $0 + $1.transports.count }
        print("\(cases.count) cases, \(cells) cells, \(Set(cases.map(\.area)).count) areas")
    }
}
