/* A draft socket type (CLIENT/SERVER) over tcp on a libzmq built without the draft API:
 * the handshake aborts the process (mechanism.cpp asserts on the socket type's name).
 * Exit 0 when it reproduces: the child dies of SIGABRT. */
#include <zmq.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    pid_t pid = fork();
    if (pid == 0) {
        alarm(5);
        void *ctx = zmq_ctx_new();
        void *server = zmq_socket(ctx, 12 /* ZMQ_SERVER */), *client = zmq_socket(ctx, 13 /* ZMQ_CLIENT */);
        char endpoint[64];
        size_t size = sizeof endpoint;
        zmq_bind(server, "tcp://127.0.0.1:*");
        zmq_getsockopt(server, ZMQ_LAST_ENDPOINT, endpoint, &size);
        zmq_connect(client, endpoint);
        zmq_send(client, "x", 1, 0);
        char buf[8];
        zmq_recv(server, buf, sizeof buf, 0);
        return 0;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    int aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
    printf("draft CLIENT/SERVER over tcp: %s\n", aborted ? "the process aborted (SIGABRT)" : "no abort");
    return aborted ? 0 : 1;
}
