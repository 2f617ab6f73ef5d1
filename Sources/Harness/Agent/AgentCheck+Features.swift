import Foundation

/// Each optional feature hello claims is called and must do what PROTOCOL.md section 6 says.
extension AgentCheck {
    func checkFeatures() {
        // Each feature's check; `perf` is an extra op, not a Feature of the cases.
        let checks: [(name: String, run: () -> Void)] =
            [
                (Feature.monitor, checkMonitor), (.frames, checkRecvFrame), (.properties, checkProperties), (.curveKeypair, checkCurveKeypair),
                (.zap, checkZAP), (.zapFaults, checkZAPFault), (.contextShutdown, checkContextShutdown), (.proxy, checkProxy),
                (.draftAPI, checkDraft),
            ].map { ($0.0.rawValue, $0.1) } + [("perf", checkPerf)]
        let claimed = Set(caps.features ?? [])
        let unknown = claimed.subtracting(checks.map(\.name))
        if !unknown.isEmpty { record("features", false, "names outside the protocol: \(unknown.sorted())") }
        for check in checks where claimed.contains(check.name) { check.run() }
    }

    /// A connected PAIR pair over tcp in a new session: (session, bound, connected).
    func pairs(_ purpose: String, _ type: SocketType = .PAIR, _ other: SocketType = .PAIR) -> (Int, Int, Int)? {
        guard let session = openSession(purpose) else { return nil }
        guard let a = socket(session, type), let b = socket(session, other), let e = bind(a, "tcp://127.0.0.1:*"), connect(b, e) else {
            record(purpose, false, "could not set up \(type.rawValue)/\(other.rawValue) over tcp")
            closeSession(session)
            return nil
        }
        return (session, a, b)
    }

    /// Events until MONITOR_STOPPED after close, then null.
    func checkMonitor() {
        guard let session = openSession("monitor") else { return }
        defer { closeSession(session) }
        guard let s = socket(session, .PAIR) else { return }
        let start = request(.monitor) { $0.socket = s }
        let started = call(start)
        guard started.isOK else { return expect("monitor", start, false, "answered \(started)") }
        _ = bind(s, "tcp://127.0.0.1:*")
        _ = call(.close) { $0.socket = s }
        var seen: [String] = []
        let deadline = monotonicMs() + 5000
        while monotonicMs() < deadline, seen.last != MonitorEvent.MONITOR_STOPPED.rawValue {
            let next = request(.nextEvent) {
                $0.socket = s; $0.timeoutMs = 1000
            }
            let a = call(next, waitMs: 6000)
            guard let reply = a.reply else {
                return expect("monitor after close", next, false, "next_event on a closed socket must keep answering; got \(a) after \(seen)")
            }
            guard let e = reply.event else { break }
            seen.append(e)
        }
        // MONITOR_STOPPED is libzmq's; a monitor without it ends with null answers instead.
        let stoppedLast = !seen.contains(MonitorEvent.MONITOR_STOPPED.rawValue) || seen.last == MonitorEvent.MONITOR_STOPPED.rawValue
        record(
            "monitor after close", seen.first == MonitorEvent.LISTENING.rawValue && seen.count >= 2 && stoppedLast,
            "monitor, bind, close: events must start with LISTENING, go on after the close, and end with MONITOR_STOPPED if it comes; got \(seen)")
        let after = request(.nextEvent) {
            $0.socket = s; $0.timeoutMs = 200
        }
        let tail = call(after)
        expect("monitor drained", after, tail.isOK && tail.reply?.event == nil, "once the events are taken, next_event answers event null; got \(tail)")
    }

    func checkRecvFrame() {
        guard let (session, a, b) = pairs("recv_frame") else { return }
        defer { closeSession(session) }
        _ = send(b, [[1], [2, 2]])
        var got: [([UInt8], Bool?)] = []
        var shown: [String] = []
        for _ in 0..<2 {
            let r = call(.recvFrame, waitMs: 7000) {
                $0.socket = a; $0.timeoutMs = 2000
            }
            got.append((r.reply?.frames?.first?.bytes ?? [], r.reply?.more))
            shown.append(r.description)
        }
        let right = got.count == 2 && got[0].0 == [1] && got[0].1 == true && got[1].0 == [2, 2] && got[1].1 == false
        record("recv_frame", right, "a 2-frame message [01, 0202] read frame by frame: more true, then false; got \(shown)")
    }

