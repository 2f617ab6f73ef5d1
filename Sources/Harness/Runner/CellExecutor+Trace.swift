import Foundation

extension CellExecutor {
    /// The endpoint a socket connects to: the target itself, or with `--trace` a relay that
    /// records the ZMTP exchange on its way there (tcp and ipc cells; others are noted untraced).
    func traced(_ target: String) throws -> String {
        guard trace else { return target }
        if let relay = traceRelays[target] { return relay.endpoint }
        let ipc = transport == .ipc && target.hasPrefix("ipc:///")
        guard ipc || (transport == .tcp && target.hasPrefix("tcp://")), (try? WireEndpoint(target)) != nil else {
            newTranscript("trace").note("not traced: \(target) (the trace relays tcp and ipc connections to an address or path only)")
            return target
        }
        let index = traceRelays.count + 1
        let path = ipc ? String(target.dropFirst("ipc://".count)) + ".trace\(index)" : nil
        do {
            let relay = try ZMTPRelay(to: target, ipcPath: path, transcript: numberedTranscripts("trace \(index)"))
            traceRelays[target] = relay
            return relay.endpoint
        } catch {
            throw StepProblem.error("--trace: cannot relay to \(target): \(error)")
        }
    }

    /// After teardown: lets the relayed connections end (bounded), so the log shows who closed.
    func finishTrace() {
        for r in Array(traceRelays.values) + Array(faultRelays.values) where !r.stop(awaitingClosesMs: 1000) {
            newTranscript("relay").note("a relayed connection was still open 1000 ms after teardown; the relay closed it")
        }
    }

    /// The endpoint a socket connected to for `target` (the relay's when traced), for disconnect.
    func connectedEndpoint(_ target: String) -> String { traceRelays[target]?.endpoint ?? target }
}

extension CellExecutor {
    func faultRelay(_ name: String) throws -> ZMTPRelay {
        guard let r = faultRelays[name] else { throw StepProblem.error("fault relay '\(name)' is not running") }
        return r
    }
}
