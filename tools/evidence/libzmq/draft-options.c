/* Draft socket options on a build without the draft API: zmq_setsockopt answers EINVAL.
 * ZMQ_ROUTER_NOTIFY is 97 and ZMQ_XSUB_VERBOSE_UNSUBSCRIBE 115 (zmq.h's draft section).
 * Exit 0 when both are refused with EINVAL. */
#include <zmq.h>
#include <errno.h>
#include <stdio.h>

static int refused(void *s, int option, const char *name) {
    int one = 1;
    int rc = zmq_setsockopt(s, option, &one, sizeof one);
    int einval = rc == -1 && zmq_errno() == EINVAL;
    printf("zmq_setsockopt(%s = %d): %s\n", name, option, rc == 0 ? "ok" : zmq_strerror(zmq_errno()));
    return einval;
}

int main(void) {
    void *ctx = zmq_ctx_new();
    int a = refused(zmq_socket(ctx, ZMQ_ROUTER), 97, "ZMQ_ROUTER_NOTIFY");
    int b = refused(zmq_socket(ctx, ZMQ_XSUB), 115, "ZMQ_XSUB_VERBOSE_UNSUBSCRIBE");
    return a && b ? 0 : 1;
}
