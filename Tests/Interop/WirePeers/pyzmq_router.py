"""A pyzmq ROUTER service for `zmqsuite wire --target`: binds, writes its port, serves until stdin closes.

Optional: `plain USER PASSWORD` (a PLAIN server that lets only that user in, through pyzmq's
ZAP authenticator) or `curve SECRET` (a CURVE server with that secret key, Z85 or hex; any client allowed).
"""
import sys

import zmq

ctx = zmq.Context()
auth = None
router = ctx.socket(zmq.ROUTER)
if len(sys.argv) > 2 and sys.argv[2] == "plain":
    from zmq.auth.thread import ThreadAuthenticator

    auth = ThreadAuthenticator(ctx)
    auth.start()
    auth.configure_plain(domain="*", passwords={sys.argv[3]: sys.argv[4]})
    router.plain_server = True
elif len(sys.argv) > 2 and sys.argv[2] == "curve":
    router.curve_server = True
    key = sys.argv[3]
    router.curve_secretkey = bytes.fromhex(key) if len(key) == 64 else key.encode()
port = router.bind_to_random_port("tcp://127.0.0.1")
with open(sys.argv[1], "w") as f:
    f.write(str(port))
sys.stdin.read()
router.close(0)
if auth:
    auth.stop()
ctx.term()
