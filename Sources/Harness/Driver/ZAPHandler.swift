import CZeroMQ
import Foundation

/// A ZAP handler (RFC 27) on its own thread: a REP socket at inproc://zeromq.zap.01 that
/// answers every request with the scripted verdict and records what it was asked.
final class ZAPHandler: @unchecked Sendable {
    private let socket: Socket
    private let script: ZAPScript
    private let lock = NSLock()
    private var seen: [ZAPRequest] = []
    private var stopping = false
    private let done = DispatchSemaphoreBox()

    init(context: Context, script: ZAPScript) throws {
        socket = try Socket(context: context, type: .REP)
        try socket.set(.linger, .int(0))
        try socket.bind("inproc://zeromq.zap.01")
        self.script = script
    }

    var requests: [ZAPRequest] {
        lock.lock(); defer { lock.unlock() }
        return seen
    }

    func start() {
        Thread { [self] in
            while !isStopping {
                guard let request = try? socket.receive(timeoutMs: 20) else { continue }
                answer(request.frames)
            }
            socket.close()
            done.signal()
        }.start()
    }

    private var isStopping: Bool {
        lock.lock(); defer { lock.unlock() }
        return stopping
    }

    private func answer(_ f: [[UInt8]]) {
        guard f.count >= 6 else {
            try? socket.send([[], [], Array("500".utf8), Array("malformed request".utf8), [], []], dontWait: true, timeoutMs: 0)
            return
        }
        let credentials = Array(f.dropFirst(6))
        var status = script.status
        if let accepted = script.acceptCredentials, accepted != credentials { status = script.otherwise }
        let text = { (b: [UInt8]) in String(decoding: b, as: UTF8.self) }
        let request = ZAPRequest(
            version: text(f[0]), requestId: f[1], domain: text(f[2]), address: text(f[3]),
            routingId: f[4], mechanism: text(f[5]), credentials: credentials, answeredStatus: status)
        lock.lock(); seen.append(request); lock.unlock()
        let userId = status == "200" ? script.userId : ""
        var reply = [Array("1.0".utf8), f[1], Array(status.utf8), Array(script.statusText.utf8), Array(userId.utf8), []]
        switch script.fault {
        case .version?: reply[0] = Array("2.0".utf8)
        case .requestId?: reply[1] = f[1] + Array("-other".utf8)
        case .statusCode?: reply[2] = Array("299".utf8)
        case .metadata?: reply[5] = [0xFF, 0x01]  // a name length of 255 with one octet behind it
        case .short?: reply.removeLast(2)
        case nil: break
        }
        try? socket.send(reply, dontWait: true, timeoutMs: 0)
    }

    /// Stops the thread; false when it did not end within the bound.
    func stop(timeoutMs: Int) -> Bool {
        lock.lock(); stopping = true; lock.unlock()
        return done.wait(timeoutMs: timeoutMs)
    }
}
