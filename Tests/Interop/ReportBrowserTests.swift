import Foundation
import Harness
import Testing

/// The interop report, loaded in a real headless browser (Chromium, which scripts/setup
/// installs): every transport's outcome shows in its cell, the filters change what is shown,
/// and a case's link opens its details.
@Suite("report.html in a browser")
struct ReportBrowserTests {
    /// The page after its script ran, as Chromium serialises it.
    func dom(_ page: String, _ query: String) throws -> String {
        let r = ChildProcess.run(
            "/usr/bin/chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=3000", "--dump-dom", "file://\(page)\(query)"],
            boundMs: 60000, withStderr: false)
        try #require(r.status == 0, "chromium failed: \(r.output.suffix(300))")
        return r.output
    }

    /// Row ids of the matrix, each with whether the browser shows it.
    func rows(_ html: String) -> [String: Bool] {
        var out: [String: Bool] = [:]
        for m in html.matches(of: #/<tr id="row-([^"]+)"([^>]*)>/#) { out[String(m.1)] = !m.2.contains("display: none") }
        return out
    }

    @Test func filtersAndLinksWorkInChromium() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("zmqsuite-browser-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let run = zmqsuite([
            "interop", "--filter", "reqrep.req.*", "--impl", "libzmq", "--impl", "pyzmq", "--impl", "jeromq", "--registry", root.path + "/agents/registry.yaml", "--out",
            out,
        ])
        #expect([0, 1].contains(run.status), "\(run.output.suffix(400))")
        let record = try ReportWriter.read(out + "/report.json")
        let page = out + "/report.html"
        let html = try String(contentsOfFile: page, encoding: .utf8)

        // Unique ids, and pyzmq's cell lists each transport: PASS on five, UNSUPPORTED on ws.
        let ids = html.matches(of: #/ id="([^"]+)"/#).map { String($0.1) }
        #expect(Set(ids).count == ids.count, "duplicate element ids")
        let lockstep = try #require(html.firstMatch(of: #/<tr id="row-reqrep\.req\.lockstep".*?</tr>/#).map { String($0.0) })
        #expect(lockstep.contains("ws UNSUPPORTED") && lockstep.contains("tcp PASS") && lockstep.contains("ipc PASS"))

        // No filter: every case shows.
        let all = rows(try dom(page, ""))
        #expect(all.count == Set(record.cells.map(\.caseId)).count && all.values.allSatisfy { $0 })

        // FAIL over ipc: exactly the cases with an ipc cell that failed.
        let filtered = rows(try dom(page, "?outcome=FAIL&transport=ipc"))
        let expected = Set(record.cells.filter { $0.outcome == .FAIL && $0.transport == "ipc" }.map(\.caseId))
        #expect(Set(filtered.filter(\.value).keys) == expected)
        #expect(filtered.values.contains(false), "the filter hid something")

        // A case's link target: its details open.
        let opened = try dom(page, "#case-reqrep.req.lockstep")
        #expect(opened.contains(#"<details id="case-reqrep.req.lockstep" data-area="reqrep" open="">"#))
    }
}
