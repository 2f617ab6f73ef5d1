import Harness
import Testing

/// Each kind of malformed case file is refused with its file, line and problem.
@Suite("Case loader errors")
struct LoaderTests {
    static let header = "id: t.case\nspec: \"RFC 31 2.1: test\"\nlevel: MUST\n"

    @Test func unknownTopLevelKey() throws {
        let e = try #require(loadError(Self.header + "colour: blue\nsteps:\n  - socket: { name: a, type: PAIR }\n"))
        #expect(e.file == "bad.yaml")
        #expect(e.line == 4)
        #expect(e.message.contains("unknown key 'colour'"))
    }

    @Test func unknownStep() throws {
        let e = try #require(loadError(Self.header + "steps:\n  - socket: { name: a, type: PAIR }\n  - teleport: { socket: a }\n"))
        #expect(e.line == 6)
        #expect(e.message.contains("unknown step 'teleport'"))
    }

    @Test func unknownStepArgument() throws {
        let e = try #require(loadError(Self.header + "steps:\n  - socket: { name: a, type: PAIR, colour: red }\n"))
        #expect(e.line == 5)
        #expect(e.message.contains("unknown key 'colour' in step 'socket'"))
    }

    @Test func badSocketType() throws {
        let e = try #require(loadError(Self.header + "steps:\n  - socket: { name: a, type: SPOKE }\n"))
        #expect(e.line == 5)
        #expect(e.message.contains("unknown socket type 'SPOKE'"))
    }

    @Test func badDuration() throws {
        let e = try #require(loadError(Self.header + "steps:\n  - socket: { name: a, type: PULL }\n  - recv: { socket: a, within: 5 }\n"))
        #expect(e.line == 6)
        #expect(e.message.contains("bad duration '5'"))
    }

    @Test func socketUsedBeforeItExists() throws {
        let e = try #require(loadError(Self.header + "steps:\n  - send: { socket: ghost, frames: [x] }\n"))
        #expect(e.line == 5)
        #expect(e.message.contains("socket 'ghost' used before it exists"))
    }

    @Test func socketUsedAfterClose() throws {
        let e = try #require(loadError(Self.header + "steps:\n  - socket: { name: a, type: PAIR }\n  - close: { socket: a }\n  - bind: { socket: a }\n"))
        #expect(e.line == 7)
        #expect(e.message.contains("used before it exists"))
    }

    @Test func endpointUsedBeforeBind() throws {
        let e = try #require(loadError(Self.header + "steps:\n  - socket: { name: a, type: PAIR }\n  - connect: { socket: a, to: nowhere }\n"))
        #expect(e.line == 6)
        #expect(e.message.contains("endpoint 'nowhere' used before it exists"))
    }

    @Test func unknownErrno() throws {
        let e = try #require(loadError(Self.header + "steps:\n  - socket: { name: a, type: PAIR }\n  - bind: { socket: a }\n    expect_error: EOOPS\n"))
        #expect(e.line == 7)
        #expect(e.message.contains("unknown errno 'EOOPS'"))
    }

    @Test func unknownOption() throws {
        let e = try #require(loadError(Self.header + "steps:\n  - socket: { name: a, type: PAIR, options: { speed: 9 } }\n"))
        #expect(e.message.contains("unknown key 'speed' in options"))
    }

    @Test func missingSpec() throws {
        let e = try #require(loadError("id: t.case\nlevel: MUST\nsteps:\n  - socket: { name: a, type: PAIR }\n"))
        #expect(e.line == 1)
        #expect(e.message.contains("missing 'spec'"))
    }

    @Test func badLevel() throws {
        let e = try #require(loadError("id: t.case\nspec: \"RFC 31: s\"\nlevel: MAYBE\nsteps:\n  - socket: { name: a, type: PAIR }\n"))
        #expect(e.line == 3)
        #expect(e.message.contains("unknown level 'MAYBE'"))
    }

    @Test func invalidYAML() throws {
        let e = try #require(loadError(Self.header + "steps:\n  - socket: { name: a, type: PAIR\n"))
        #expect(e.line >= 5)
        #expect(e.message.contains("not valid YAML"))
    }

    @Test func unmonitoredSocketAwaited() throws {
        let e = try #require(loadError(Self.header + "steps:\n  - socket: { name: a, type: PAIR }\n  - await_event: { socket: a, event: CONNECTED }\n"))
        #expect(e.message.contains("not monitored"))
    }

    @Test func unknownTransport() throws {
        let e = try #require(loadError("id: t.case\nspec: \"RFC 31: s\"\nlevel: MUST\ntransports: [tcp, carrier-pigeon]\nsteps:\n  - socket: { name: a, type: PAIR }\n"))
        #expect(e.line == 4)
        #expect(e.message.contains("unknown transport 'carrier-pigeon'"))
    }

    @Test func duplicateIdsAcrossDocuments() throws {
        let doc = Self.header + "steps:\n  - socket: { name: a, type: PAIR }\n"
        let cases = try CaseLoader.load(yaml: doc + "---\n" + doc, file: "dup.yaml")
        #expect(cases.count == 2, "a single file may hold the same id twice; the directory loader refuses it")
    }

    @Test func theCatalogueLoads() throws {
        let cases = try CaseLoader.loadDirectory(catalogueDirectory)
        #expect(cases.count >= 150)
        #expect(Set(cases.map(\.id)).count == cases.count)
    }
}
