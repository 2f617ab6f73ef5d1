import CZeroMQ

public struct PollEvents: OptionSet, Sendable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    public static let pollIn = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    public static let pollOut = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
}

/// zmq_poll over several sockets; returns the events seen per socket (same order).
public func poll(_ sockets: [(Socket, PollEvents)], timeoutMs: Int) throws -> [PollEvents] {
    var items = sockets.map { zmq_pollitem_t(socket: $0.0.handle, fd: -1, events: $0.1.rawValue, revents: 0) }
    let rc = zmq_poll(&items, Int32(items.count), timeoutMs)
    if rc < 0 { throw ZMQError.last("zmq_poll") }
    return items.map { PollEvents(rawValue: $0.revents) }
}
