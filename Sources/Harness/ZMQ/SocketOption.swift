/// The socket options cases may set or read, typed by the kind of value libzmq takes.
/// Case files name them in lower case (`sndhwm`, `routing_id`, ...).
public enum SocketOption: String, CaseIterable, Sendable {
    case affinity, routing_id, subscribe, unsubscribe, rate, recovery_ivl, sndbuf, rcvbuf
    case rcvmore, events, type, linger, reconnect_ivl, backlog, reconnect_ivl_max, maxmsgsize
    case sndhwm, rcvhwm, multicast_hops, rcvtimeo, sndtimeo, last_endpoint, router_mandatory
    case tcp_keepalive, tcp_keepalive_cnt, tcp_keepalive_idle, tcp_keepalive_intvl, immediate, xpub_verbose, router_raw, ipv6, mechanism
    case plain_server, plain_username, plain_password
    case curve_server, curve_publickey, curve_secretkey, curve_serverkey
    case probe_router, req_correlate, req_relaxed, conflate, zap_domain, router_handover
    case connect_routing_id, handshake_ivl, xpub_nodrop, xpub_manual, xpub_welcome_msg
    case stream_notify, invert_matching, heartbeat_ivl, heartbeat_ttl, heartbeat_timeout
    case xpub_verboser, connect_timeout, thread_safe, zap_enforce_domain, router_notify
    case ipv4only, xsub_verbose_unsubscribe
    case tcp_accept_filter, ipc_filter_uid, metadata
    case hello_msg, disconnect_msg, hiccup_msg
    case xpub_manual_last_value, only_first_subscribe, reconnect_stop

    /// Options libzmq keeps behind ZMQ_BUILD_DRAFT_API: a build without it refuses them with
    /// EINVAL, which makes a cell UNSUPPORTED rather than FAIL.
    public var isDraft: Bool {
        switch self {
        case .zap_enforce_domain, .router_notify, .xsub_verbose_unsubscribe, .metadata, .hello_msg, .disconnect_msg, .hiccup_msg,
            .xpub_manual_last_value, .only_first_subscribe, .reconnect_stop:
            return true
        default: return false
        }
    }

    /// Whether libzmq lets the option be set, read, or both (zmq_setsockopt(3), zmq_getsockopt(3)).
    public enum Access: String, Sendable { case both, setOnly = "set only", getOnly = "get only" }

    public var access: Access {
        switch self {
        case .rcvmore, .events, .type, .last_endpoint, .mechanism, .thread_safe: return .getOnly
        case .subscribe, .unsubscribe, .connect_routing_id, .xpub_welcome_msg, .router_mandatory, .router_raw, .probe_router,
            .req_correlate, .req_relaxed, .router_handover, .xpub_verbose, .xpub_verboser, .xpub_nodrop, .xpub_manual,
            .stream_notify, .tcp_accept_filter, .ipc_filter_uid, .hello_msg, .disconnect_msg, .hiccup_msg,
            .xsub_verbose_unsubscribe, .xpub_manual_last_value, .only_first_subscribe:
            return .setOnly
        default: return .both
        }
    }

    public enum Kind: Sendable { case int, int64, uint64, bool, bytes, string, curveKey }

    public var kind: Kind {
        switch self {
        case .affinity: return .uint64
        case .maxmsgsize: return .int64
        case .routing_id, .subscribe, .unsubscribe, .connect_routing_id, .xpub_welcome_msg, .hello_msg, .disconnect_msg:
            return .bytes
        case .last_endpoint, .plain_username, .plain_password, .zap_domain, .tcp_accept_filter, .metadata: return .string
        case .curve_publickey, .curve_secretkey, .curve_serverkey: return .curveKey
        case .hiccup_msg: return .bytes
        case .rcvmore, .router_mandatory, .tcp_keepalive, .immediate, .xpub_verbose, .router_raw,
            .ipv6, .plain_server, .curve_server, .probe_router, .req_correlate, .req_relaxed,
            .conflate, .router_handover, .xpub_nodrop, .xpub_manual, .stream_notify,
            .invert_matching, .xpub_verboser, .thread_safe, .zap_enforce_domain,
            .ipv4only, .xsub_verbose_unsubscribe, .xpub_manual_last_value, .only_first_subscribe:
            return .bool
        default: return .int
        }
    }

    /// libzmq's option number (zmq.h, 4.3.x; draft numbers spelled out where zmq.h hides them).
    public var zmqValue: Int32 {
        switch self {
        case .affinity: return 4
        case .routing_id: return 5
        case .subscribe: return 6
        case .unsubscribe: return 7
        case .rate: return 8
        case .recovery_ivl: return 9
        case .sndbuf: return 11
        case .rcvbuf: return 12
        case .rcvmore: return 13
        case .events: return 15
        case .type: return 16
        case .linger: return 17
        case .reconnect_ivl: return 18
        case .backlog: return 19
        case .reconnect_ivl_max: return 21
        case .maxmsgsize: return 22
        case .sndhwm: return 23
        case .rcvhwm: return 24
        case .multicast_hops: return 25
        case .rcvtimeo: return 27
        case .sndtimeo: return 28
        case .ipv4only: return 31
        case .last_endpoint: return 32
        case .router_mandatory: return 33
        case .tcp_keepalive: return 34
        case .tcp_keepalive_cnt: return 35
        case .tcp_keepalive_idle: return 36
        case .tcp_keepalive_intvl: return 37
        case .immediate: return 39
        case .xpub_verbose: return 40
        case .router_raw: return 41
        case .ipv6: return 42
        case .mechanism: return 43
        case .plain_server: return 44
        case .plain_username: return 45
        case .plain_password: return 46
        case .curve_server: return 47
        case .curve_publickey: return 48
        case .curve_secretkey: return 49
        case .curve_serverkey: return 50
        case .probe_router: return 51
        case .req_correlate: return 52
        case .req_relaxed: return 53
        case .conflate: return 54
        case .zap_domain: return 55
        case .router_handover: return 56
        case .connect_routing_id: return 61
        case .handshake_ivl: return 66
        case .xpub_nodrop: return 69
        case .xpub_manual: return 71
        case .xpub_welcome_msg: return 72
        case .stream_notify: return 73
        case .invert_matching: return 74
        case .heartbeat_ivl: return 75
        case .heartbeat_ttl: return 76
        case .heartbeat_timeout: return 77
        case .xpub_verboser: return 78
        case .connect_timeout: return 79
        case .thread_safe: return 81
        case .zap_enforce_domain: return 93
        case .router_notify: return 97
        case .xsub_verbose_unsubscribe: return 115
        case .tcp_accept_filter: return 38
        case .ipc_filter_uid: return 59
        case .metadata: return 95
        case .hello_msg: return 110
        case .disconnect_msg: return 111
        case .hiccup_msg: return 114
        case .xpub_manual_last_value: return 98
        case .only_first_subscribe: return 108
        case .reconnect_stop: return 109
        }
    }
}
