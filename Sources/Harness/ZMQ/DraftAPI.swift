import CZeroMQ
import Foundation

/// libzmq's draft API functions, found at run time: zmq.h declares them only under
/// ZMQ_BUILD_DRAFT_API, and a build without the draft API does not export them. A missing one
/// is an ENOTSUP that names it.
enum DraftAPI {
    typealias SocketString = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?) -> Int32
    typealias MsgSetRoutingId = @convention(c) (UnsafeMutablePointer<zmq_msg_t>?, UInt32) -> Int32
    typealias MsgRoutingId = @convention(c) (UnsafeMutablePointer<zmq_msg_t>?) -> UInt32
    typealias MsgSetGroup = @convention(c) (UnsafeMutablePointer<zmq_msg_t>?, UnsafePointer<CChar>?) -> Int32
    typealias MsgGroup = @convention(c) (UnsafeMutablePointer<zmq_msg_t>?) -> UnsafePointer<CChar>?
    typealias ConnectPeer = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?) -> UInt32

    static let join: SocketString? = symbol("zmq_join")
    static let leave: SocketString? = symbol("zmq_leave")
    static let msgSetRoutingId: MsgSetRoutingId? = symbol("zmq_msg_set_routing_id")
    static let msgRoutingId: MsgRoutingId? = symbol("zmq_msg_routing_id")
    static let msgSetGroup: MsgSetGroup? = symbol("zmq_msg_set_group")
    static let msgGroup: MsgGroup? = symbol("zmq_msg_group")
    static let connectPeer: ConnectPeer? = symbol("zmq_connect_peer")

    private static func symbol<T>(_ name: String) -> T? {
        guard let p = dlsym(dlopen(nil, RTLD_NOW), name) else { return nil }
        return unsafeBitCast(p, to: T.self)
    }

    static func need<T>(_ f: T?, _ name: String) throws -> T {
        guard let f else { throw ZMQError(name: "ENOTSUP", operation: "\(name) is not exported by this libzmq (no draft API)") }
        return f
    }
}

/// A single-frame message of the draft socket types, with its routing id (SERVER, PEER) and
/// group (RADIO, DISH).
public struct DraftMessage: Sendable {
    public var frame: [UInt8]
    public var routingId: UInt32
    public var group: String

    public init(frame: [UInt8], routingId: UInt32, group: String) {
        self.frame = frame
        self.routingId = routingId
        self.group = group
    }
}

extension Socket {
    public func join(_ group: String) throws {
        guard try DraftAPI.need(DraftAPI.join, "zmq_join")(handle, group) == 0 else { throw ZMQError.last("zmq_join") }
    }

    public func leave(_ group: String) throws {
        guard try DraftAPI.need(DraftAPI.leave, "zmq_leave")(handle, group) == 0 else { throw ZMQError.last("zmq_leave") }
    }

    /// zmq_connect_peer: connects and returns the routing id of the new peer.
    public func connectPeer(_ endpoint: String) throws -> UInt32 {
        let id = try DraftAPI.need(DraftAPI.connectPeer, "zmq_connect_peer")(handle, endpoint)
        guard id != 0 else { throw ZMQError.last("zmq_connect_peer") }
        return id
    }

    /// Sends one frame with a routing id and/or a group set on the message.
    public func sendDraft(_ frame: [UInt8], routingId: UInt32?, group: String?, dontWait: Bool, timeoutMs: Int) throws {
        if !dontWait { try setTimeout(.sndtimeo, timeoutMs) }
        var msg = zmq_msg_t()
        guard zmq_msg_init_size(&msg, frame.count) == 0 else { throw ZMQError.last("zmq_msg_init_size") }
        if !frame.isEmpty { frame.withUnsafeBytes { _ = memcpy(zmq_msg_data(&msg), $0.baseAddress!, frame.count) } }
        do {
            if let routingId, try DraftAPI.need(DraftAPI.msgSetRoutingId, "zmq_msg_set_routing_id")(&msg, routingId) != 0 {
                throw ZMQError.last("zmq_msg_set_routing_id")
            }
            if let group, try DraftAPI.need(DraftAPI.msgSetGroup, "zmq_msg_set_group")(&msg, group) != 0 {
                throw ZMQError.last("zmq_msg_set_group")
            }
            if zmq_msg_send(&msg, handle, dontWait ? ZMQ_DONTWAIT : 0) < 0 { throw ZMQError.last("zmq_msg_send") }
        } catch {
            zmq_msg_close(&msg)
            throw error
        }
    }

    /// Receives one frame with the routing id and group the library put on it.
    public func receiveDraft(timeoutMs: Int) throws -> DraftMessage {
        try setTimeout(.rcvtimeo, timeoutMs)
        var msg = zmq_msg_t()
        zmq_msg_init(&msg)
        defer { zmq_msg_close(&msg) }
        if zmq_msg_recv(&msg, handle, 0) < 0 { throw ZMQError.last("zmq_msg_recv") }
        let frame = Array(UnsafeRawBufferPointer(start: zmq_msg_data(&msg), count: zmq_msg_size(&msg)))
        let routingId = DraftAPI.msgRoutingId?(&msg) ?? 0
        let group = DraftAPI.msgGroup?(&msg).map { String(cString: $0) } ?? ""
        return DraftMessage(frame: frame, routingId: routingId, group: group)
    }
}
