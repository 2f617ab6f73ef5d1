#!/usr/bin/env python3
"""zmqsuite agent for pyomq (agents/PROTOCOL.md, version 2): JSON lines on stdin/stdout.

pyomq is a ZMTP 3.x stack written in Rust with a pyzmq-like Python API. This agent was written
from PROTOCOL.md alone. Where pyomq's behaviour would break the protocol's own rules (never block
past the request's bound, never die of a request), the agent works around it; each workaround is
marked WORKAROUND below, and the defect is recorded in cases/expectations/pyomq.yaml with its
evidence (tools/evidence/pyomq/facts.py reproduces each one outside the suite).

Library facts an agent author meets (pyomq 0.21.0, checked by tools/evidence/pyomq/facts.py):
- send with DONTWAIT blocks, holding the GIL, when the message cannot be sent;
- recv with DONTWAIT raises errno 5 ("internal error") when nothing is there, not EAGAIN;
- setting RECONNECT_STOP does not return (and holds the GIL);
- `tcp://[::1]:*` is refused ("missing port"), a concrete IPv6 port binds (so hello leaves tcp6 out);
- options it names but does not implement answer ENOSYS (answered NOT_IMPLEMENTED here);
- RADIO/DISH messages are two frames, [group, body], not one frame carrying a group;
- the monitor gives lower-case event names and no MONITOR_STOPPED;
- no ZAP handler (authentication is set_plain_auth / set_curve_auth), no ws transport, no
  message metadata, no context shutdown.
"""
import base64
import errno
import json
import os
import socket as pysocket
import sys
import tempfile
import threading
import time

import pyomq as zmq

SOCKET_TYPES = ["PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB", "STREAM",
                "SERVER", "CLIENT", "RADIO", "DISH", "GATHER", "SCATTER", "DGRAM", "PEER", "CHANNEL"]
# The protocol's option names (PROTOCOL.md section 3); hello lists those pyomq has.
OPTION_NAMES = ["affinity", "routing_id", "subscribe", "unsubscribe", "rate", "recovery_ivl", "sndbuf", "rcvbuf",
                "rcvmore", "events", "type", "linger", "reconnect_ivl", "backlog", "reconnect_ivl_max", "maxmsgsize",
                "sndhwm", "rcvhwm", "multicast_hops", "rcvtimeo", "sndtimeo", "last_endpoint", "router_mandatory",
                "tcp_keepalive", "tcp_keepalive_cnt", "tcp_keepalive_idle", "tcp_keepalive_intvl", "immediate", "xpub_verbose", "router_raw", "ipv6", "mechanism", "plain_server",
                "plain_username", "plain_password", "curve_server", "curve_publickey", "curve_secretkey",
                "curve_serverkey", "probe_router", "req_correlate", "req_relaxed", "conflate", "zap_domain",
                "router_handover", "connect_routing_id", "handshake_ivl", "xpub_nodrop", "xpub_manual",
                "xpub_welcome_msg", "stream_notify", "invert_matching", "heartbeat_ivl", "heartbeat_ttl",
                "heartbeat_timeout", "xpub_verboser", "connect_timeout", "thread_safe", "zap_enforce_domain",
                "router_notify", "ipv4only", "xsub_verbose_unsubscribe", "tcp_accept_filter", "ipc_filter_uid",
                "metadata", "hello_msg", "disconnect_msg", "hiccup_msg", "xpub_manual_last_value",
                "only_first_subscribe", "reconnect_stop"]
TEXT_OPTIONS = {"last_endpoint", "plain_username", "plain_password", "zap_domain", "tcp_accept_filter", "metadata"}
KEY_OPTIONS = {"curve_publickey", "curve_secretkey", "curve_serverkey"}
# Ops of the protocol this agent does not serve (hello leaves out their features).
UNSERVED = {"zap", "zap_requests", "recv_until_shutdown"}


class ProtocolError(Exception):
    pass


class Refused(Exception):
    """An error the agent answers itself, with a name of PROTOCOL.md section 2."""

    def __init__(self, name, message):
        super().__init__(message)
        self.name = name


def errno_name(e):
    code = getattr(e, "errno", None)
    if isinstance(e, zmq.ContextTerminated) or code == zmq.ETERM:
        return "ETERM"
    if not code:
        return "NO_ERRNO"
    if code == errno.ENOSYS:
        # pyomq says ENOSYS for options it has a name for but does not implement.
        return "NOT_IMPLEMENTED"
    return errno.errorcode.get(code, "errno %d" % code)


