import Foundation
import Harness

/// Markdown and HTML (with SVG charts made here, so the page opens offline) for a perf record.
public enum PerfReport {
    static func f(_ v: Double?, _ digits: Int = 1) -> String { v.map { String(format: "%.\(digits)f", $0) } ?? "" }
    static func rate(_ v: Double?) -> String {
        guard let v else { return "" }
        return v >= 1e6 ? String(format: "%.2fM", v / 1e6) : v >= 1e3 ? String(format: "%.1fk", v / 1e3) : String(format: "%.0f", v)
    }

    public static func markdown(_ record: PerfRecord) -> String {
        var md = "# zmqsuite perf\n\n"
        for i in record.environment.implementations { md += "- \(i.name) \(i.version) (`\(i.library)`)\n" }
        md += "- \(record.environment.os), \(record.environment.cpu) x\(record.environment.cores), revision `\(record.environment.gitRevision)`\n\n"
        let lat = record.results.filter { $0.kind == "latency" }
        if !lat.isEmpty {
            md +=
                "## Latency (round trip, µs; percentiles of every round trip of every trial, histograms merged; ±: the 95% confidence interval of the per-trial p50)\n\n| implementation | transport | pattern | size | p50 | ±% | p90 | p99 | p99.9 | max | vs raw | vs C |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
            for r in lat {
                let l = r.latency
                md +=
                    "| \(r.implementation) | \(r.transport) | \(r.pattern) | \(r.size) | \(f(l?.p50Us ?? r.latencyP50Us?.median)) | \(f((r.latencyP50Us?.relativeSpread ?? 0) * 100, 0)) | \(f(l?.p90Us)) | \(f(l?.p99Us)) | \(f(l?.p999Us)) | \(f(l?.maxUs)) | \(f(r.ratioToBaseline, 2)) | \(f(r.ratioToC, 2)) |\n"
            }
            md += "\n`vs raw`: the raw transport's p50 over this one (1.0 = as fast as the transport). `vs C`: this p50 over the C loop's (1.0 = no overhead).\n\n"
        }
        let few = record.results.filter { $0.error == nil && ($0.messagesPerSecond ?? $0.latencyP50Us).map { $0.values.count < 3 } ?? false }
        if !few.isEmpty {
            md += "> **warning:** \(few.count) figure(s) rest on fewer than 3 trials: their ± is no 95% interval worth the name (use --trials 5 or more).\n\n"
        }
        let failed = record.results.filter { $0.error != nil }
        if !failed.isEmpty {
            md += "## Not measured\n\n" + failed.map { "- \($0.kind) \($0.implementation) \($0.transport) \($0.size) B: \($0.error!)\n" }.joined() + "\n"
        }
        let thr = record.results.filter { $0.kind == "throughput" }
        if !thr.isEmpty {
            md +=
                "## Throughput (at the receiver; median over trials, ± the 95% confidence interval of the mean)\n\n| implementation | transport | pattern | size | msg/s | ±% | MB/s | vs raw | vs C | vs local_thr |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n"
            for r in thr {
                md +=
                    "| \(r.implementation) | \(r.transport) | \(r.pattern) | \(r.size) | \(rate(r.messagesPerSecond?.median)) | \(f((r.messagesPerSecond?.relativeSpread ?? 0) * 100, 0)) | \(f(r.megabytesPerSecond)) | \(f(r.ratioToBaseline, 2)) | \(f(r.ratioToC, 2)) | \(f(r.ratioToReference, 2)) |\n"
            }
            md +=
                "\n`vs raw`: this rate over the raw transport's. `vs C`: this rate over the C loop's (1.0 = no overhead). `vs local_thr`: the C loop over libzmq's own local_thr/remote_thr (two processes), trial by trial (`--reference-programs`).\n"
        }
        let multicast = record.results.filter { $0.lost != nil }
        if !multicast.isEmpty {
            md +=
                "\n## Multicast losses\n\nMessages a receiver never got (gaps in sequence numbers, after PGM's own repairs; libzmq does not expose the repair counts), over every trial and receiver.\n\n| transport | pattern | size | receivers | trials | lost |\n|---|---|---:|---:|---:|---:|\n"
            for r in multicast {
                md += "| \(r.transport) | \(r.pattern) | \(r.size) | \(r.receivers ?? 0) | \(r.messagesPerSecond?.values.count ?? 0) | \(r.lost ?? 0) |\n"
            }
        }
        return md
    }

