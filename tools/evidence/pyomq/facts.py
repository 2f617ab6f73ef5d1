#!/usr/bin/env python3
"""Reproduces, outside zmqsuite, each pyomq behaviour that cases/expectations/pyomq.yaml lists.

    .venv-pyomq/bin/python tools/evidence/pyomq/facts.py [FACT...]

Each fact runs in a child process with a 5 s bound (some hang the whole interpreter) and
prints SEEN (the behaviour is there, as the expectations file says) or NOT SEEN, with what
happened. Exit 1 if any fact was not seen: the expectations file is then out of date.
"""
import multiprocessing
import sys
import time

FACTS = {}


def fact(name, clause):
    def register(fn):
        FACTS[name] = (clause, fn)
        return fn
    return register


def ctx():
    import pyomq
    return pyomq, pyomq.Context()


def err(fn):
    """The errno an operation fails with, or 'ok'."""
    try:
        fn()
        return "ok"
    except Exception as e:
        return getattr(e, "errno", None) or type(e).__name__


@fact("dontwait-send-blocks", "zmq_send(3) ZMQ_DONTWAIT: fail with EAGAIN instead of blocking")
def dontwait_send_blocks():
    z, c = ctx()
    s = c.socket(z.PUSH)
    s.bind("tcp://127.0.0.1:*")
    s.send(b"x", z.DONTWAIT)  # blocks: the parent sees the bound pass
    return "returned"


@fact("dontwait-recv-eio", "zmq_recv(3) ZMQ_DONTWAIT: EAGAIN when nothing is there")
def dontwait_recv_eio():
    z, c = ctx()
    s = c.socket(z.PULL)
    s.bind("tcp://127.0.0.1:*")
    got = err(lambda: s.recv(z.DONTWAIT))
    return ("SEEN" if got == 5 else "NOT SEEN") + ": errno %s" % got


@fact("reconnect-stop-hangs", "zmq_setsockopt(3) ZMQ_RECONNECT_STOP: an option that is set and returns")
def reconnect_stop_hangs():
    z, c = ctx()
    c.socket(z.DEALER).setsockopt(z.RECONNECT_STOP, 1)  # does not return
    return "returned"


@fact("ipv6-wildcard-refused", "zmq_tcp(7): the port may be * (wildcard), for IPv6 addresses too")
def ipv6_wildcard_refused():
    z, c = ctx()
    s = c.socket(z.PAIR)
    s.ipv6 = 1
    got = err(lambda: s.bind("tcp://[::1]:*"))
    return ("SEEN" if got != "ok" else "NOT SEEN") + ": bind tcp://[::1]:* -> %s" % got


@fact("efsm-is-eproto", "zmq_send(3) EFSM: a REQ sending twice without a reply")
def efsm_is_eproto():
    z, c = ctx()
    rep = c.socket(z.REP)
    e = rep.bind("tcp://127.0.0.1:*") or rep.last_endpoint
    req = c.socket(z.REQ)
    req.connect(e.decode() if isinstance(e, bytes) else e)
    req.send(b"1")
    req.sndtimeo = 100
    got = err(lambda: req.send(b"2"))
    return ("SEEN" if got == 71 else "NOT SEEN") + ": second send -> errno %s (EPROTO is 71; libzmq's EFSM is 156384763)" % got


@fact("wrong-direction-eproto", "zmq_send(3) ENOTSUP: send on a socket type that cannot send (PULL)")
def wrong_direction_eproto():
    z, c = ctx()
    s = c.socket(z.PULL)
    s.sndtimeo = 100
    got = err(lambda: s.send(b"x"))
    return ("SEEN" if got == 71 else "NOT SEEN") + ": PULL send -> errno %s" % got


@fact("recv-on-push-eagain", "zmq_recv(3) ENOTSUP: receive on a socket type that cannot receive (PUSH)")
def recv_on_push_eagain():
    z, c = ctx()
    s = c.socket(z.PUSH)
    s.rcvtimeo = 100
    got = err(lambda: s.recv())
    return ("SEEN" if got == 11 else "NOT SEEN") + ": PUSH recv -> errno %s (EAGAIN is 11)" % got


@fact("pollout-while-eagain", "zmq_poll(3) ZMQ_POLLOUT: at least one message may be sent without blocking")
def pollout_while_eagain():
    z, c = ctx()
    s = c.socket(z.PUSH)
    s.bind("tcp://127.0.0.1:*")
    ready = s.poll(0, z.POLLOUT)
    s.sndtimeo = 0
    got = err(lambda: s.send(b"x"))
    return ("SEEN" if ready and got == 11 else "NOT SEEN") + ": poll POLLOUT -> %s, send -> %s" % (ready, got)


