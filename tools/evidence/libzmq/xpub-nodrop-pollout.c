/* XPUB with XPUB_NODROP, its subscriber at the high-water mark over inproc: zmq_send
 * refuses with EAGAIN, yet zmq_poll reports ZMQ_POLLOUT (zmq_poll(3): POLLOUT means at least
 * one message may be sent without blocking). Exit 0 when it reproduces. */
#include <zmq.h>
#include <errno.h>
#include <stdio.h>

int main(void) {
    void *ctx = zmq_ctx_new();
    void *xpub = zmq_socket(ctx, ZMQ_XPUB), *sub = zmq_socket(ctx, ZMQ_SUB);
    int one = 1, five = 5;
    zmq_setsockopt(xpub, ZMQ_XPUB_NODROP, &one, sizeof one);
    zmq_setsockopt(xpub, ZMQ_SNDHWM, &five, sizeof five);
    zmq_setsockopt(sub, ZMQ_RCVHWM, &five, sizeof five);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    zmq_bind(xpub, "inproc://nodrop");
    zmq_connect(sub, "inproc://nodrop");
    char buf[8];
    zmq_recv(xpub, buf, sizeof buf, 0); /* the subscription */
    int sent = 0;
    while (zmq_send(xpub, "m", 1, ZMQ_DONTWAIT) == 1 && sent < 10000) sent++;
    int refused = zmq_errno() == EAGAIN;
    zmq_pollitem_t item = {xpub, 0, ZMQ_POLLOUT, 0};
    zmq_poll(&item, 1, 100);
    int pollout = (item.revents & ZMQ_POLLOUT) != 0;
    printf("sent %d, then send: %s, poll: %s\n", sent, refused ? "EAGAIN" : "other", pollout ? "POLLOUT" : "nothing");
    return refused && pollout ? 0 : 1;
}
