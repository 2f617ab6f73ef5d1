"""A pyzmq ROUTER service for `zmqsuite wire --target`: binds, writes its port, serves until stdin closes."""
import sys

import zmq

ctx = zmq.Context()
router = ctx.socket(zmq.ROUTER)
port = router.bind_to_random_port("tcp://127.0.0.1")
with open(sys.argv[1], "w") as f:
    f.write(str(port))
sys.stdin.read()
router.close(0)
ctx.term()