@fact("inproc-hwm-never-blocks", "zmq_setsockopt(3) ZMQ_SNDHWM: block or drop once the high water mark is reached")
def inproc_hwm_never_blocks():
    z, c = ctx()
    pull = c.socket(z.PULL)
    pull.rcvhwm = 5
    pull.bind("inproc://hwm")
    push = c.socket(z.PUSH)
    push.sndhwm = 5
    push.connect("inproc://hwm")
    push.sndtimeo = 0
    sent = 0
    for _ in range(1000):
        if err(lambda: push.send(b"x")) != "ok":
            break
        sent += 1
    return ("SEEN" if sent == 1000 else "NOT SEEN") + ": %d of 1000 sends with HWM 5+5 and nobody receiving" % sent


@fact("no-monitor-stopped", "zmq_socket_monitor(3) ZMQ_EVENT_MONITOR_STOPPED: the last event when monitoring ends")
def no_monitor_stopped():
    z, c = ctx()
    s = c.socket(z.PAIR)
    m = s.monitor()
    s.bind("tcp://127.0.0.1:*")
    s.close()
    events = []
    deadline = time.time() + 1
    while time.time() < deadline:
        try:
            events.append(m.recv(timeout_ms=100).get("event"))
        except Exception:
            break
    return ("SEEN" if "monitor_stopped" not in events else "NOT SEEN") + ": events %s" % events


@fact("disconnect-unknown-ehostunreach", "zmq_disconnect(3) ENOENT: the endpoint was not connected")
def disconnect_unknown():
    z, c = ctx()
    s = c.socket(z.PUSH)
    got = err(lambda: s.disconnect("tcp://127.0.0.1:1"))
    return ("SEEN" if got == 113 else "NOT SEEN") + ": disconnect -> errno %s (EHOSTUNREACH is 113, ENOENT 2)" % got


@fact("empty-routing-id-accepted", "zmq_setsockopt(3) ZMQ_ROUTING_ID: 1 to 255 bytes (EINVAL otherwise)")
def empty_routing_id():
    z, c = ctx()
    got = err(lambda: c.socket(z.DEALER).setsockopt(z.ROUTING_ID, b""))
    return ("SEEN" if got == "ok" else "NOT SEEN") + ": set routing_id '' -> %s" % got


@fact("bad-curve-key-accepted", "zmq_setsockopt(3) ZMQ_CURVE_SERVERKEY: 32 bytes or 40 Z85 characters (EINVAL otherwise)")
def bad_curve_key():
    z, c = ctx()
    got = err(lambda: c.socket(z.DEALER).setsockopt(z.CURVE_SERVERKEY, b"tooshort"))
    return ("SEEN" if got == "ok" else "NOT SEEN") + ": set curve_serverkey 'tooshort' -> %s" % got


@fact("unknown-protocol-einval", "zmq_bind(3) EPROTONOSUPPORT: the transport is not supported")
def unknown_protocol():
    z, c = ctx()
    got = err(lambda: c.socket(z.PAIR).bind("carrier-pigeon://coop"))
    return ("SEEN" if got == 22 else "NOT SEEN") + ": bind carrier-pigeon:// -> errno %s (EINVAL 22, EPROTONOSUPPORT 93)" % got


@fact("double-subscribe-one-unsubscribe", "zmq_setsockopt(3) ZMQ_UNSUBSCRIBE: of several identical subscriptions only one is removed")
def double_subscribe():
    z, c = ctx()
    pub = c.socket(z.PUB)
    pub.bind("tcp://127.0.0.1:*")
    sub = c.socket(z.SUB)
    sub.subscribe(b"t")
    sub.subscribe(b"t")
    sub.unsubscribe(b"t")
    sub.connect(pub.last_endpoint.decode())
    sub.rcvtimeo = 50
    for _ in range(40):
        pub.send(b"t-still")
        if err(lambda: sub.recv()) == "ok":
            return "NOT SEEN: the subscription survived"
    return "SEEN: nothing received after one of two identical unsubscribes"


@fact("plain-server-needs-auth", "RFC 27 / zmq_plain(7): a PLAIN server binds; authentication is ZAP's")
def plain_server_needs_auth():
    z, c = ctx()
    s = c.socket(z.PAIR)
    s.setsockopt(z.PLAIN_SERVER, 1)
    got = err(lambda: s.bind("tcp://127.0.0.1:*"))
    return ("SEEN" if got != "ok" else "NOT SEEN") + ": bind a PLAIN server without set_plain_auth -> %s" % got


@fact("linger-default-zero", "zmq_getsockopt(3) ZMQ_LINGER: the default is -1 (wait for pending messages)")
def linger_default():
    z, c = ctx()
    got = c.socket(z.PUSH).getsockopt(z.LINGER)
    return ("SEEN" if got == 0 else "NOT SEEN") + ": default linger %s" % got


