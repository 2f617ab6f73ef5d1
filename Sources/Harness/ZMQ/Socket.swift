import CZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

public enum OptionValue: Sendable, Equatable, CustomStringConvertible {
    case int(Int)
    case bytes([UInt8])
    case string(String)

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .bytes(let b): return describeFrame(b)
        case .string(let s): return "\"\(s)\""
        }
    }
}

/// A libzmq socket. Not thread-safe: one thread uses it at a time (a proxy thread may take it
/// over, with the hand-off ordered by the thread start).
public final class Socket: @unchecked Sendable {
    public let handle: UnsafeMutableRawPointer
    public let type: SocketType
    private(set) var closed = false

    public init(context: Context, type: SocketType) throws {
        guard let h = zmq_socket(context.handle, type.zmqValue) else {
            throw ZMQError.last("zmq_socket(\(type.rawValue))")
        }
        handle = h
        self.type = type
    }

    // MARK: options

    public func set(_ option: SocketOption, _ value: OptionValue) throws {
        let rc: Int32
        switch (option.kind, value) {
        case (.int, .int(let v)):
            var x = Int32(truncatingIfNeeded: v)
            rc = zmq_setsockopt(handle, option.zmqValue, &x, MemoryLayout<Int32>.size)
        case (.bool, .int(let v)):
            var x: Int32 = v != 0 ? 1 : 0
            rc = zmq_setsockopt(handle, option.zmqValue, &x, MemoryLayout<Int32>.size)
        case (.int64, .int(let v)):
            var x = Int64(v)
            rc = zmq_setsockopt(handle, option.zmqValue, &x, MemoryLayout<Int64>.size)
        case (.uint64, .int(let v)):
            var x = UInt64(truncatingIfNeeded: v)
            rc = zmq_setsockopt(handle, option.zmqValue, &x, MemoryLayout<UInt64>.size)
        case (.bytes, .bytes(let b)), (.curveKey, .bytes(let b)):
            rc = b.withUnsafeBytes { zmq_setsockopt(handle, option.zmqValue, $0.baseAddress, b.count) }
        case (.bytes, .string(let s)), (.string, .string(let s)), (.curveKey, .string(let s)):
            let b = Array(s.utf8)
            rc = b.withUnsafeBytes { zmq_setsockopt(handle, option.zmqValue, $0.baseAddress, b.count) }
        default:
            throw ZMQError(code: EINVAL, operation: "set \(option.rawValue): value \(value) is not a \(option.kind)")
        }
        if rc != 0 { throw ZMQError.last("zmq_setsockopt(\(option.rawValue))") }
    }

