import Foundation
import Harness
import Testing

/// The wrapper's numbers are libzmq's: every socket option and socket type is checked against
/// zmq.h (whose draft section holds the draft ones), and the few that Debian's 4.3.4 header
/// does not have yet against libzmq master's zmq.h, where they were added.
@Suite("Option and socket-type numbers match zmq.h")
struct ConstantsTests {
    /// Constants newer than this machine's zmq.h, from libzmq master's draft section.
    static let newerThanHeader: [String: Int32] = ["ZMQ_XSUB_VERBOSE_UNSUBSCRIBE": 115, "ZMQ_HICCUP_MSG": 114]

    static func header() throws -> [String: Int32] {
        let text = try String(contentsOfFile: "/usr/include/zmq.h", encoding: .utf8)
        var out: [String: Int32] = [:]
        for line in text.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 3, words[0] == "#define", words[1].hasPrefix("ZMQ_"), let n = Int32(words[2]) else { continue }
            // The first definition wins: zmq.h defines a few deprecated aliases later.
            if out[String(words[1])] == nil { out[String(words[1])] = n }
        }
        return out
    }

    @Test func socketOptions() throws {
        let defined = try Self.header()
        for option in SocketOption.allCases {
            let name = "ZMQ_" + option.rawValue.uppercased()
            let expected = try #require(defined[name] ?? Self.newerThanHeader[name], "\(name) is in neither zmq.h nor the table of newer constants")
            #expect(option.zmqValue == expected, "\(option.rawValue): the wrapper says \(option.zmqValue), zmq.h \(expected)")
        }
    }

    @Test func socketTypes() throws {
        let defined = try Self.header()
        for type in SocketType.allCases {
            let expected = try #require(defined["ZMQ_" + type.rawValue], "ZMQ_\(type.rawValue) is not in zmq.h")
            #expect(type.zmqValue == expected, "\(type.rawValue): the wrapper says \(type.zmqValue), zmq.h \(expected)")
        }
    }
}
