"""A small ZMTP 3.1 NULL service of its own (not libzmq), to test `zmqsuite wire --target`.

    zmtp_peer.py PORTFILE SOCKET_TYPE [DEFECT]

Listens on 127.0.0.1 (a free port, written to PORTFILE), greets, exchanges READY, answers PING
with PONG, refuses invalid peer types with ERROR and a close. With DEFECT it does one thing
wrong: no-close-on-invalid-type, pong-without-context, wrong-socket-type, accepts-bad-signature.
"""
import socket
import struct
import sys
import threading

VALID = {"ROUTER": {"REQ", "DEALER", "ROUTER"}, "DEALER": {"REP", "DEALER", "ROUTER"}, "PULL": {"PUSH"}, "REP": {"REQ", "DEALER"}}


def command(name, data=b""):
    body = bytes([len(name)]) + name.encode() + data
    return (b"\x04" + bytes([len(body)]) if len(body) < 256 else b"\x06" + struct.pack(">Q", len(body))) + body


def properties(data):
    out, i = {}, 0
    while i < len(data):
        n = data[i]
        name = data[i + 1:i + 1 + n].decode(errors="replace").lower()
        i += 1 + n
        (size,) = struct.unpack(">I", data[i:i + 4])
        out[name] = data[i + 4:i + 4 + size]
        i += 4 + size
    return out


def read(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def read_frame(conn):
    flags = read(conn, 1)[0]
    size = struct.unpack(">Q", read(conn, 8))[0] if flags & 2 else read(conn, 1)[0]
    return flags, read(conn, size)


def serve(conn, socket_type, defect):
    try:
        conn.sendall(b"\xff" + bytes(7) + b"\x01\x7f\x03\x01" + b"NULL".ljust(20, b"\x00") + b"\x00" + bytes(31))
        greeting = read(conn, 64)
        if (greeting[0] != 0xFF or greeting[9] != 0x7F) and defect != "accepts-bad-signature":
            return
        if greeting[10] < 3 or greeting[12:32].rstrip(b"\x00") != b"NULL":
            return
        announced = "PUB" if defect == "wrong-socket-type" else socket_type
        conn.sendall(command("READY", b"\x0bSocket-Type" + struct.pack(">I", len(announced)) + announced.encode()))
        flags, body = read_frame(conn)
        if not flags & 4 or body[1:1 + body[0]] != b"READY":
            return
        theirs = properties(body[1 + body[0]:]).get("socket-type", b"").decode(errors="replace")
        if theirs not in VALID.get(socket_type, set()) and defect != "no-close-on-invalid-type":
            conn.sendall(command("ERROR", bytes([len("invalid socket type")]) + b"invalid socket type"))
            return
        while True:
            flags, body = read_frame(conn)
            if flags & 4 and body[1:1 + body[0]] == b"PING":
                context = b"" if defect == "pong-without-context" else body[1 + body[0] + 2:]
                conn.sendall(command("PONG", context))
    except (EOFError, OSError, IndexError, struct.error):
        pass
    finally:
        conn.close()


def main():
    portfile, socket_type = sys.argv[1], sys.argv[2]
    defect = sys.argv[3] if len(sys.argv) > 3 else None
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    with open(portfile, "w") as f:
        f.write(str(listener.getsockname()[1]))
    # The test ends the service by closing its stdin.
    threading.Thread(target=lambda: (sys.stdin.read(), listener.close()), daemon=True).start()
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        threading.Thread(target=serve, args=(conn, socket_type, defect), daemon=True).start()


main()
