#if canImport(Glibc)
    import Glibc
#endif

/// A TCP socket bound to 127.0.0.1 on a port the kernel picks, listening if asked; nil when
/// the kernel refused. Shared by endpoint reservation, the recording relay and the baselines.
public func loopbackTCPSocket(listening: Bool) -> (fd: Int32, port: UInt16)? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    var a = sockaddr_in()
    a.sin_family = sa_family_t(AF_INET)
    a.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &a) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, len) == 0 && (!listening || listen(fd, 4) == 0) && getsockname(fd, $0, &len) == 0
        }
    }
    guard ok else { close(fd); return nil }
    return (fd, UInt16(bigEndian: a.sin_port))
}
