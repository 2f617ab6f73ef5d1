import CSodium

/// The NaCl boxes CurveZMQ (RFC 26) is made of, from libsodium. A box's output is the 16-octet
/// MAC then the ciphertext (crypto_box_easy), which is what RFC 26 puts on the wire.
public enum CurveCrypto {
    public static let keySize = 32
    public static let macSize = 16

    public struct KeyPair: Sendable {
        public var publicKey: [UInt8]
        public var secretKey: [UInt8]
    }

    public static func keyPair() -> KeyPair {
        _ = sodium_init()
        var pk = [UInt8](repeating: 0, count: keySize)
        var sk = [UInt8](repeating: 0, count: keySize)
        crypto_box_keypair(&pk, &sk)
        return KeyPair(publicKey: pk, secretKey: sk)
    }

    /// The public key that belongs to a secret key.
    public static func publicKey(of secret: [UInt8]) -> [UInt8] {
        var pk = [UInt8](repeating: 0, count: keySize)
        crypto_scalarmult_base(&pk, secret)
        return pk
    }

    public static func random(_ n: Int) -> [UInt8] {
        _ = sodium_init()
        var out = [UInt8](repeating: 0, count: n)
        randombytes_buf(&out, n)
        return out
    }

    /// box[plain](sender secret -> receiver public), with a 24-octet nonce.
    public static func box(_ plain: [UInt8], nonce: [UInt8], to publicKey: [UInt8], from secretKey: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: plain.count + macSize)
        crypto_box_easy(&out, plain, UInt64(plain.count), nonce, publicKey, secretKey)
        return out
    }

    /// Opens a box; nil when the MAC does not hold.
    public static func open(_ boxed: [UInt8], nonce: [UInt8], from publicKey: [UInt8], to secretKey: [UInt8]) -> [UInt8]? {
        guard boxed.count >= macSize else { return nil }
        var out = [UInt8](repeating: 0, count: boxed.count - macSize)
        let rc = crypto_box_open_easy(&out, boxed, UInt64(boxed.count), nonce, publicKey, secretKey)
        return rc == 0 ? out : nil
    }

    /// secretbox, for the server's cookie.
    public static func secretBox(_ plain: [UInt8], nonce: [UInt8], key: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: plain.count + macSize)
        crypto_secretbox_easy(&out, plain, UInt64(plain.count), nonce, key)
        return out
    }

    public static func secretOpen(_ boxed: [UInt8], nonce: [UInt8], key: [UInt8]) -> [UInt8]? {
        guard boxed.count >= macSize else { return nil }
        var out = [UInt8](repeating: 0, count: boxed.count - macSize)
        return crypto_secretbox_open_easy(&out, boxed, UInt64(boxed.count), nonce, key) == 0 ? out : nil
    }

    /// A 24-octet nonce: a 16-octet ASCII prefix and an 8-octet counter (network order).
    public static func shortNonce(_ prefix: String, _ counter: UInt64) -> [UInt8] {
        Array(prefix.utf8) + withUnsafeBytes(of: counter.bigEndian, Array.init)
    }

    /// A 24-octet nonce: an 8-octet ASCII prefix and 16 octets (random in a correct peer).
    public static func longNonce(_ prefix: String, _ tail: [UInt8]) -> [UInt8] { Array(prefix.utf8) + tail }
}
