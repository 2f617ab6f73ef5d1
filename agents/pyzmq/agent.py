#!/usr/bin/env python3
"""zmqsuite agent for pyzmq (agents/PROTOCOL.md, version 2): JSON lines on stdin/stdout.

Drives pyzmq and the libzmq inside its wheel. Every request gets an answer; a bad one gets
error PROTOCOL, never a crash. Nothing blocks longer than the request's timeout_ms.
"""
import base64
import errno
import json
import os
import sys
import tempfile
import threading
import time

import zmq
from zmq.utils.monitor import recv_monitor_message

SOCKET_TYPES = ["PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB",
                "XSUB", "STREAM", "SERVER", "CLIENT", "RADIO", "DISH", "GATHER", "SCATTER",
                "DGRAM", "PEER", "CHANNEL"]
TRANSPORTS = ["tcp", "tcp6", "ipc", "ipc-abstract", "inproc", "ws"]
# The option names of the protocol; hello lists those this pyzmq has.
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
                "metadata"]
# Options whose value is text; the rest of the non-integer ones are binary.
TEXT_OPTIONS = {"last_endpoint", "plain_username", "plain_password", "zap_domain", "tcp_accept_filter", "metadata",
                "curve_publickey", "curve_secretkey", "curve_serverkey"}
BINARY_OPTIONS = {"routing_id", "subscribe", "unsubscribe", "connect_routing_id", "xpub_welcome_msg"}


# Ops of the protocol this agent does not serve: answered NOT_IMPLEMENTED (not PROTOCOL).
PROTOCOL_OPS = {"recv_until_shutdown", "join", "leave", "send_draft", "recv_draft", "connect_peer"}


class ProtocolError(Exception):
    pass


class NotImplementedOp(Exception):
    pass


def errno_name(code):
    if not code:
        return "NO_ERRNO"
    for name in ("EFSM", "ENOCOMPATPROTO", "ETERM", "EMTHREAD"):
        if code == getattr(zmq, name, None):
            return name
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
        raise zmq.ZMQError(errno.EINVAL)
    return const


class ZapHandler:
    """Answers ZAP requests in one context with a scripted verdict, and records them."""

    def __init__(self, context, script):
        self.script = script
        self.requests = []
        self.stop = threading.Event()
        self.socket = context.socket(zmq.REP)
        self.socket.linger = 0
        self.socket.bind("inproc://zeromq.zap.01")
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        poller = zmq.Poller()
        poller.register(self.socket, zmq.POLLIN)
        while not self.stop.is_set():
            try:
                if not poller.poll(20):
                    continue
                frames = self.socket.recv_multipart()
            except zmq.ZMQError:
                break
            credentials = frames[6:]
            status = self.script["status"]
            wanted = self.script.get("credentials")
            if wanted is not None and [unb64(c) for c in wanted] != credentials:
                status = self.script.get("otherwise", "400")
            text = lambda b: b.decode("utf-8", "replace")
            self.requests.append({
                "version": text(frames[0]), "request_id": b64(frames[1]), "domain": text(frames[2]),
                "address": text(frames[3]), "routing_id": b64(frames[4]), "mechanism": text(frames[5]),
                "credentials": [b64(c) for c in credentials], "status": status})
            user = self.script.get("user_id", "") if status == "200" else ""
            self.socket.send_multipart(self.faulty([b"1.0", frames[1], status.encode(),
                                                    self.script.get("status_text", "scripted").encode(), user.encode(), b""]))
        self.socket.close(0)

    def faulty(self, reply):
        """The reply with the one defect the script asks for (feature zap_fault)."""
        fault = self.script.get("fault")
        if fault == "version":
            reply[0] = b"2.0"
        elif fault == "request_id":
            reply[1] = reply[1] + b"x"
        elif fault == "status_code":
            reply[2] = b"299"
        elif fault == "metadata":
            reply[5] = b"\xff not ZMTP properties"
        elif fault == "short":
            reply = reply[:4]
        elif fault is not None:
            raise ProtocolError("unknown zap fault %r" % fault)
        return reply

    def close(self):
        self.stop.set()
        self.thread.join(2)