    public func get(_ option: SocketOption) throws -> OptionValue {
        switch option.kind {
        case .int, .bool:
            var x: Int32 = 0
            var size = MemoryLayout<Int32>.size
            guard zmq_getsockopt(handle, option.zmqValue, &x, &size) == 0 else {
                throw ZMQError.last("zmq_getsockopt(\(option.rawValue))")
            }
            return .int(Int(x))
        case .int64, .uint64:
            var x: Int64 = 0
            var size = MemoryLayout<Int64>.size
            guard zmq_getsockopt(handle, option.zmqValue, &x, &size) == 0 else {
                throw ZMQError.last("zmq_getsockopt(\(option.rawValue))")
            }
            return .int(Int(x))
        case .bytes, .string, .curveKey:
            var buffer = [UInt8](repeating: 0, count: 512)
            var size = buffer.count
            let rc = buffer.withUnsafeMutableBytes { zmq_getsockopt(handle, option.zmqValue, $0.baseAddress, &size) }
            guard rc == 0 else { throw ZMQError.last("zmq_getsockopt(\(option.rawValue))") }
            let bytes = Array(buffer.prefix(size))
            if option.kind == .bytes { return .bytes(bytes) }
            // Strings and Z85 keys come back NUL-terminated.
            return .string(String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self))
        }
    }

    public var lastEndpoint: String {
        get throws {
            if case .string(let s) = try get(.last_endpoint) { return s }
            return ""
        }
    }

    // MARK: endpoints

    public func bind(_ endpoint: String) throws {
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError.last("zmq_bind(\(endpoint))") }
    }

    public func connect(_ endpoint: String) throws {
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError.last("zmq_connect(\(endpoint))") }
    }

    public func disconnect(_ endpoint: String) throws {
        guard zmq_disconnect(handle, endpoint) == 0 else { throw ZMQError.last("zmq_disconnect(\(endpoint))") }
    }

    public func unbind(_ endpoint: String) throws {
        guard zmq_unbind(handle, endpoint) == 0 else { throw ZMQError.last("zmq_unbind(\(endpoint))") }
    }

    // MARK: messages

    /// Sends a multipart message. With `dontWait` false, the send waits at most `timeoutMs`
    /// (through SNDTIMEO) and then fails with EAGAIN, so no call blocks without bound.
    public func send(_ frames: [[UInt8]], dontWait: Bool, timeoutMs: Int) throws {
        if !dontWait { try setTimeout(.sndtimeo, timeoutMs) }
        let parts = frames.isEmpty ? [[]] : frames
        for (i, frame) in parts.enumerated() {
            var flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
            if i < parts.count - 1 { flags |= ZMQ_SNDMORE }
            let rc = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, frame.count, flags) }
            if rc < 0 { throw ZMQError.last("zmq_send") }
        }
    }

    /// Receives one whole message, waiting at most `timeoutMs` (0 = do not wait); EAGAIN when
    /// nothing came. Reads the named metadata properties from the first frame.
    public func receive(timeoutMs: Int, properties: [String] = []) throws -> Message {
        try setTimeout(.rcvtimeo, timeoutMs)
        var frames: [[UInt8]] = []
        var props: [String: String] = [:]
        var msg = zmq_msg_t()
        zmq_msg_init(&msg)
        defer { zmq_msg_close(&msg) }
        repeat {
            // Only the first frame may wait: the rest of a multipart message arrives with it.
            if zmq_msg_recv(&msg, handle, frames.isEmpty ? 0 : ZMQ_DONTWAIT) < 0 {
                throw ZMQError.last("zmq_msg_recv")
            }
            let size = zmq_msg_size(&msg)
            let data = zmq_msg_data(&msg)!
            frames.append(Array(UnsafeRawBufferPointer(start: data, count: size)))
            if frames.count == 1 {
                for name in properties {
                    if let v = zmq_msg_gets(&msg, name) { props[name] = String(cString: v) }
                }
            }
        } while zmq_msg_more(&msg) == 1
        return Message(frames: frames, properties: props)
    }

    /// One frame, as zmq_msg_recv gives it, and whether more frames of its message follow
    /// (zmq_msg_more): the application's view of a multipart message, frame by frame.
    public func receiveFrame(timeoutMs: Int) throws -> (frame: [UInt8], more: Bool) {
        try setTimeout(.rcvtimeo, timeoutMs)
        var msg = zmq_msg_t()
        zmq_msg_init(&msg)
        defer { zmq_msg_close(&msg) }
        if zmq_msg_recv(&msg, handle, 0) < 0 { throw ZMQError.last("zmq_msg_recv") }
        let frame = Array(UnsafeRawBufferPointer(start: zmq_msg_data(&msg), count: zmq_msg_size(&msg)))
        return (frame, zmq_msg_more(&msg) == 1)
    }

    /// The user's own RCVTIMEO/SNDTIMEO, remembered so a harness bound never widens it.
    private var userTimeouts: [SocketOption: Int] = [:]

    public func rememberUserTimeout(_ option: SocketOption, _ value: Int) { userTimeouts[option] = value }

    func setTimeout(_ option: SocketOption, _ boundMs: Int) throws {
        var effective = boundMs
        if let user = userTimeouts[option], user >= 0 { effective = min(user, boundMs) }
        var x = Int32(effective)
        guard zmq_setsockopt(handle, option.zmqValue, &x, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError.last("zmq_setsockopt(\(option.rawValue))")
        }
    }

    public func close() {
        guard !closed else { return }
        closed = true
        zmq_close(handle)
    }
}
