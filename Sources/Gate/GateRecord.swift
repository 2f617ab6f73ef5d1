import Foundation
import Harness
import PerfTools

/// What a gate compares: one conformance run and one perf run of the same suite, with their
/// environments. A baseline is such a record kept in the repository (results/baselines/).
public struct GateRecord: Codable, Sendable {
    public static let currentSchema = 1
    public var schemaVersion = GateRecord.currentSchema
    public var kind = "gate-record"
    /// "quick" or "full": which cells and metrics were measured.
    public var suite: String
    /// The build configuration of the zmqsuite that measured it ("release" or "debug").
    public var build: String
    public var conformance: RunRecord
    /// The perf set measured several times in a row: how much a figure moves from one pass to
    /// the next is the machine's own noise, which no threshold below it can tell from a change.
    public var perfPasses: [PerfRecord]
    /// Instructions per message and per round trip counted under callgrind (kind
    /// "instructions"), when the record was made with them.
    public var instructions: [Metric]?

    public init(suite: String, build: String, conformance: RunRecord, perfPasses: [PerfRecord], instructions: [Metric]? = nil) {
        self.suite = suite
        self.build = build
        self.conformance = conformance
        self.perfPasses = perfPasses
        self.instructions = instructions
    }

    public var environment: RunEnvironment { conformance.environment }

    /// Every figure, its trials pooled over the passes.
    public var metrics: [Metric] {
        var byName: [String: Metric] = [:]
        var order: [String] = []
        for pass in perfPasses {
            for m in pass.results.flatMap(Metric.from) {
                if var seen = byName[m.name] {
                    seen.trials += m.trials
                    seen.passMedians += m.passMedians
                    seen.error = seen.error ?? m.error
                    byName[m.name] = seen
                } else {
                    byName[m.name] = m
                    order.append(m.name)
                }
            }
        }
        return order.map { byName[$0]! } + (instructions ?? [])
    }

    public static func load(_ path: String) throws -> GateRecord {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw GateError.unreadable("\(path): cannot read (\(error.localizedDescription))")
        }
        do {
            let record = try JSONDecoder.gate.decode(GateRecord.self, from: data)
            guard record.schemaVersion == currentSchema else {
                throw GateError.unreadable("\(path): schema \(record.schemaVersion), this zmqsuite reads schema \(currentSchema)")
            }
            return record
        } catch let e as GateError { throw e } catch {
            throw GateError.unreadable("\(path): not a gate record (\(error)); make one with 'zmqsuite baseline record'")
        }
    }

    public func write(to path: String) throws {
        try writeAtomically(try ReportWriter.encoder().encode(self), to: path)
    }
}

public enum GateError: Error, CustomStringConvertible {
    case unreadable(String)
    public var description: String {
        switch self {
        case .unreadable(let s): return s
        }
    }
}

/// One gated figure with its trials, named so that a baseline and a later run line up.
public struct Metric: Codable, Sendable {
    public enum Direction: String, Codable, Sendable { case biggerIsBetter, smallerIsBetter }
    /// "throughput tcp push-pull 64B libzmq-swift", "latency-p99 inproc req-rep 64B libzmq-c", ...
    public var name: String
    /// throughput, latency-p50 or latency-p99: what thresholds are set by.
    public var kind: String
    public var unit: String
    public var direction: Direction
    /// Raw-transport baselines are recorded for context (did the machine itself get slower?)
    /// but never fail a gate: they measure the kernel, not an implementation.
    public var gated: Bool
    /// Every trial of every pass.
    public var trials: [Double]
    /// The median of each pass.
    public var passMedians: [Double]
    public var error: String?

    /// The median of the pass medians (each pass weighs the same).
    public var median: Double { Trials.median(of: passMedians) }

    /// How far apart the passes' medians lie, over their median: the run-to-run noise.
    public var passSpread: Double {
        guard passMedians.count > 1, let lo = passMedians.min(), let hi = passMedians.max(), median > 0 else { return 0 }
        return (hi - lo) / median
    }

    static func from(_ r: PerfResult) -> [Metric] {
        let label = "\(r.transport) \(r.pattern) \(r.size)B \(r.implementation)"
        // Raw-transport figures measure the kernel, not an implementation: context only.
        let gated = !r.implementation.hasPrefix("raw-")
        switch r.kind {
        case "throughput":
            return [
                Metric(
                    name: "throughput \(label)", kind: "throughput", unit: "msg/s", direction: .biggerIsBetter,
                    gated: gated, trials: r.messagesPerSecond?.values ?? [], error: r.error)
            ].map(\.withPassMedian)
        case "latency":
            return [("latency-p50", r.latencyP50Us), ("latency-p99", r.latencyP99Us)].map { kind, trials in
                Metric(
                    name: "\(kind) \(label)", kind: kind, unit: "us", direction: .smallerIsBetter,
                    gated: gated, trials: trials?.values ?? [], error: r.error
                ).withPassMedian
            }
        default:
            // A group that failed before it knew its kind ("latency tcp req-rep 64 B").
            return [Metric(name: r.kind, kind: "error", unit: "", direction: .biggerIsBetter, gated: true, trials: [], error: r.error).withPassMedian]
        }
    }
}

extension Metric {
    init(name: String, kind: String, unit: String, direction: Direction, gated: Bool, trials: [Double], error: String?) {
        self.init(name: name, kind: kind, unit: unit, direction: direction, gated: gated, trials: trials, passMedians: [], error: error)
    }

    /// This metric as one pass: its median is the pass's median.
    public var withPassMedian: Metric {
        var m = self
        m.passMedians = trials.isEmpty ? [] : [Trials.median(of: trials)]
        return m
    }
}

extension JSONDecoder {
    static var gate: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }
}