class Proxy:
    """zmq.proxy_steerable on a thread; the sockets are the proxy's from then on, and it closes
    them when it returns (the context's term ends it with ETERM)."""

    def __init__(self, sockets):
        self.sockets = sockets
        self.result = None
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        frontend, backend, capture, control = self.sockets
        try:
            zmq.proxy_steerable(frontend, backend, capture, control)
            self.result = "ok"
        except zmq.ZMQError as e:
            self.result = errno_name(e.errno)
        for sock in self.sockets:
            if sock is not None:
                sock.close(0)


class Agent:
    def __init__(self):
        self.sessions = {}   # id -> {"context", "sockets": set, "zap"}
        self.sockets = {}    # handle -> socket
        self.monitors = {}   # handle -> monitor PAIR socket
        self.user_timeouts = {}  # handle -> {"rcvtimeo": ms, "sndtimeo": ms} set by the case
        self.proxies = {}    # handle -> Proxy
        self.owned = set()   # socket handles a proxy owns
        self.next = 1

    def new_handle(self):
        self.next += 1
        return self.next - 1

    def socket(self, req):
        handle = req.get("socket")
        if handle not in self.sockets:
            raise ProtocolError("unknown socket %r" % handle)
        return self.sockets[handle]

    def session(self, req):
        sid = req.get("session")
        if sid not in self.sessions:
            raise ProtocolError("unknown session %r" % sid)
        return self.sessions[sid]

    def bounded(self, handle, option, timeout_ms):
        """The timeout to use: the request's bound, or the case's own if shorter."""
        user = self.user_timeouts.get(handle, {}).get(option, -1)
        return min(user, timeout_ms) if user >= 0 else timeout_ms

    # --- operations -------------------------------------------------------------------

    def op_hello(self, req):
        return {"name": "pyzmq", "version": "%s (libzmq %s)" % (zmq.__version__, zmq.zmq_version()),
                "library": os.path.dirname(zmq.__file__), "protocol": 2,
                "capabilities": self.capabilities()}

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
        transports = []
        tmp = tempfile.mkdtemp(prefix="zmqsuite-pyzmq-")
        endpoints = {"tcp": "tcp://127.0.0.1:*", "tcp6": "tcp://[::1]:*", "ipc": "ipc://%s/probe" % tmp,
                     "ipc-abstract": "ipc://@zmqsuite-pyzmq-probe-%d" % os.getpid(),
                     "inproc": "inproc://probe", "ws": "ws://127.0.0.1:*"}
        for t in TRANSPORTS:
            s = ctx.socket(zmq.PAIR)
            try:
                if t == "tcp6":
                    s.ipv6 = 1
                s.bind(endpoints[t])
                transports.append(t)
            except zmq.ZMQError:
                pass
            finally:
                s.close(0)
        ctx.term()
        mechanisms = ["NULL", "PLAIN"] + (["CURVE"] if zmq.has("curve") else [])
        options = [name for name in OPTION_NAMES if getattr(zmq, name.upper(), None) is not None]
        return {"socket_types": types, "transports": transports, "mechanisms": mechanisms, "options": options,
                "features": ["monitor", "zap", "zap_fault", "curve_keypair", "properties", "recv_frame", "proxy", "perf"]}

    def op_session_open(self, req):
        sid = self.new_handle()
        self.sessions[sid] = {"context": zmq.Context(), "sockets": set(), "zap": None}
        return {"session": sid}

    def op_session_close(self, req):
        s = self.session(req)
        if s["zap"]:
            s["zap"].close()
        for handle in s["sockets"]:
            for table in (self.monitors, self.sockets):
                sock = table.pop(handle, None)
                if sock is not None and not sock.closed and handle not in self.owned:
                    sock.close(0)
        # A proxy's sockets are closed by its thread once term() has ended it with ETERM.
        s["context"].term()
        clean = True
        for proxy in s.get("proxies", []):
            proxy.thread.join(2)
            clean = clean and not proxy.thread.is_alive()
        del self.sessions[req["session"]]
        return {"clean": clean}

    def op_socket(self, req):
        s = self.session(req)
        const = getattr(zmq, str(req.get("type")), None)
        if const is None or req.get("type") not in SOCKET_TYPES:
            raise ProtocolError("unknown socket type %r" % req.get("type"))
        handle = self.new_handle()
        self.sockets[handle] = s["context"].socket(const)
        s["sockets"].add(handle)
        return {"socket": handle}

    def op_set(self, req):
        sock, name, value = self.socket(req), req.get("option", ""), req.get("value")
        if isinstance(value, dict) and "base64" in value:
            value = unb64(value["base64"])
        elif isinstance(value, str) and (name in TEXT_OPTIONS or name in BINARY_OPTIONS):
            value = value.encode()
        elif not isinstance(value, (int, str, bytes)):
            raise ProtocolError("bad option value %r" % value)
        sock.setsockopt(option_constant(name), value)
        if name in ("rcvtimeo", "sndtimeo") and isinstance(value, int):
            self.user_timeouts.setdefault(req["socket"], {})[name] = value
        return {}

    def op_get(self, req):
        sock, name = self.socket(req), req.get("option", "")
        value = sock.getsockopt(option_constant(name))
        if isinstance(value, bytes):
            if name in TEXT_OPTIONS:
                return {"value": value.rstrip(b"\0").decode()}
            return {"value": {"base64": b64(value)}}
        return {"value": value}

    def op_bind(self, req):
        sock = self.socket(req)
        sock.bind(req["endpoint"])
        return {"endpoint": sock.last_endpoint.decode()}

    def op_connect(self, req):
        self.socket(req).connect(req["endpoint"])
        return {}

    def op_disconnect(self, req):
        self.socket(req).disconnect(req["endpoint"])
        return {}

    def op_unbind(self, req):
        self.socket(req).unbind(req["endpoint"])
        return {}

    def op_send(self, req):
        sock = self.socket(req)
        frames = [unb64(f) for f in req.get("frames", [])] or [b""]
        dontwait = bool(req.get("dontwait"))
        if not dontwait:
            sock.sndtimeo = self.bounded(req["socket"], "sndtimeo", int(req["timeout_ms"]))
        flags = zmq.DONTWAIT if dontwait else 0
        for i, frame in enumerate(frames):
            sock.send(frame, flags | (zmq.SNDMORE if i < len(frames) - 1 else 0))
        return {}

    def op_recv(self, req):
        sock = self.socket(req)
        sock.rcvtimeo = self.bounded(req["socket"], "rcvtimeo", int(req["timeout_ms"]))
        parts = sock.recv_multipart(copy=False)
        props = {}
        for name in req.get("properties") or []:
            try:
                props[name] = parts[0].get(name)
            except zmq.ZMQError:
                pass
        return {"frames": [b64(p.bytes) for p in parts], "properties": props}

    def op_recv_frame(self, req):
        sock = self.socket(req)
        sock.rcvtimeo = self.bounded(req["socket"], "rcvtimeo", int(req["timeout_ms"]))
        frame = sock.recv(copy=True)
        return {"frames": [b64(frame)], "more": bool(sock.getsockopt(zmq.RCVMORE))}

    def op_poll(self, req):
        poller = zmq.Poller()
        items = req.get("items")
        if not isinstance(items, list):
            raise ProtocolError("items must be a list")
        socks = []
        for item in items:
            sock = self.socket(item)
            mask = (zmq.POLLIN if "in" in item.get("events", []) else 0) | (zmq.POLLOUT if "out" in item.get("events", []) else 0)
            poller.register(sock, mask)
            socks.append(sock)
        ready = dict(poller.poll(int(req["timeout_ms"])))
        revents = []
        for sock in socks:
            got = ready.get(sock, 0)
            revents.append((["in"] if got & zmq.POLLIN else []) + (["out"] if got & zmq.POLLOUT else []))
        return {"revents": revents}

    def op_monitor(self, req):
        try:
            self.monitors[req["socket"]] = self.socket(req).get_monitor_socket()
        except RuntimeError as e:  # pyzmq cannot monitor thread-safe (draft) sockets without draft support
            raise NotImplementedOp(str(e))
        return {}

    def op_next_event(self, req):
        mon = self.monitors.get(req.get("socket"))
        if mon is None:
            raise ProtocolError("socket is not monitored")
        if not mon.poll(int(req["timeout_ms"])):
            return {"event": None}
        msg = recv_monitor_message(mon)
        try:
            name = zmq.Event(msg["event"]).name
        except ValueError:
            name = "0x%x" % msg["event"]
        endpoint = msg.get("endpoint", b"")
        return {"event": name, "value": msg.get("value", 0),
                "endpoint": endpoint.decode() if isinstance(endpoint, bytes) else str(endpoint)}

    def op_close(self, req):
        self.socket(req).close()
        return {}

    def op_curve_keypair(self, req):
        public, secret = zmq.curve_keypair()
        return {"public": public.decode(), "secret": secret.decode()}

    def op_zap(self, req):
        s = self.session(req)
        s["zap"] = ZapHandler(s["context"], req)
        return {}

    def op_zap_requests(self, req):
        s = self.session(req)
        return {"requests": list(s["zap"].requests) if s["zap"] else []}

    def op_proxy(self, req):
        handles = [req.get(k) for k in ("frontend", "backend", "capture", "control")]
        sockets = [self.socket({"socket": h}) if h is not None else None for h in handles]
        session = next((s for s in self.sessions.values() if handles[0] in s["sockets"]), None)
        if session is None or handles[1] is None:
            raise ProtocolError("proxy needs frontend and backend of one session")
        proxy = Proxy(sockets)
        self.owned.update(h for h in handles if h is not None)
        session.setdefault("proxies", []).append(proxy)
        handle = self.new_handle()
        self.proxies[handle] = proxy
        return {"proxy": handle}

    def op_proxy_wait(self, req):
        self.session(req)
        proxy = self.proxies.get(req.get("proxy"))
        if proxy is None:
            raise ProtocolError("unknown proxy %r" % req.get("proxy"))
        proxy.thread.join(int(req["timeout_ms"]) / 1000.0)
        if proxy.thread.is_alive():
            return {"returned": False}
        return {"returned": True, "result": proxy.result}

    def op_perf(self, req):
        """Both ends of a measurement as threads of this agent: pyzmq's own hot loops."""
        kind, size, count = req["kind"], int(req["size"]), int(req["count"])
        warmup = int(req.get("warmup", 0))
        first, second = getattr(zmq, req["first"]), getattr(zmq, req["second"])
        ctx = zmq.Context()
        # No RCVTIMEO on the measured sockets (PROTOCOL.md: bound the run, not each call):
        # a watchdog destroys the context if the run outlives 30 s, ending it with ETERM.
        watchdog = threading.Timer(30, lambda: ctx.destroy(linger=0))
        watchdog.daemon = True
        watchdog.start()
        try:
            peer = ctx.socket(second)
            peer.linger = 2000
            if kind == "throughput" and not req["endpoint"].startswith("inproc:"):
                peer.rcvhwm = 0  # as zmq-agent's loop (perfloops.c says why, and why not inproc)
            if second == zmq.SUB:
                peer.subscribe(b"")
            peer.bind(req["endpoint"])
            endpoint = peer.getsockopt_string(zmq.LAST_ENDPOINT)
            result, subscribed = {}, threading.Event()

            def echo():
                for _ in range(warmup + count):
                    peer.send_multipart(peer.recv_multipart(copy=False), copy=False)

            windows = int(req.get("windows", 0))
            step = max((count - 1) // max(windows, 1), 1)

            def sink():
                received, start, marks = 0, 0, []
                next_mark = 1 + step if windows > 0 else -1
                while received < count:
                    frames = peer.recv_multipart(copy=False)
                    if len(frames) == 1 and len(frames[0]) == 0:  # a PUB's probe
                        subscribed.set()
                        continue
                    if received == 0:
                        start = time.perf_counter_ns()
                        marks.append(start)
                    received += 1
                    if received == next_mark and len(marks) <= windows:
                        marks.append(time.perf_counter_ns())
                        next_mark += step
                result["elapsed_ns"], result["received"] = time.perf_counter_ns() - start, received
                if windows > 0:
                    result["windows_ns"] = [b - a for a, b in zip(marks, marks[1:])]

            def serve(body):
                try:
                    body()
                except zmq.ZMQError as e:
                    result["error"] = e

            thread = threading.Thread(target=serve, args=(echo if kind == "latency" else sink,))
            thread.start()
            near = ctx.socket(first)
            near.linger = 0 if kind == "latency" else -1
            near.connect(endpoint)
            payload = b"\0" * size
            try:
                if kind == "latency":
                    samples = []
                    for i in range(warmup + count):
                        t0 = time.perf_counter_ns()
                        near.send(payload)
                        near.recv(copy=False)
                        if i >= warmup:
                            samples.append(time.perf_counter_ns() - t0)
                    result["samples_ns"] = samples
                else:
                    near.sndhwm = 0
                    if first in (zmq.PUB, zmq.XPUB):
                        deadline = time.monotonic() + 10
                        while not subscribed.wait(0.001):
                            if time.monotonic() > deadline:
                                raise zmq.ZMQError(zmq.EAGAIN, "the subscription did not reach the PUB within 10 s")
                            near.send(b"", zmq.DONTWAIT)
                    for _ in range(count):
                        near.send(payload, copy=False)
            finally:
                thread.join(15)
                near.close()
                peer.close(0)
            if "error" in result:
                raise result.pop("error")
            return result
        finally:
            watchdog.cancel()
            ctx.term()

    # --- the loop ---------------------------------------------------------------------

    def handle(self, line):
        try:
            req = json.loads(line)
        except ValueError:
            return {"id": None, "ok": False, "error": "PROTOCOL", "message": "not JSON"}
        if not isinstance(req, dict):
            return {"id": None, "ok": False, "error": "PROTOCOL", "message": "not a JSON object"}
        rid = req.get("id")
        op = getattr(self, "op_%s" % req.get("op"), None) if isinstance(req.get("op"), str) else None
        if op is None and req.get("op") in PROTOCOL_OPS:
            return {"id": rid, "ok": False, "error": "NOT_IMPLEMENTED", "message": "pyzmq has no %s" % req.get("op")}
        if op is None:
            return {"id": rid, "ok": False, "error": "PROTOCOL", "message": "unknown op %r" % req.get("op")}
        try:
            result = op(req)
            result.update({"id": rid, "ok": True})
            return result
        except NotImplementedOp as e:
            return {"id": rid, "ok": False, "error": "NOT_IMPLEMENTED", "message": str(e)}
        except zmq.ZMQError as e:
            return {"id": rid, "ok": False, "error": errno_name(e.errno), "message": str(e)}
        except Exception as e:  # an agent answers every request; it never dies of one
            return {"id": rid, "ok": False, "error": "PROTOCOL", "message": "%s: %s" % (type(e).__name__, e)}


def main():
    agent = Agent()
    for line in sys.stdin:
        if not line.strip():
            continue
        sys.stdout.write(json.dumps(agent.handle(line)) + "\n")
        sys.stdout.flush()
    for sid in list(agent.sessions):
        agent.op_session_close({"session": sid})


if __name__ == "__main__":
    main()