@fact("events-without-pollout", "zmq_getsockopt(3) ZMQ_EVENTS: POLLOUT (2) when a message may be sent")
def events_without_pollout():
    z, c = ctx()
    a = c.socket(z.PAIR)
    a.bind("inproc://events")
    b = c.socket(z.PAIR)
    b.connect("inproc://events")
    b.send(b"x")
    a.recv()
    got = a.getsockopt(z.EVENTS)
    return ("SEEN" if not got & 2 else "NOT SEEN") + ": ZMQ_EVENTS of a connected PAIR: %s" % got


@fact("mechanism-stays-null", "zmq_getsockopt(3) ZMQ_MECHANISM: PLAIN (1) once PLAIN_SERVER is set")
def mechanism_stays_null():
    z, c = ctx()
    s = c.socket(z.PAIR)
    s.setsockopt(z.PLAIN_SERVER, 1)
    got = s.getsockopt(z.MECHANISM)
    return ("SEEN" if got == 0 else "NOT SEEN") + ": mechanism after PLAIN_SERVER %s" % got


@fact("inproc-bind-twice-einval", "zmq_bind(3) EADDRINUSE: the inproc name is already bound")
def inproc_bind_twice():
    z, c = ctx()
    first = c.socket(z.PULL)
    first.bind("inproc://twice")
    got = err(lambda: c.socket(z.PULL).bind("inproc://twice"))
    first.close()
    return ("SEEN" if got == 22 else "NOT SEEN") + ": second bind -> errno %s (EADDRINUSE 98)" % got


@fact("no-router-probe", "zmq_setsockopt(3) ZMQ_PROBE_ROUTER: an empty message goes to the ROUTER on connect")
def no_router_probe():
    z, c = ctx()
    r = c.socket(z.ROUTER)
    r.bind("tcp://127.0.0.1:*")
    d = c.socket(z.DEALER)
    d.setsockopt(z.PROBE_ROUTER, 1)
    d.connect(r.last_endpoint.decode())
    r.rcvtimeo = 1000
    got = err(lambda: r.recv_multipart())
    return ("SEEN" if got == 11 else "NOT SEEN") + ": ROUTER recv after a probing DEALER connects -> %s" % got


@fact("no-request-id", "zmq_setsockopt(3) ZMQ_REQ_CORRELATE: a request id frame precedes the request")
def no_request_id():
    z, c = ctx()
    r = c.socket(z.ROUTER)
    r.bind("tcp://127.0.0.1:*")
    q = c.socket(z.REQ)
    q.setsockopt(z.REQ_CORRELATE, 1)
    q.connect(r.last_endpoint.decode())
    q.send(b"first")
    r.rcvtimeo = 2000
    parts = r.recv_multipart()
    return ("SEEN" if len(parts) == 3 else "NOT SEEN") + ": ROUTER got %d frames (with a request id: 4)" % len(parts)


@fact("stream-unknown-id-accepted", "zmq_socket(3) ZMQ_STREAM: EHOSTUNREACH for an unknown routing id")
def stream_unknown_id():
    z, c = ctx()
    s = c.socket(z.STREAM)
    s.bind("tcp://127.0.0.1:*")
    s.sndtimeo = 100
    got = err(lambda: s.send_multipart([b"nobody", b"data"]))
    return ("SEEN" if got == "ok" else "NOT SEEN") + ": send to an unknown id -> %s" % got


@fact("xpub-passes-duplicates", "zmq_socket(3) ZMQ_XPUB: a duplicate subscription is not passed upstream without XPUB_VERBOSE")
def xpub_passes_duplicates():
    z, c = ctx()
    x = c.socket(z.XPUB)
    x.bind("tcp://127.0.0.1:*")
    a = c.socket(z.SUB)
    a.connect(x.last_endpoint.decode())
    a.subscribe(b"dup")
    x.rcvtimeo = 2000
    x.recv()
    b = c.socket(z.SUB)
    b.connect(x.last_endpoint.decode())
    b.subscribe(b"dup")
    x.rcvtimeo = 1000
    got = err(lambda: x.recv())
    return ("SEEN" if got == "ok" else "NOT SEEN") + ": second identical subscription upstream -> %s" % got


def child(fn, queue):
    queue.put(fn())


def main():
    names = sys.argv[1:] or list(FACTS)
    missing = 0
    for name in names:
        clause, fn = FACTS[name]
        queue = multiprocessing.Queue()
        p = multiprocessing.Process(target=child, args=(fn, queue), daemon=True)
        p.start()
        p.join(5)
        if p.is_alive():
            p.kill()
            result = "SEEN: did not return within 5 s"
        else:
            result = queue.get() if not queue.empty() else "NOT SEEN: the child ended without a result"
            if result == "returned":
                result = "NOT SEEN: returned"
        missing += result.startswith("NOT SEEN")
        print("%-34s %s\n%-34s (%s)" % (name, result, "", clause))
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
