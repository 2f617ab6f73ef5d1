import Foundation

/// JUnit XML: one testcase per cell; classname = spec area, name = case id and transport.
/// Valid against the common JUnit XSD (Jenkins' junit-4.xsd): <testsuites> carries no skipped
/// count and <skipped> no attributes (its reason is its text).
/// FAIL and ERROR map to <failure> and <error>; UNSUPPORTED to <skipped> with its reason;
/// NON-STRICT and INFORMATIONAL pass with their detail in <system-out>. Each suite's
/// properties give its protocol and API scores per implementation ("protocol libzmq" = 12/13).
public enum JUnitReport {
    public static func render(_ record: RunRecord) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let byArea = Dictionary(grouping: record.cells, by: \.area).sorted { $0.key < $1.key }
        let failures = record.cells.filter { $0.outcome == .FAIL }.count
        let errors = record.cells.filter { $0.outcome == .ERROR }.count
        out += "<testsuites name=\"zmqsuite \(xml(record.kind))\" tests=\"\(record.cells.count)\" failures=\"\(failures)\" errors=\"\(errors)\">\n"
        for (area, cells) in byArea {
            let f = cells.filter { $0.outcome == .FAIL }.count
            let e = cells.filter { $0.outcome == .ERROR }.count
            let s = cells.filter { $0.outcome == .UNSUPPORTED }.count
            let time = cells.reduce(0) { $0 + $1.durationSeconds }
            out += "  <testsuite name=\"\(xml(area))\" tests=\"\(cells.count)\" failures=\"\(f)\" errors=\"\(e)\" skipped=\"\(s)\" time=\"\(seconds(time))\">\n"
            // The scores, protocol and API apart, per implementation in this area.
            let scores = DimensionScore.scores(cells)
            if !scores.isEmpty {
                out += "    <properties>\n"
                for x in scores { out += "      <property name=\"\(x.dimension.rawValue) \(xml(x.column))\" value=\"\(x.text)\"/>\n" }
                out += "    </properties>\n"
            }
            for c in cells {
                let who = c.pair.map { " " + $0 } ?? (record.environment.implementations.count > 1 ? " " + c.column : "")
                out += "    <testcase classname=\"\(xml(area))\" name=\"\(xml(c.caseId)) [\(xml(c.transport))]\(xml(who))\" time=\"\(seconds(c.durationSeconds))\">\n"
                let message = xml("\(c.level.rawValue) \(c.spec): \(c.detail)")
                switch c.outcome {
                case .FAIL: out += "      <failure message=\"\(message)\" type=\"FAIL\"/>\n"
                case .ERROR: out += "      <error message=\"\(message)\" type=\"ERROR\"/>\n"
                case .UNSUPPORTED: out += "      <skipped>UNSUPPORTED: \(xml(c.detail))</skipped>\n"
                case .NON_STRICT, .INFORMATIONAL: out += "      <system-out>\(c.outcome.rawValue): \(message)</system-out>\n"
                case .PASS: break
                }
                out += "    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }

    private static func seconds(_ s: Double) -> String { String(format: "%.3f", s) }
}

/// Escapes text for XML and HTML.
public func xml(_ s: String) -> String {
    var out = ""
    for ch in s.unicodeScalars {
        switch ch {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default:
            // XML 1.0 forbids most control characters even escaped.
            if ch.value < 0x20 && ch != "\n" && ch != "\t" { out += "?" } else { out.unicodeScalars.append(ch) }
        }
    }
    return out
}