    func checkProperties() {
        guard let (session, a, b) = pairs("properties") else { return }
        defer { closeSession(session) }
        _ = send(b, [[1]])
        let r = receive(a, properties: ["Socket-Type"])
        record(
            "properties", r.reply?.properties?["Socket-Type"] == "PAIR",
            "recv with properties [Socket-Type] from a PAIR peer must answer {\"Socket-Type\": \"PAIR\"}; got \(r)")
    }

    func checkCurveKeypair() {
        let r = call(.curveKeypair)
        let p = r.reply?.public ?? "", s = r.reply?.secret ?? ""
        record("curve_keypair", p.count == 40 && s.count == 40 && p != s, "public and secret must be 40-character Z85 keys; got \(r)")
    }

    /// A ZAP handler that answers 200 lets a NULL connection with a domain through, and records the request.
    func checkZAP() {
        guard let session = openSession("zap") else { return }
        defer { closeSession(session) }
        let install = request(.zap) {
            $0.session = session; $0.status = "200"; $0.userId = "checker"
        }
        let installed = call(install)
        guard installed.isOK else { return expect("zap", install, false, "answered \(installed)") }
        guard let server = socket(session, .PAIR), set(server, .zap_domain, .string("check")).isOK, let e = bind(server, "tcp://127.0.0.1:*"),
            let client = socket(session, .PAIR), connect(client, e)
        else { return record("zap", false, "could not set up a PAIR with zap_domain over tcp") }
        _ = send(client, [[9]])
        let got = receive(server)
        let requests = call(.zapRequests) { $0.session = session }
        let first = requests.reply?.requests?.first
        record(
            "zap", got.isOK && first?.mechanism == "NULL" && first?.domain == "check",
            "a message through a ZAP-approved NULL handshake, and zap_requests with mechanism NULL, domain check; got \(got) / \(requests)")
    }

    func checkZAPFault() {
        guard let session = openSession("zap_fault") else { return }
        defer { closeSession(session) }
        let install = request(.zap) {
            $0.session = session; $0.status = "200"; $0.fault = .statusCode
        }
        let r = call(install)
        expect("zap_fault", install, r.isOK, "a ZAP handler with fault status_code must be installed; got \(r)")
    }

    func checkContextShutdown() {
        guard let session = openSession("ctx_shutdown") else { return }
        defer { closeSession(session) }
        guard let s = socket(session, .PULL), bind(s, "tcp://127.0.0.1:*") != nil else { return }
        let r = request(.shutdownDuringRecv) {
            $0.socket = s; $0.afterMs = 100; $0.timeoutMs = 2000
        }
        let a = call(r, waitMs: 8000)
        expect("recv_until_shutdown", r, a.reply?.result == "ETERM", "a receive blocked when the context shuts down must end ETERM; got \(a)")
    }

    /// A message crosses a PULL-frontend, PUSH-backend proxy; proxy_wait honours its bound.
    func checkProxy() {
        guard let session = openSession("proxy") else { return }
        defer { closeSession(session) }
        guard let front = socket(session, .PULL), let fe = bind(front, "tcp://127.0.0.1:*"), let back = socket(session, .PUSH),
            let be = bind(back, "tcp://127.0.0.1:*"), let client = socket(session, .PUSH), connect(client, fe),
            let worker = socket(session, .PULL), connect(worker, be)
        else { return record("proxy", false, "could not set up PUSH -> PULL|proxy|PUSH -> PULL over tcp") }
        let start = request(.proxy) {
            $0.frontend = front; $0.backend = back
        }
        let started = call(start)
        guard let handle = started.reply?.proxy else { return expect("proxy", start, false, "must answer a proxy handle; got \(started)") }
        _ = send(client, [[5]])
        let got = receive(worker)
        record("proxy", got.reply?.frames?.map(\.bytes) == [[5]], "a message must cross the proxy; got \(got)")
        let wait = request(.proxyWait) {
            $0.session = session; $0.proxy = handle; $0.timeoutMs = 200
        }
        let w = call(wait)
        expect("proxy_wait", wait, w.reply?.returned == false, "a running proxy: proxy_wait must answer returned false after its bound; got \(w)")
    }

