/* zmq_socket(3), ZMQ_STREAM: sending a zero-length frame to a routing id closes that
 * connection. On 4.3.4 the TCP peer is still open 2 s later. Exit 0 when it reproduces. */
#include <zmq.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_STREAM);
    char endpoint[64];
    size_t size = sizeof endpoint;
    zmq_bind(s, "tcp://127.0.0.1:*");
    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, endpoint, &size);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(strrchr(endpoint, ':') + 1))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connect(fd, (struct sockaddr *)&a, sizeof a);
    unsigned char id[256];
    int idlen = zmq_recv(s, id, sizeof id, 0); /* [id, ""]: the connection notice */
    char empty[1];
    zmq_recv(s, empty, sizeof empty, 0);
    zmq_send(s, id, idlen, ZMQ_SNDMORE);
    zmq_send(s, "", 0, 0);
    struct pollfd p = {fd, POLLIN, 0};
    int closed = poll(&p, 1, 2000) > 0 && recv(fd, empty, 1, 0) == 0;
    printf("after [id, empty]: the TCP connection is %s\n", closed ? "closed" : "still open after 2 s");
    return closed ? 1 : 0;
}
