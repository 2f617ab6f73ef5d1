import CZeroMQ
import Foundation

/// Runs zmq_proxy or zmq_proxy_steerable on a thread of its own. The proxy owns its sockets
/// from `start()` on; it returns when the control socket says TERMINATE or the context is
/// shut down, and then `finished` is signalled.
public final class ProxyRunner: @unchecked Sendable {
    public let frontend: Socket, backend: Socket
    public let capture: Socket?, control: Socket?
    public private(set) var result: Int32 = 0
    public private(set) var errorName: String?
    private let done = DispatchSemaphoreBox()

    public init(frontend: Socket, backend: Socket, capture: Socket?, control: Socket?) {
        self.frontend = frontend
        self.backend = backend
        self.capture = capture
        self.control = control
    }

    public func start() {
        let thread = Thread { [self] in
            let rc: Int32
            if let control {
                rc = zmq_proxy_steerable(frontend.handle, backend.handle, capture?.handle, control.handle)
            } else {
                rc = zmq_proxy(frontend.handle, backend.handle, capture?.handle)
            }
            result = rc
            if rc != 0 { errorName = ErrnoName.name(of: zmq_errno()) }
            done.signal()
        }
        thread.name = "zmqsuite-proxy"
        thread.start()
    }

    /// True when the proxy returned within the bound. Can be asked again: the signal is put back.
    public func wait(timeoutMs: Int) -> Bool {
        guard done.wait(timeoutMs: timeoutMs) else { return false }
        done.signal()
        return true
    }
}
