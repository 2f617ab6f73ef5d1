/// Every step of the case language, by family. Adding a step means adding its type to its
/// family's file (and that family's `all`); nothing else switches over steps.
public enum StepRegistry {
    static let families: [(name: String, steps: [any StepAction.Type])] = [
        ("sockets", SocketSteps.all),
        ("messaging", MessagingSteps.all),
        ("distribution", DistributionSteps.all),
        ("monitor", MonitorSteps.all),
        ("security", SecuritySteps.all),
        ("proxy", ProxySteps.all),
        ("raw", RawSteps.all),
        ("wire", WireSteps.all),
        ("relays", RelaySteps.all),
        ("faults", FaultSteps.all),
        ("draft", DraftSteps.all),
    ]

    static let byName: [String: any StepAction.Type] = {
        var out: [String: any StepAction.Type] = [:]
        for family in families {
            for step in family.steps {
                precondition(out[step.name] == nil, "step '\(step.name)' is registered twice")
                out[step.name] = step
            }
        }
        return out
    }()

    /// Every step name, sorted.
    public static var names: [String] { byName.keys.sorted() }

    /// The README's step table: one row per step, family by family.
    public static func markdownTable() -> String {
        var out = "| step | family | keys | what it does |\n|---|---|---|---|\n"
        for family in families {
            for step in family.steps {
                let keys = step.keys.map { "`\($0)`" }.joined(separator: ", ")
                out += "| `\(step.name)` | \(family.name) | \(keys) | \(step.summary) |\n"
            }
        }
        return out
    }
}
