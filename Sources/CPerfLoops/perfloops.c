#define _GNU_SOURCE
#include "perfloops.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

// CURVE key pairs of one measurement (z85 text), or none.
struct curve_keys {
    char server_public[41], server_secret[41], client_public[41], client_secret[41];
};

static int make_curve_keys(struct curve_keys *k) {
    return zmq_curve_keypair(k->server_public, k->server_secret) == 0 &&
           zmq_curve_keypair(k->client_public, k->client_secret) == 0 ? 0 : -1;
}

// The connecting side's CURVE options: the server's public key and its own pair.
static void curve_client(void *s, const struct curve_keys *k) {
    if (!k) return;
    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, k->server_public, 40);
    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, k->client_public, 40);
    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, k->client_secret, 40);
}

struct peer {
    const struct curve_keys *curve;  // the binding side is the CURVE server when set
    void *ctx;
    const char *endpoint;
    int type;
    size_t size;
    int messages;      // how many to echo (latency) or receive (throughput)
    int64_t elapsed;   // throughput: first to last receive
    int rc;
    int subscribed;    // throughput: the receiver has seen a probe (PUB/SUB sync)
    char bound[256];
    pthread_mutex_t lock;
    pthread_cond_t ready;
    int is_ready;
};

static void signal_ready(struct peer *p) {
    pthread_mutex_lock(&p->lock);
    p->is_ready = 1;
    pthread_cond_signal(&p->ready);
    pthread_mutex_unlock(&p->lock);
}

// Creates and binds the peer's socket and reports the real endpoint to the starting thread;
// NULL when that failed (already reported). Every receive is bounded: a dead peer ends the loop.
static void *bind_peer(struct peer *p, int linger, int unlimited_rcvhwm) {
    void *s = zmq_socket(p->ctx, p->type);
    int timeout = 10000, zero = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    // Unlimited at the sink: with libzmq 4.3.4's default mark, a sender's close over ipc
    // sometimes strands its last messages (a few hundred of 781250 never arrived, here; its
    // own local_thr hangs the same way). The sender keeps its default mark (see below).
    // Not over inproc (no I/O thread to strand anything): an unlimited inproc pipe lets the
    // sender run a whole time slice ahead of the sink when both share a CPU, and the figure
    // then follows the scheduler (A/A trials 5-16% apart, against about 1% with the mark).
    if (unlimited_rcvhwm) zmq_setsockopt(s, ZMQ_RCVHWM, &zero, sizeof zero);
    if (p->curve) {
        int one = 1;
        zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof one);
        zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, p->curve->server_secret, 40);
    }
    size_t len = sizeof p->bound;
    if (zmq_bind(s, p->endpoint) != 0 || zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, p->bound, &len) != 0) {
        p->rc = -1;
        zmq_close(s);
        s = NULL;
    }
    signal_ready(p);
    return s;
}

// Echoes every message back (REP, ROUTER, PAIR, DEALER). It lingers long enough for the last
// reply to leave: with linger 0 a large one would be dropped at close.
static void *echo_server(void *arg) {
    struct peer *p = arg;
    void *s = bind_peer(p, 2000, 0);
    if (!s) return NULL;
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    for (int i = 0; i < p->messages; i++) {
        // ROUTER: echo the routing id frame too; every part goes back as it came.
        do {
            if (zmq_msg_recv(&msg, s, 0) < 0) { p->rc = -1; goto out; }
            int more = zmq_msg_more(&msg);
            if (zmq_msg_send(&msg, s, more ? ZMQ_SNDMORE : 0) < 0) { p->rc = -1; goto out; }
            if (!more) break;
        } while (1);
    }
out:
    zmq_msg_close(&msg);
    zmq_close(s);
    return NULL;
}

// Receives `messages` messages, timing first to last. A message is counted at its last
// frame (a ROUTER prefixes the sender's id); an empty single frame is a probe, which tells a
// PUB sender its subscription has arrived.
static void *sink(void *arg) {
    struct peer *p = arg;
    void *s = bind_peer(p, 0, strncmp(p->endpoint, "inproc:", 7) != 0);
    if (!s) return NULL;
    if (p->type == ZMQ_SUB) zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0);
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    int64_t start = 0;
    int first_frame = 1;
    for (int i = 0; i < p->messages;) {
        if (zmq_msg_recv(&msg, s, 0) < 0) { p->rc = -1; break; }
        int more = zmq_msg_more(&msg);
        if (!more && first_frame && zmq_msg_size(&msg) == 0) {
            __atomic_store_n(&p->subscribed, 1, __ATOMIC_RELEASE);
            continue;
        }
        first_frame = !more;
        if (more) continue;
        if (i == 0) start = now_ns();
        i++;
    }
    p->elapsed = now_ns() - start;
    zmq_msg_close(&msg);
    zmq_close(s);
    return NULL;
}

