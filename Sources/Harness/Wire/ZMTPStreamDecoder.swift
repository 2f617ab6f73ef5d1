/// Decodes one direction of a ZMTP connection as its octets arrive, for a trace: the 3.x
/// greeting, then frames and commands. Anything else (a 2.0 or 1.0 peer, a bad signature) is
/// shown as octets, undecoded.
struct ZMTPStreamDecoder {
    private enum State { case greeting, frames, opaque }
    private var state = State.greeting
    private var buffer: [UInt8] = []

    /// The greetings, frames and commands that are now whole, each with its octets.
    mutating func feed(_ bytes: [UInt8]) -> [(label: String, bytes: [UInt8])] {
        buffer += bytes
        var out: [(label: String, bytes: [UInt8])] = []
        while !buffer.isEmpty {
            switch state {
            case .greeting:
                // Signature first, then the major version: only then is it known to be 3.x.
                let signatureSeen = buffer[0] == 0xFF && (buffer.count < 10 || buffer[9] == 0x7F)
                guard signatureSeen else {
                    state = .opaque
                    continue
                }
                guard buffer.count >= 11 else { return out }
                guard buffer[10] >= 3 else {
                    state = .opaque
                    continue
                }
                guard let greeting = ZMTPGreeting(decoding: buffer) else { return out }
                out.append((greeting.summary, Array(buffer.prefix(ZMTPGreeting.size))))
                buffer.removeFirst(ZMTPGreeting.size)
                state = .frames
            case .frames:
                guard let (frame, length) = ZMTPFrameReader.frame(in: buffer[...]) else { return out }
                out.append((WirePeer.describe(frame), Array(buffer.prefix(length))))
                buffer.removeFirst(length)
            case .opaque:
                out.append(("octets (not a ZMTP 3.x greeting or frame)", buffer))
                buffer = []
            }
        }
        return out
    }

    /// Octets of a frame or greeting that had not all arrived.
    var pending: [UInt8] { buffer }
}
