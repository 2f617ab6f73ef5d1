/// RFC 37's table of legal socket-type combinations ("The Socket-Type Property").
public enum ZMTPSocketTypes {
    public static let validPeers: [SocketType: [SocketType]] = [
        .REQ: [.REP, .ROUTER], .REP: [.REQ, .DEALER], .DEALER: [.REP, .DEALER, .ROUTER], .ROUTER: [.REQ, .DEALER, .ROUTER],
        .PUB: [.SUB, .XSUB], .XPUB: [.SUB, .XSUB], .SUB: [.PUB, .XPUB], .XSUB: [.PUB, .XPUB], .PUSH: [.PULL], .PULL: [.PUSH],
        .PAIR: [.PAIR], .CLIENT: [.SERVER], .SERVER: [.CLIENT], .RADIO: [.DISH], .DISH: [.RADIO], .SCATTER: [.GATHER],
        .GATHER: [.SCATTER], .PEER: [.PEER], .CHANNEL: [.CHANNEL],
    ]
}
