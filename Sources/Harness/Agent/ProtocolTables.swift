/// The tables of agents/PROTOCOL.md that the code already knows: option names and how their
/// values travel, monitor event names and what their `value` means, transport names. The page
/// holds them between markers; `scripts/tables` rewrites them and a test compares.
public enum ProtocolTables {
    public static func options() -> String {
        var out = "| option | value on the wire | set / get | libzmq number | draft |\n|---|---|---|---|---|\n"
        for o in SocketOption.allCases {
            out += "| `\(o.rawValue)` | \(wireForm(o.kind)) | \(o.access.rawValue) | \(o.zmqValue) | \(o.isDraft ? "draft" : "") |\n"
        }
        return out
    }

    static func wireForm(_ kind: SocketOption.Kind) -> String {
        switch kind {
        case .int, .int64: return "integer"
        case .uint64: return "integer (unsigned 64-bit bit mask)"
        case .bool: return "integer 0 or 1"
        case .bytes: return "bytes: `{\"base64\": ...}`"
        case .string: return "string"
        case .curveKey: return "string (40-character Z85), or bytes (32)"
        }
    }

    public static func events() -> String {
        var out = "| event | libzmq value | `value` means |\n|---|---|---|\n"
        for e in MonitorEvent.allCases {
            out += "| `\(e.rawValue)` | 0x\(String(e.zmqValue, radix: 16, uppercase: false)) | \(valueMeaning(e)) |\n"
        }
        return out
    }

    static func valueMeaning(_ e: MonitorEvent) -> String {
        switch e {
        case .CONNECTED, .LISTENING, .ACCEPTED, .CLOSED, .DISCONNECTED: return "the connection's or listener's file descriptor, or 0"
        case .CONNECT_DELAYED, .BIND_FAILED, .ACCEPT_FAILED, .CLOSE_FAILED, .HANDSHAKE_FAILED_NO_DETAIL: return "the errno number, or 0"
        case .CONNECT_RETRIED: return "the reconnect interval in ms"
        case .MONITOR_STOPPED, .HANDSHAKE_SUCCEEDED: return "0"
        case .HANDSHAKE_FAILED_PROTOCOL: return "the ZMTP error code (libzmq's ZMQ_PROTOCOL_ERROR_*), or 0"
        case .HANDSHAKE_FAILED_AUTH: return "the ZAP status code (300, 400, 500)"
        }
    }

    public static func transports() -> String {
        var out = "| transport | endpoint the suite binds (connects use the answered endpoint) |\n|---|---|\n"
        for t in Transport.allCases {
            out += "| `\(t.rawValue)` | \(endpointForm(t)) |\n"
        }
        return out
    }

    static func endpointForm(_ t: Transport) -> String {
        switch t {
        case .tcp: return "`tcp://127.0.0.1:*`"
        case .tcp6: return "`tcp://[::1]:*` (after setting `ipv6` to 1)"
        case .ipc: return "`ipc:///tmp/zs-TAG/N.sock`"
        case .ipcAbstract: return "`ipc://@zs-TAG-N` (Linux abstract namespace)"
        case .inproc: return "`inproc://zs-TAG-N`"
        case .ws: return "`ws://127.0.0.1:*`"
        case .pgm, .epgm: return "`epgm://IFACE;239.192.X.Y:PORT` (multicast, on namespace hosts)"
        case .norm: return "`norm://IFACE;239.192.X.Y:PORT` (multicast, on namespace hosts)"
        case .tipc: return "`tipc://{TYPE,0,0}`"
        case .udp: return "`udp://127.0.0.1:PORT` (a free port the suite picked; RADIO/DISH and DGRAM only)"
        }
    }
}