    /// The draft ops on the draft socket types hello claims.
    func checkDraft() {
        if claims(.RADIO) && claims(.DISH), let session = openSession("draft_api") {
            defer { closeSession(session) }
            if let dish = socket(session, .DISH), let e = bind(dish, "tcp://127.0.0.1:*"), let radio = socket(session, .RADIO), connect(radio, e) {
                let join = request(.join) {
                    $0.socket = dish; $0.group = "g"
                }
                let joined = call(join)
                expect("join", join, joined.isOK, "DISH join must answer ok; got \(joined)")
                var got: Answer = .broken("nothing sent")
                let deadline = monotonicMs() + 3000
                // The join travels to the RADIO asynchronously: send until one arrives.
                while monotonicMs() < deadline, !got.isOK {
                    _ = call(.sendDraft) {
                        $0.socket = radio; $0.frames = [AgentBytes([3])]; $0.group = "g"; $0.dontwait = false; $0.timeoutMs = 500
                    }
                    got = call(.recvDraft, waitMs: 6000) {
                        $0.socket = dish; $0.timeoutMs = 100
                    }
                }
                record(
                    "send_draft/recv_draft", got.reply?.group == "g" && got.reply?.frames?.map(\.bytes) == [[3]],
                    "RADIO send_draft with group g reaches the DISH that joined g, recv_draft answering group g; got \(got)")
            }
        }
        if claims(.SERVER) && claims(.CLIENT), let session = openSession("draft_api") {
            defer { closeSession(session) }
            if let server = socket(session, .SERVER), let e = bind(server, "tcp://127.0.0.1:*"), let client = socket(session, .CLIENT), connect(client, e) {
                _ = call(.sendDraft) {
                    $0.socket = client; $0.frames = [AgentBytes([4])]; $0.dontwait = false; $0.timeoutMs = 2000
                }
                let got = call(.recvDraft, waitMs: 7000) {
                    $0.socket = server; $0.timeoutMs = 2000
                }
                let id = got.reply?.routingId ?? 0
                record("recv_draft routing id", id != 0, "a SERVER receiving from a CLIENT answers a routing_id not 0; got \(got)")
                if id != 0 {
                    _ = call(.sendDraft) {
                        $0.socket = server; $0.frames = [AgentBytes([5])]; $0.routingId = id; $0.dontwait = false; $0.timeoutMs = 2000
                    }
                    let back = call(.recvDraft, waitMs: 7000) {
                        $0.socket = client; $0.timeoutMs = 2000
                    }
                    record("send_draft routing id", back.reply?.frames?.map(\.bytes) == [[5]], "the SERVER's reply by routing id reaches the CLIENT; got \(back)")
                }
            }
        }
        let symbols = caps.draftSymbols
        if claims(.PEER), symbols?.contains("zmq_connect_peer") ?? true, let session = openSession("draft_api") {
            defer { closeSession(session) }
            if let a = socket(session, .PEER), let e = bind(a, "tcp://127.0.0.1:*"), let b = socket(session, .PEER) {
                let r = request(.connectPeer) {
                    $0.socket = b; $0.endpoint = e
                }
                let got = call(r)
                expect("connect_peer", r, (got.reply?.routingId ?? 0) != 0, "connect_peer must answer the new peer's routing_id (not 0); got \(got)")
            }
        }
    }

    func checkPerf() {
        var r = AgentRequest(op: "perf")
        r.kind = "latency"; r.first = "REQ"; r.second = "REP"; r.endpoint = "tcp://127.0.0.1:*"; r.size = 64; r.count = 20; r.warmup = 5
        let a = call(r, waitMs: 30000)
        expect(
            "perf", r, a.reply?.samplesNs?.count == 20 && (a.reply?.samplesNs ?? []).allSatisfy { $0 > 0 },
            "a 20-round-trip latency run must answer 20 positive samples_ns; got \(a.reply.map { "\($0.samplesNs?.count ?? 0) samples" } ?? a.description)")
    }
}