def b64(data):
    return base64.b64encode(bytes(data)).decode("ascii")


def unb64(text):
    try:
        return base64.b64decode(text, validate=True)
    except Exception as e:
        raise ProtocolError("not base64: %s" % e)


def option_constant(name):
    const = getattr(zmq, name.upper(), None)
    if const is None:
        raise Refused("EINVAL", "pyomq has no option %s" % name)
    return const


class Agent:
    def __init__(self):
        self.sessions = {}   # id -> {"context", "sockets": set, "proxies": list}
        self.sockets = {}    # handle -> socket
        self.types = {}      # handle -> socket type name
        self.monitors = {}   # handle -> pyomq Monitor
        self.rcvtimeo = {}   # handle -> the case's own RCVTIMEO / SNDTIMEO (ms), when set
        self.sndtimeo = {}
        self.proxies = {}
        self.owned = set()
        self.next = 1

    def new_handle(self):
        self.next += 1
        return self.next - 1

    def socket(self, handle):
        if handle not in self.sockets:
            raise ProtocolError("unknown socket %r" % handle)
        return self.sockets[handle]

    def session(self, req):
        if req.get("session") not in self.sessions:
            raise ProtocolError("unknown session %r" % req.get("session"))
        return self.sessions[req["session"]]

    @staticmethod
    def timeout(req):
        ms = req.get("timeout_ms")
        if not isinstance(ms, int) or ms < 0:
            raise ProtocolError("timeout_ms must be an integer >= 0")
        return ms

    def bound(self, table, handle, ms):
        own = table.get(handle, -1)
        return min(own, ms) if own >= 0 else ms

    # --- hello ------------------------------------------------------------------------

    def op_hello(self, req):
        return {"name": "pyomq", "version": "%s (ZMTP stack in Rust)" % zmq.pyomq_version(),
                "library": os.path.dirname(zmq.__file__), "protocol": 2, "capabilities": self.capabilities()}

    def capabilities(self):
        ctx = zmq.Context()
        types = []
        for name in SOCKET_TYPES:
            const = getattr(zmq, name, None)
            if const is None:
                continue
            try:
                ctx.socket(const).close(0)
                types.append(name)
            except zmq.ZMQError:
                pass
        tmp = tempfile.mkdtemp(prefix="zmqsuite-pyomq-")
        # Each transport as the suite binds it (PROTOCOL.md's transport table). pyomq refuses
        # tcp://[::1]:*, so tcp6 is not claimed; case connection.tcp.ipv6-wildcard-port reports it.
        probes = {"tcp": ("PAIR", "tcp://127.0.0.1:*"), "tcp6": ("PAIR", "tcp://[::1]:*"),
                  "ipc": ("PAIR", "ipc://%s/probe" % tmp), "ipc-abstract": ("PAIR", "ipc://@zmqsuite-pyomq-%d" % os.getpid()),
                  "inproc": ("PAIR", "inproc://probe"), "ws": ("PAIR", "ws://127.0.0.1:*"),
                  "udp": ("DISH", "udp://127.0.0.1:%d" % free_port(pysocket.AF_INET, pysocket.SOCK_DGRAM))}
        transports = []
        for name, (kind, endpoint) in probes.items():
            s = ctx.socket(getattr(zmq, kind))
            try:
                s.bind(endpoint)
                transports.append(name)
            except zmq.ZMQError:
                pass
            finally:
                s.close(0)
        ctx.term()
        mechanisms = ["NULL", "PLAIN"] + (["CURVE"] if zmq.has("curve") else [])
        options = [name for name in OPTION_NAMES if getattr(zmq, name.upper(), None) is not None]
        features = ["monitor", "curve_keypair", "recv_frame", "proxy", "perf", "draft_api"]
        # What pyomq offers of libzmq's draft API, by libzmq's names (no connect_peer: no PEER).
        drafts = ["zmq_join", "zmq_leave", "zmq_msg_set_group", "zmq_msg_group", "zmq_msg_set_routing_id",
                  "zmq_msg_routing_id"]
        return {"socket_types": types, "transports": transports, "mechanisms": mechanisms, "options": options,
                "features": features, "draft_symbols": drafts}

    # --- sessions and sockets ----------------------------------------------------------

    def op_session_open(self, req):
        sid = self.new_handle()
        self.sessions[sid] = {"context": zmq.Context(), "sockets": set(), "proxies": []}
        return {"session": sid}

    def op_session_close(self, req):
        s = self.session(req)
        for handle in s["sockets"]:
            self.monitors.pop(handle, None)
            sock = self.sockets.pop(handle, None)
            if sock is not None and not sock.closed and handle not in self.owned:
                sock.close(0)
        s["context"].term()
        clean = True
        for proxy in s["proxies"]:
            proxy.join(2)
            clean = clean and not proxy.is_alive()
        del self.sessions[req["session"]]
        return {"clean": clean}

    def op_socket(self, req):
        s = self.session(req)
        name = req.get("type")
        if name not in SOCKET_TYPES or getattr(zmq, str(name), None) is None:
            raise ProtocolError("unknown socket type %r" % name)
        handle = self.new_handle()
        self.sockets[handle] = s["context"].socket(getattr(zmq, name))
        self.types[handle] = name
        s["sockets"].add(handle)
        return {"socket": handle}

    def op_set(self, req):
        handle, name, value = req.get("socket"), req.get("option", ""), req.get("value")
        sock = self.socket(handle)
        if isinstance(value, dict) and "base64" in value:
            value = unb64(value["base64"])
        elif isinstance(value, bool):
            value = int(value)
        elif isinstance(value, str):
            value = value.encode()
        elif not isinstance(value, (int, str)):
            raise ProtocolError("bad option value %r" % value)
        if name == "reconnect_stop":
            # WORKAROUND: pyomq's setsockopt(RECONNECT_STOP) never returns and holds the GIL, so
            # the agent would hang. Not attempted; the answer names the defect, and the case that
            # sets it fails with this message (cases/expectations/pyomq.yaml).
            raise Refused("NO_ERRNO", "not attempted: setting RECONNECT_STOP does not return in pyomq 0.21.0")
        const = option_constant(name)
        if name == "subscribe":
            sock.subscribe(value)
        elif name == "unsubscribe":
            sock.unsubscribe(value)
        else:
            sock.setsockopt(const, value)
        if name in ("rcvtimeo", "sndtimeo") and isinstance(value, int):
            (self.rcvtimeo if name == "rcvtimeo" else self.sndtimeo)[handle] = value
        return {}

    def op_get(self, req):
        name = req.get("option", "")
        value = self.socket(req.get("socket")).getsockopt(option_constant(name))
        if isinstance(value, str):
            return {"value": value}
        if isinstance(value, bytes):
            if name in TEXT_OPTIONS or name in KEY_OPTIONS:
                return {"value": value.rstrip(b"\0").decode()}
            return {"value": {"base64": b64(value)}}
        return {"value": int(value)}

    def op_bind(self, req):
        sock = self.socket(req.get("socket"))
        sock.bind(req["endpoint"])
        last = sock.last_endpoint
        return {"endpoint": last.decode() if isinstance(last, bytes) else last}

    def op_connect(self, req):
        self.socket(req.get("socket")).connect(req["endpoint"])
        return {}

    def op_disconnect(self, req):
        self.socket(req.get("socket")).disconnect(req["endpoint"])
        return {}

    def op_unbind(self, req):
        self.socket(req.get("socket")).unbind(req["endpoint"])
        return {}

    def op_close(self, req):
        self.socket(req.get("socket")).close()
        return {}

    # --- messages ----------------------------------------------------------------------

    def sending(self, handle, req):
        """Sets the send bound. WORKAROUND: pyomq's DONTWAIT blocks (holding the GIL) when the
        message cannot be sent; SNDTIMEO 0 gives DONTWAIT's meaning (EAGAIN at once) instead."""
        sock = self.socket(handle)
        sock.sndtimeo = 0 if req.get("dontwait") else self.bound(self.sndtimeo, handle, self.timeout(req))
        return sock

    def receiving(self, handle, req):
        sock = self.socket(handle)
        sock.rcvtimeo = self.bound(self.rcvtimeo, handle, self.timeout(req))
        return sock

    def op_send(self, req):
        frames = [unb64(f) for f in req.get("frames") or []]
        if not frames:
            raise ProtocolError("send needs at least one frame")
        self.sending(req.get("socket"), req).send_multipart(frames)
        return {}

    def op_recv(self, req):
        parts = self.receiving(req.get("socket"), req).recv_multipart()
        return {"frames": [b64(p) for p in parts], "properties": {}}

    def op_recv_frame(self, req):
        sock = self.receiving(req.get("socket"), req)
        frame = sock.recv(copy=False)
        return {"frames": [b64(frame.bytes)], "more": bool(frame.more)}

    def op_poll(self, req):
        items = req.get("items")
        if not isinstance(items, list):
            raise ProtocolError("items must be a list")
        poller = zmq.Poller()
        socks = []
        for item in items:
            sock = self.socket(item.get("socket"))
            events = item.get("events", [])
            poller.register(sock, (zmq.POLLIN if "in" in events else 0) | (zmq.POLLOUT if "out" in events else 0))
            socks.append(sock)
        ready = dict(poller.poll(self.timeout(req)))
        return {"revents": [(["in"] if ready.get(s, 0) & zmq.POLLIN else []) + (["out"] if ready.get(s, 0) & zmq.POLLOUT else [])
                            for s in socks]}

    # --- monitor -----------------------------------------------------------------------

    def op_monitor(self, req):
        self.monitors[req.get("socket")] = self.socket(req.get("socket")).monitor()
        return {}

    def op_next_event(self, req):
        mon = self.monitors.get(req.get("socket"))
        if mon is None:
            raise ProtocolError("socket %r is not monitored" % req.get("socket"))
        try:
            event = mon.recv(timeout_ms=self.timeout(req))
        except zmq.ZMQError:
            return {"event": None}
        name = str(event.get("event", "")).upper()
        # pyomq says only "handshake_failed": libzmq's name for a failure without detail.
        name = {"HANDSHAKE_FAILED": "HANDSHAKE_FAILED_NO_DETAIL"}.get(name, name)
        return {"event": name, "value": 0, "endpoint": str(event.get("endpoint", ""))}

    def op_curve_keypair(self, req):
        public, secret = zmq.curve_keypair()
        return {"public": public.decode(), "secret": secret.decode()}

    # --- proxy -------------------------------------------------------------------------

    def op_proxy(self, req):
        handles = [req.get(k) for k in ("frontend", "backend", "capture", "control")]
        if handles[0] is None or handles[1] is None:
            raise ProtocolError("proxy needs frontend and backend")
        socks = [self.socket(h) if h is not None else None for h in handles]
        session = next((s for s in self.sessions.values() if handles[0] in s["sockets"]), None)
        result = {}

        def run():
            try:
                zmq.proxy_steerable(*socks)
                result["r"] = "ok"
            except zmq.ZMQError as e:
                result["r"] = errno_name(e)
            for s in socks:
                if s is not None:
                    s.close(0)

        thread = threading.Thread(target=run, daemon=True)
        thread.result = result
        thread.start()
        self.owned.update(h for h in handles if h is not None)
        session["proxies"].append(thread)
        handle = self.new_handle()
        self.proxies[handle] = thread
        return {"proxy": handle}

    def op_proxy_wait(self, req):
        self.session(req)
        thread = self.proxies.get(req.get("proxy"))
        if thread is None:
            raise ProtocolError("unknown proxy %r" % req.get("proxy"))
        thread.join(self.timeout(req) / 1000.0)
        return {"returned": False} if thread.is_alive() else {"returned": True, "result": thread.result.get("r", "ok")}

    # --- draft API -----------------------------------------------------------------------

    def op_join(self, req):
        self.socket(req.get("socket")).join(str(req["group"]))
        return {}

    def op_leave(self, req):
        self.socket(req.get("socket")).leave(str(req["group"]))
        return {}

    def op_send_draft(self, req):
        handle = req.get("socket")
        frames = req.get("frames") or []
        if len(frames) != 1:
            raise ProtocolError("send_draft takes exactly one frame")
        body = unb64(frames[0])
        sock = self.sending(handle, req)
        if req.get("group") is not None:
            # pyomq carries a RADIO's group as a first frame: [group, body].
            sock.send_multipart([req["group"].encode(), body])
        elif req.get("routing_id") is not None:
            frame = zmq.Frame(body)
            frame.routing_id = int(req["routing_id"])
            sock.send(frame)
        else:
            sock.send(body)
        return {}

    def op_recv_draft(self, req):
        handle = req.get("socket")
        sock = self.receiving(handle, req)
        if self.types.get(handle) == "DISH":
            parts = sock.recv_multipart()
            if len(parts) != 2:
                raise Refused("NO_ERRNO", "a DISH message of %d frames, expected [group, body]" % len(parts))
            return {"frames": [b64(parts[1])], "group": parts[0].decode("utf-8", "replace"), "routing_id": 0}
        frame = sock.recv(copy=False)
        return {"frames": [b64(frame.bytes)], "routing_id": int(frame.routing_id or 0), "group": ""}

    def op_connect_peer(self, req):
        raise Refused("NOT_IMPLEMENTED", "pyomq has no PEER socket or connect_peer")

    # --- perf ----------------------------------------------------------------------------

    def op_perf(self, req):
        """Both ends as threads of this agent. No RCVTIMEO on the measured sockets (it makes
        pyomq's receives far slower): a watchdog ends the context after 30 s instead."""
        kind, size, count, warmup = req["kind"], int(req["size"]), int(req["count"]), int(req.get("warmup", 0))
        first, second = getattr(zmq, req["first"]), getattr(zmq, req["second"])
        ctx = zmq.Context()
        watchdog = threading.Timer(30, lambda: ctx.destroy(linger=0))
        watchdog.daemon = True
        watchdog.start()
        result, subscribed = {}, threading.Event()
        try:
            peer = ctx.socket(second)
            if kind == "throughput":
                peer.rcvhwm = 0
            if second == zmq.SUB:
                peer.subscribe(b"")
            peer.bind(req["endpoint"])
            endpoint = peer.last_endpoint.decode()

            def far():
                try:
                    if kind == "latency":
                        for _ in range(warmup + count):
                            peer.send_multipart(peer.recv_multipart())
                        return
                    received, start = 0, 0
                    while received < count:
                        frames = peer.recv_multipart()
                        if len(frames) == 1 and not frames[0]:  # a PUB's probe
                            subscribed.set()
                            continue
                        if received == 0:
                            start = time.perf_counter_ns()
                        received += 1
                    result["elapsed_ns"], result["received"] = time.perf_counter_ns() - start, received
                except zmq.ZMQError as e:
                    result["error"] = e

            thread = threading.Thread(target=far, daemon=True)
            thread.start()
            near = ctx.socket(first)
            near.connect(endpoint)
            payload = b"\0" * size
            try:
                if kind == "latency":
                    samples = []
                    for i in range(warmup + count):
                        t0 = time.perf_counter_ns()
                        near.send(payload)
                        near.recv()
                        if i >= warmup:
                            samples.append(time.perf_counter_ns() - t0)
                    result["samples_ns"] = samples
                else:
                    near.sndhwm = 0
                    if first in (zmq.PUB, zmq.XPUB):
                        while not subscribed.wait(0.001):
                            near.send(b"")
                    for _ in range(count):
                        near.send(payload)
            finally:
                thread.join(15)
                near.close(0)
                peer.close(0)
            if "error" in result:
                raise result.pop("error")
            return result
        finally:
            watchdog.cancel()
            ctx.term()

    # --- the loop ------------------------------------------------------------------------

    def handle(self, line):
        try:
            req = json.loads(line)
        except ValueError:
            return {"id": None, "ok": False, "error": "PROTOCOL", "message": "not JSON"}
        if not isinstance(req, dict):
            return {"id": None, "ok": False, "error": "PROTOCOL", "message": "not a JSON object"}
        rid, name = req.get("id"), req.get("op")
        op = getattr(self, "op_%s" % name, None) if isinstance(name, str) else None
        if op is None:
            if name in UNSERVED:
                return {"id": rid, "ok": False, "error": "NOT_IMPLEMENTED", "message": "pyomq has no %s" % name}
            return {"id": rid, "ok": False, "error": "PROTOCOL", "message": "unknown op %r" % name}
        try:
            result = op(req)
            result.update({"id": rid, "ok": True})
            return result
        except Refused as e:
            return {"id": rid, "ok": False, "error": e.name, "message": str(e)}
        except zmq.ZMQError as e:
            return {"id": rid, "ok": False, "error": errno_name(e), "message": str(e)}
        except (KeyError, ProtocolError) as e:  # a missing argument or a bad request
            return {"id": rid, "ok": False, "error": "PROTOCOL", "message": "%s: %s" % (type(e).__name__, e)}
        except Exception as e:  # pyomq refusing with a Python exception and no errno; never fatal
            return {"id": rid, "ok": False, "error": "NO_ERRNO", "message": "%s: %s" % (type(e).__name__, e)}


def free_port(family, kind=pysocket.SOCK_STREAM):
    s = pysocket.socket(family, kind)
    try:
        s.bind(("::1" if family == pysocket.AF_INET6 else "127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def main():
    agent = Agent()
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(agent.handle(line)) + "\n")
            sys.stdout.flush()
    for sid in list(agent.sessions):
        agent.op_session_close({"session": sid})


if __name__ == "__main__":
    main()