static int start_peer(struct peer *p, void *(*fn)(void *), pthread_t *t) {
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->ready, NULL);
    if (pthread_create(t, NULL, fn, p) != 0) return -1;
    pthread_mutex_lock(&p->lock);
    while (!p->is_ready) pthread_cond_wait(&p->ready, &p->lock);
    pthread_mutex_unlock(&p->lock);
    return p->rc;
}

// Waits for the next slot of a fixed-rate schedule (a clock wait, not a synchronisation).
static void wait_until(int64_t when_ns) {
    struct timespec ts = {when_ns / 1000000000, when_ns % 1000000000};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {}
}

// The measuring end of a latency run: round trips to the echo peer at `endpoint`.
static int latency_client(void *ctx, const char *endpoint, int client_type, size_t size, int warmup, int count,
                          int64_t interval_ns, const struct curve_keys *curve, int64_t *rtt_ns) {
    void *c = zmq_socket(ctx, client_type);
    int linger = 0, timeout = 10000;
    zmq_setsockopt(c, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(c, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    curve_client(c, curve);
    int rc = zmq_connect(c, endpoint);
    char *buf = calloc(1, size ? size : 1);
    zmq_msg_t reply;
    zmq_msg_init(&reply);
    int64_t next = now_ns();
    for (int i = 0; rc == 0 && i < warmup + count; i++) {
        if (interval_ns > 0) { wait_until(next); next += interval_ns; }
        int64_t t0 = now_ns();
        if (zmq_send(c, buf, size, 0) < 0 || zmq_msg_recv(&reply, c, 0) < 0) { rc = -1; break; }
        if (i >= warmup) rtt_ns[i - warmup] = now_ns() - t0;
    }
    int saved = errno;
    zmq_msg_close(&reply);
    free(buf);
    zmq_close(c);
    errno = saved;
    return rc;
}

int zsp_latency(const char *endpoint, int client_type, int server_type, size_t size,
                int warmup, int count, int64_t interval_ns, int curve, int64_t *rtt_ns) {
    struct curve_keys keys;
    if (curve && make_curve_keys(&keys) != 0) return -1;
    void *ctx = zmq_ctx_new();
    struct peer server = {.curve = curve ? &keys : NULL, .ctx = ctx, .endpoint = endpoint, .type = server_type,
                          .messages = warmup + count};
    pthread_t t;
    if (start_peer(&server, echo_server, &t) != 0) { zmq_ctx_term(ctx); return -1; }
    int rc = latency_client(ctx, server.bound, client_type, size, warmup, count, interval_ns, server.curve, rtt_ns);
    int saved = errno;
    pthread_join(t, NULL);
    zmq_ctx_term(ctx);
    errno = saved;
    return rc == 0 && server.rc == 0 ? 0 : -1;
}

int zsp_latency_client(const char *endpoint, int client_type, size_t size, int warmup, int count,
                       int64_t interval_ns, int64_t *rtt_ns) {
    void *ctx = zmq_ctx_new();
    int rc = latency_client(ctx, endpoint, client_type, size, warmup, count, interval_ns, NULL, rtt_ns);
    int saved = errno;
    zmq_ctx_term(ctx);
    errno = saved;
    return rc;
}

// The sending end of a throughput run: `count` messages to the sink at `endpoint`. A PUB
// first probes until `subscribed` says the sink has seen one (in one process only).
static int throughput_sender(void *ctx, const char *endpoint, int sender_type, size_t size, int count,
                             const struct curve_keys *curve, int *subscribed) {
    void *s = zmq_socket(ctx, sender_type);
    int linger = -1, hwm = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    // A PUB drops at its mark; other senders block at it, as remote_thr's does.
    if (sender_type == ZMQ_PUB || sender_type == ZMQ_XPUB) zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
    curve_client(s, curve);
    int rc = zmq_connect(s, endpoint);
    // A PUB drops what it sends before the subscription arrives: send empty probes until the
    // receiver has seen one (an event, bounded at 10 s), then the measured messages.
    if (rc == 0 && subscribed && (sender_type == ZMQ_PUB || sender_type == ZMQ_XPUB)) {
        int64_t deadline = now_ns() + 10000000000LL;
        while (!__atomic_load_n(subscribed, __ATOMIC_ACQUIRE)) {
            if (now_ns() > deadline) { rc = -1; errno = ETIMEDOUT; break; }
            zmq_send(s, "", 0, ZMQ_DONTWAIT);
            zmq_pollitem_t item = {s, 0, 0, 0};
            zmq_poll(&item, 1, 1);
        }
    }
    zmq_msg_t msg;
    for (int i = 0; rc == 0 && i < count; i++) {
        zmq_msg_init_size(&msg, size);
        memset(zmq_msg_data(&msg), 0, size);
        if (zmq_msg_send(&msg, s, 0) < 0) { zmq_msg_close(&msg); rc = -1; }
    }
    int saved = errno;
    zmq_close(s);
    errno = saved;
    return rc;
}

// One of several sender threads of a throughput run.
struct sender_job {
    void *ctx;
    const char *endpoint;
    int type, count, rc;
    size_t size;
    const struct curve_keys *curve;
    int *subscribed;
};

static void *sender_thread(void *arg) {
    struct sender_job *j = arg;
    j->rc = throughput_sender(j->ctx, j->endpoint, j->type, j->size, j->count, j->curve, j->subscribed);
    return NULL;
}

int zsp_throughput(const char *endpoint, int sender_type, int receiver_type, size_t size,
                   int count, int senders, int curve, int64_t *elapsed_ns) {
    if (senders < 1 || senders > 64) { errno = EINVAL; return -1; }
    struct curve_keys keys;
    if (curve && make_curve_keys(&keys) != 0) return -1;
    void *ctx = zmq_ctx_new();
    struct peer receiver = {.curve = curve ? &keys : NULL, .ctx = ctx, .endpoint = endpoint, .type = receiver_type,
                            .messages = count};
    pthread_t t;
    if (start_peer(&receiver, sink, &t) != 0) { zmq_ctx_term(ctx); return -1; }
    // Several senders share the count (the first takes the remainder); one sends on this thread.
    struct sender_job jobs[64];
    pthread_t threads[64];
    int rc = 0;
    for (int i = 0; i < senders; i++) {
        jobs[i] = (struct sender_job){ctx, receiver.bound, sender_type, count / senders + (i == 0 ? count % senders : 0), 0,
                                      size, receiver.curve, &receiver.subscribed};
        if (i > 0 && pthread_create(&threads[i], NULL, sender_thread, &jobs[i]) != 0) { jobs[i].rc = -1; threads[i] = 0; }
    }
    sender_thread(&jobs[0]);
    for (int i = 1; i < senders; i++) if (threads[i]) pthread_join(threads[i], NULL);
    for (int i = 0; i < senders; i++) if (jobs[i].rc != 0) rc = -1;
    int saved = errno;
    pthread_join(t, NULL);
    zmq_ctx_term(ctx);
    *elapsed_ns = receiver.elapsed;
    errno = saved;
    return rc == 0 && receiver.rc == 0 ? 0 : -1;
}

int zsp_throughput_sender(const char *endpoint, int sender_type, size_t size, int count) {
    void *ctx = zmq_ctx_new();
    int rc = throughput_sender(ctx, endpoint, sender_type, size, count, NULL, NULL);
    int saved = errno;
    zmq_ctx_term(ctx);
    errno = saved;
    return rc;
}

int zsp_serve(const char *endpoint, int type, int sink_role, int messages, void (*ready)(const char *),
              int64_t *elapsed_ns) {
    void *ctx = zmq_ctx_new();
    struct peer p = {.ctx = ctx, .endpoint = endpoint, .type = type, .messages = messages};
    pthread_t t;
    if (start_peer(&p, sink_role ? sink : echo_server, &t) != 0) { zmq_ctx_term(ctx); return -1; }
    ready(p.bound);
    pthread_join(t, NULL);
    zmq_ctx_term(ctx);
    if (elapsed_ns) *elapsed_ns = p.elapsed;
    return p.rc;
}
