/* Draft socket options on a build without the draft API: zmq_setsockopt answers EINVAL.
 * ZMQ_ROUTER_NOTIFY is 97, ZMQ_HELLO_MSG 110, ZMQ_DISCONNECT_MSG 111 and
 * ZMQ_HICCUP_MSG 114 and ZMQ_XSUB_VERBOSE_UNSUBSCRIBE 115 (zmq.h's draft section; 114 and 115
 * came after 4.3.4, so a 4.3.4 draft build refuses them too). Exit 0 when all are refused. */
#include <zmq.h>
#include <errno.h>
#include <stdio.h>

static int refused(void *s, int option, const char *name) {
    int one = 1;
    /* The message options take bytes; the others an int. */
    int rc = option == 110 || option == 111 || option == 114 ? zmq_setsockopt(s, option, "m", 1) : zmq_setsockopt(s, option, &one, sizeof one);
    int einval = rc == -1 && zmq_errno() == EINVAL;
    printf("zmq_setsockopt(%s = %d): %s\n", name, option, rc == 0 ? "ok" : zmq_strerror(zmq_errno()));
    return einval;
}

int main(void) {
    void *ctx = zmq_ctx_new();
    int a = refused(zmq_socket(ctx, ZMQ_ROUTER), 97, "ZMQ_ROUTER_NOTIFY");
    int b = refused(zmq_socket(ctx, ZMQ_XSUB), 115, "ZMQ_XSUB_VERBOSE_UNSUBSCRIBE");
    int c = refused(zmq_socket(ctx, ZMQ_ROUTER), 110, "ZMQ_HELLO_MSG");
    int d = refused(zmq_socket(ctx, ZMQ_ROUTER), 111, "ZMQ_DISCONNECT_MSG");
    int e = refused(zmq_socket(ctx, ZMQ_DEALER), 114, "ZMQ_HICCUP_MSG");
    return a && b && c && d && e ? 0 : 1;
}