    public static func html(_ record: PerfRecord) -> String {
        var h =
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>zmqsuite perf</title><style>body{font:14px system-ui,sans-serif;margin:1.5em}svg{background:#fff;border:1px solid #ddd;margin:6px}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}</style></head><body><h1>zmqsuite perf</h1>"
        h +=
            "<p>" + record.environment.implementations.map { "\(xml($0.name)) \(xml($0.version))" }.joined(separator: ", ")
            + " &mdash; \(xml(record.environment.cpu)) x\(record.environment.cores)</p>"
        for kind in ["throughput", "latency"] {
            let rs = record.results.filter { $0.kind == kind }
            guard !rs.isEmpty else { continue }
            h += "<h2>\(kind == "throughput" ? "Throughput (msg/s) against message size" : "Latency p50 (µs) against message size")</h2>"
            for transport in ["inproc", "ipc", "tcp"] {
                let inT = rs.filter { $0.transport == transport }
                if inT.isEmpty { continue }
                h += chart(title: transport, results: inT) { r in
                    // The point and its error bar: the 95% confidence interval of the trials' mean.
                    guard let t = kind == "throughput" ? r.messagesPerSecond : r.latencyP50Us else { return nil }
                    return (t.median, t.median * (1 - t.relativeSpread), t.median * (1 + t.relativeSpread))
                }
            }
        }
        let curves = record.results.filter { !($0.latencyDistribution ?? []).isEmpty }
        if !curves.isEmpty {
            h += "<h2>Latency percentile distribution (µs; every round trip of every trial)</h2>"
            for group in Dictionary(grouping: curves, by: { "\($0.transport) \($0.size) B" }).sorted(by: { $0.key < $1.key }) {
                h += percentileChart(title: group.key, results: group.value)
            }
        }
        h += "<h2>Tables</h2><pre>" + xml(markdown(record)) + "</pre></body></html>\n"
        return h
    }

    /// The line colours of every chart, in order of series.
    static let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2"]

    /// Horizontal grid lines at each power of ten from 10^y0 to 10^y1 (log10 on y), labelled.
    static func yGrid(from y0: Double, to y1: Double, left: Double, right: Double, py: (Double) -> Double) -> String {
        stride(from: y0, through: y1, by: 1).map { y in
            "<line x1=\(left) x2=\(right) y1=\(py(y)) y2=\(py(y)) stroke='#eee'/><text x=4 y=\(py(y) + 4) font-size=11>\(rate(pow(10, y)))</text>"
        }.joined()
    }

    /// A line per implementation (and pattern), log2 size on x, log10 value on y; each point
    /// with its error bar (`value` gives the point, then the bar's low and high ends).
    static func chart(title: String, results: [PerfResult], value: (PerfResult) -> (Double, Double, Double)?) -> String {
        let width = 520.0, height = 300.0, left = 60.0, bottom = 40.0, top = 24.0, right = 150.0
        let bars = Dictionary(results.compactMap { r in value(r).map { ("\(r.implementation) \(r.pattern) \(r.size)", ($0.1, $0.2)) } }, uniquingKeysWith: { a, _ in a })
        let points = results.compactMap { r in value(r).map { (r, Double(max(r.size, 1)), $0.0) } }.filter { $0.2 > 0 }
        guard !points.isEmpty else { return "" }
        let xs = points.map { log2($0.1) }, ys = points.map { log10($0.2) }
        let (x0, x1) = (xs.min()!, max(xs.max()!, xs.min()! + 1))
        let (y0, y1) = (floor(ys.min()!), max(ceil(ys.max()!), floor(ys.min()!) + 1))
        let px = { (x: Double) in left + (x - x0) / (x1 - x0) * (width - left - right) }
        let py = { (y: Double) in height - bottom - (y - y0) / (y1 - y0) * (height - bottom - top) }
        var svg = "<svg width=\(Int(width)) height=\(Int(height)) xmlns='http://www.w3.org/2000/svg'><text x=\(Int(left)) y=16 font-weight=bold>\(xml(title))</text>"
        svg += yGrid(from: y0, to: y1, left: px(x0), right: px(x1), py: py)
        for x in Set(points.map(\.1)).sorted() {
            svg += "<text x=\(px(log2(x)) - 10) y=\(height - bottom + 16) font-size=11>\(x >= 1024 ? "\(Int(x) / 1024)K" : "\(Int(x))")</text>"
        }
        let series = Dictionary(grouping: points) { "\($0.0.implementation) \($0.0.pattern)" }.sorted { $0.key < $1.key }
        for (i, (name, pts)) in series.enumerated() {
            let c = Self.colours[i % Self.colours.count]
            let path = pts.sorted { $0.1 < $1.1 }.map { "\(px(log2($0.1))),\(py(log10($0.2)))" }.joined(separator: " ")
            svg += "<polyline fill=none stroke='\(c)' stroke-width=2 points='\(path)'/>"
            for p in pts {
                if let (low, high) = bars["\(p.0.implementation) \(p.0.pattern) \(p.0.size)"], low > 0, high > low {
                    let x = px(log2(p.1))
                    svg += "<line class=errorbar x1=\(x) x2=\(x) y1=\(py(log10(low))) y2=\(py(log10(high))) stroke='\(c)'/>"
                }
                svg += "<circle cx=\(px(log2(p.1))) cy=\(py(log10(p.2))) r=3 fill='\(c)'><title>\(xml(name)) \(p.0.size) B: \(rate(p.2))</title></circle>"
            }
            svg += "<text x=\(width - right + 8) y=\(top + 14 + Double(i) * 16) font-size=11 fill='\(c)'>\(xml(name))</text>"
        }
        return svg + "<text x=\(Int(width / 2) - 40) y=\(Int(height) - 6) font-size=11>message size (bytes)</text></svg>"
    }

    /// Latency against percentile, HdrHistogram style: x is 1/(1-p) on a log scale (50%, 90%,
    /// 99%, ...), y the round trip in µs on a log scale; one line per implementation.
    static func percentileChart(title: String, results: [PerfResult]) -> String {
        let width = 520.0, height = 300.0, left = 60.0, bottom = 40.0, top = 24.0, right = 150.0
        let curves = results.map { r in
            (r, (r.latencyDistribution ?? []).filter { $0.percentile < 100 && $0.us > 0 }.map { (log10(1 / (1 - $0.percentile / 100)), log10($0.us)) })
        }.filter { !$0.1.isEmpty }
        let all = curves.flatMap(\.1)
        guard !all.isEmpty else { return "" }
        let x1 = max(all.map(\.0).max()!, 1)
        let (y0, y1) = (floor(all.map(\.1).min()!), max(ceil(all.map(\.1).max()!), floor(all.map(\.1).min()!) + 1))
        let px = { (x: Double) in left + x / x1 * (width - left - right) }
        let py = { (y: Double) in height - bottom - (y - y0) / (y1 - y0) * (height - bottom - top) }
        var svg =
            "<svg class=percentiles width=\(Int(width)) height=\(Int(height)) xmlns='http://www.w3.org/2000/svg'><text x=\(Int(left)) y=16 font-weight=bold>\(xml(title))</text>"
        svg += yGrid(from: y0, to: y1, left: px(0), right: px(x1), py: py)
        for (x, label) in [(0.0, "0%"), (1, "90%"), (2, "99%"), (3, "99.9%"), (4, "99.99%"), (5, "99.999%")] where x <= x1 {
            svg += "<text x=\(px(x) - 10) y=\(height - bottom + 16) font-size=11>\(label)</text>"
        }
        for (i, (r, pts)) in curves.enumerated() {
            let c = Self.colours[i % Self.colours.count]
            svg += "<polyline fill=none stroke='\(c)' stroke-width=2 points='\(pts.map { "\(px($0.0)),\(py($0.1))" }.joined(separator: " "))'/>"
            svg += "<text x=\(width - right + 8) y=\(top + 14 + Double(i) * 16) font-size=11 fill='\(c)'>\(xml("\(r.implementation) \(r.pattern)"))</text>"
        }
        return svg + "<text x=\(Int(width / 2) - 30) y=\(Int(height) - 6) font-size=11>percentile</text></svg>"
    }

    /// File name of a latency figure's .hgrm export.
    public static func hgrmName(_ r: PerfResult) -> String {
        "latency-\(r.implementation)-\(r.transport)-\(r.pattern)-\(r.size)B.hgrm".replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "/", with: "-")
    }

    /// perf.json, perf.md, perf.html, and one .hgrm per latency figure measured in this process.
    public static func write(_ record: PerfRecord, to directory: String) throws {
        for r in record.results { if let text = r.latency?.hgrm { try writeAtomically(Data(text.utf8), to: directory + "/" + hgrmName(r)) } }
        try writeAtomically(try ReportWriter.encoder().encode(record), to: directory + "/perf.json")
        try writeAtomically(Data(markdown(record).utf8), to: directory + "/perf.md")
        try writeAtomically(Data(html(record).utf8), to: directory + "/perf.html")
    }
}
