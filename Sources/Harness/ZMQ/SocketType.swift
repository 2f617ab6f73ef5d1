import CZeroMQ

/// Every socket type libzmq defines. The draft constants are spelled out here because
/// zmq.h hides them behind ZMQ_BUILD_DRAFT_API, which Debian's package does not set.
public enum SocketType: String, CaseIterable, Codable, Sendable {
    case PAIR, PUB, SUB, REQ, REP, DEALER, ROUTER, PULL, PUSH, XPUB, XSUB, STREAM
    case SERVER, CLIENT, RADIO, DISH, GATHER, SCATTER, DGRAM, PEER, CHANNEL

    public var zmqValue: Int32 {
        switch self {
        case .PAIR: return 0
        case .PUB: return 1
        case .SUB: return 2
        case .REQ: return 3
        case .REP: return 4
        case .DEALER: return 5
        case .ROUTER: return 6
        case .PULL: return 7
        case .PUSH: return 8
        case .XPUB: return 9
        case .XSUB: return 10
        case .STREAM: return 11
        case .SERVER: return 12
        case .CLIENT: return 13
        case .RADIO: return 14
        case .DISH: return 15
        case .GATHER: return 16
        case .SCATTER: return 17
        case .DGRAM: return 18
        case .PEER: return 19
        case .CHANNEL: return 20
        }
    }

    public var isDraft: Bool { zmqValue >= 12 }

    public static var stable: [SocketType] { allCases.filter { !$0.isDraft } }
}
