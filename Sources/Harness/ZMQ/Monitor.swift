import CZeroMQ

/// The socket monitor events libzmq emits (zmq_socket_monitor, event version 1).
public enum MonitorEvent: String, CaseIterable, Sendable {
    case CONNECTED, CONNECT_DELAYED, CONNECT_RETRIED, LISTENING, BIND_FAILED, ACCEPTED
    case ACCEPT_FAILED, CLOSED, CLOSE_FAILED, DISCONNECTED, MONITOR_STOPPED
    case HANDSHAKE_FAILED_NO_DETAIL, HANDSHAKE_SUCCEEDED, HANDSHAKE_FAILED_PROTOCOL
    case HANDSHAKE_FAILED_AUTH

    public var zmqValue: UInt16 {
        switch self {
        case .CONNECTED: return 0x0001
        case .CONNECT_DELAYED: return 0x0002
        case .CONNECT_RETRIED: return 0x0004
        case .LISTENING: return 0x0008
        case .BIND_FAILED: return 0x0010
        case .ACCEPTED: return 0x0020
        case .ACCEPT_FAILED: return 0x0040
        case .CLOSED: return 0x0080
        case .CLOSE_FAILED: return 0x0100
        case .DISCONNECTED: return 0x0200
        case .MONITOR_STOPPED: return 0x0400
        case .HANDSHAKE_FAILED_NO_DETAIL: return 0x0800
        case .HANDSHAKE_SUCCEEDED: return 0x1000
        case .HANDSHAKE_FAILED_PROTOCOL: return 0x2000
        case .HANDSHAKE_FAILED_AUTH: return 0x4000
        }
    }

    public init?(zmqValue: UInt16) {
        guard let e = Self.allCases.first(where: { $0.zmqValue == zmqValue }) else { return nil }
        self = e
    }
}

public struct ObservedEvent: Sendable, CustomStringConvertible {
    public let event: MonitorEvent?
    public let rawEvent: UInt16
    public let value: UInt32
    public let endpoint: String
    /// The event's name as an agent sent it, when the harness does not know it.
    public var unknownName: String?

    public init(event: MonitorEvent?, rawEvent: UInt16, value: UInt32, endpoint: String, unknownName: String? = nil) {
        self.event = event
        self.rawEvent = rawEvent
        self.value = value
        self.endpoint = endpoint
        self.unknownName = unknownName
    }

    public var description: String {
        "\(event?.rawValue ?? unknownName ?? "event 0x\(String(rawEvent, radix: 16))")(\(value)) \(endpoint)"
    }
}

/// Reads the events of one monitored socket through a PAIR socket on inproc.
public final class SocketMonitor: @unchecked Sendable {
    private let reader: Socket

    public init(context: Context, socket: Socket, address: String) throws {
        guard zmq_socket_monitor(socket.handle, address, Int32(ZMQ_EVENT_ALL)) == 0 else {
            throw ZMQError.last("zmq_socket_monitor")
        }
        reader = try Socket(context: context, type: .PAIR)
        try reader.set(.linger, .int(0))
        try reader.connect(address)
    }

    /// The next event, or nil when none came within the bound.
    public func next(timeoutMs: Int) throws -> ObservedEvent? {
        let message: Message
        do {
            message = try reader.receive(timeoutMs: timeoutMs)
        } catch let e as ZMQError where e.name == "EAGAIN" {
            return nil
        }
        guard message.frames.count == 2, message.frames[0].count == 6 else {
            throw ZMQError(code: 0, operation: "monitor: malformed event \(describeFrames(message.frames))")
        }
        let f = message.frames[0]
        let raw = UInt16(f[0]) | UInt16(f[1]) << 8
        let value = UInt32(f[2]) | UInt32(f[3]) << 8 | UInt32(f[4]) << 16 | UInt32(f[5]) << 24
        return ObservedEvent(
            event: MonitorEvent(zmqValue: raw), rawEvent: raw, value: value,
            endpoint: String(decoding: message.frames[1], as: UTF8.self))
    }

    public func close() { reader.close() }
}
