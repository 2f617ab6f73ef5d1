import Foundation
import Harness
import PerfTools

// zmq-agent: drives the libzmq this process loads, over the agent protocol
// (agents/PROTOCOL.md). `--libzmq PATH` tests another libzmq build without rebuilding:
// the agent restarts itself with that library preloaded, and reports its path in `hello`.
// `--perf-loop c` serves the perf op with the C reference loops instead of the Swift ones
// (what `--instructions` counts for the C loop).
var arguments = Array(CommandLine.arguments.dropFirst())
if let i = arguments.firstIndex(of: "--libzmq") {
    guard i + 1 < arguments.count, FileManager.default.fileExists(atPath: arguments[i + 1]) else {
        FileHandle.standardError.write(Data("zmq-agent: --libzmq needs the path of a libzmq shared library\n".utf8))
        exit(2)
    }
    var env = ProcessInfo.processInfo.environment
    env["LD_PRELOAD"] = arguments[i + 1]
    var rest = arguments
    rest.removeSubrange(i...(i + 1))
    let argv = [CommandLine.arguments[0]] + rest
    let cArgs = argv.map { strdup($0) } + [nil]
    let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    execve("/proc/self/exe", cArgs, cEnv)
    FileHandle.standardError.write(Data("zmq-agent: cannot restart with \(arguments[i + 1]) preloaded\n".utf8))
    exit(2)
}
let loop: AgentPerf.Loop
if let i = arguments.firstIndex(of: "--perf-loop") {
    guard i + 1 < arguments.count, let chosen = AgentPerf.Loop(rawValue: arguments[i + 1]) else {
        FileHandle.standardError.write(Data("zmq-agent: --perf-loop needs swift or c\n".utf8))
        exit(2)
    }
    loop = chosen
    arguments.removeSubrange(i...(i + 1))
} else {
    loop = .swift
}
if !arguments.isEmpty {
    FileHandle.standardError.write(
        Data("usage: zmq-agent [--libzmq PATH] [--perf-loop swift|c]   (speaks agents/PROTOCOL.md on stdin/stdout)\n".utf8))
    exit(2)
}
AgentServer(driver: LibzmqDriver(), extra: ["perf": { try AgentPerf.perform($0, loop: loop) }]).serve()
