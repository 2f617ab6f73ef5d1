#!/usr/bin/env python3
"""A deliberately broken agent: the pyzmq agent with one defect, named on the command line.
Also `version-1`, which is not broken: an agent of protocol version 1, which the suite still drives.

Used by AgentCheckTests to show that `zmqsuite agent-check` flags each defect.
    broken_agent.py DEFECT
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "agents", "pyzmq"))
import agent as base  # noqa: E402
import zmq  # noqa: E402

DEFECTS = {}


def defect(name):
    def register(fn):
        DEFECTS[name] = fn
        return fn
    return register


@defect("slow-timeout")
def slow_timeout(a):
    """recv waits six times longer than timeout_ms."""
    bounded = a.bounded
    a.bounded = lambda handle, option, ms: bounded(handle, option, ms * 6)


@defect("base64-refused")
def base64_refused(a):
    """Binary option values in {"base64": ...} form are refused (a version 1 habit)."""
    op_set = a.op_set

    def op_set_strings_only(req):
        if isinstance(req.get("value"), dict):
            raise base.ProtocolError("option values must be strings")
        return op_set(req)
    a.op_set = op_set_strings_only


@defect("dies-on-unknown-op")
def dies_on_unknown_op(a):
    handle = a.handle

    def handle_or_die(line):
        req = json.loads(line)
        if not hasattr(a, "op_%s" % req.get("op")):
            sys.exit(3)
        return handle(line)
    a.handle = handle_or_die


@defect("chatty-stdout")
def chatty_stdout(a):
    sys.stdout.write("agent ready\n")
    sys.stdout.flush()


@defect("ignores-end-of-input")
def ignores_end_of_input(a):
    a.linger_after_input = True


@defect("leaky-session")
def leaky_session(a):
    """session_close forgets the session but leaves its sockets open."""
    def op_session_close(req):
        a.session(req)
        del a.sessions[req["session"]]
        return {"clean": True}
    a.op_session_close = op_session_close


@defect("monitor-ends-at-close")
def monitor_ends_at_close(a):
    op_close = a.op_close

    def op_close_and_forget(req):
        out = op_close(req)
        a.monitors.pop(req.get("socket"), None)
        return out
    a.op_close = op_close_and_forget


@defect("false-claims")
def false_claims(a):
    """hello claims a transport the library cannot bind."""
    capabilities = a.capabilities

    def claiming():
        caps = capabilities()
        caps["transports"] = caps["transports"] + ["tipc"]
        return caps
    a.capabilities = claiming


@defect("version-1")
def version_1(a):
    """Says protocol 1 in hello, and takes binary option values only as plain strings (as version 1 suites sent them)."""
    hello, op_set = a.op_hello, a.op_set

    def op_hello_v1(req):
        out = hello(req)
        out["protocol"] = 1
        return out

    def op_set_v1(req):
        if isinstance(req.get("value"), dict):
            raise base.ProtocolError("a version 1 agent: option values are plain JSON")
        return op_set(req)
    a.op_hello, a.op_set = op_hello_v1, op_set_v1


@defect("errno-numbers")
def errno_numbers(a):
    base.errno_name = lambda code: "errno %d" % code


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in DEFECTS:
        sys.stderr.write("usage: broken_agent.py {%s}\n" % ",".join(sorted(DEFECTS)))
        sys.exit(2)
    a = base.Agent()
    DEFECTS[sys.argv[1]](a)
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(a.handle(line)) + "\n")
            sys.stdout.flush()
    if getattr(a, "linger_after_input", False):
        time.sleep(60)


if __name__ == "__main__":
    main()
