#ifndef ZMQSUITE_PERFLOOPS_H
#define ZMQSUITE_PERFLOOPS_H
#include <stddef.h>
#include <stdint.h>

// The C reference loops: libzmq called directly, with the semantics of libzmq's perf/
// programs (local_lat/remote_lat, local_thr/remote_thr), both ends on threads of one
// process. zmqsuite runs them beside its Swift loops to show the Swift driver's overhead.
// Each returns 0, or -1 with errno set.

// Ping-pong: `count` round trips of `size`-byte messages after `warmup` unrecorded ones;
// rtt_ns receives each round trip in nanoseconds (count entries). With interval_ns > 0 the
// requests start on a fixed schedule (one every interval_ns) instead of back to back.
// With curve != 0 the binding end is a CURVE server (fresh key pairs per call).
int zsp_latency(const char *endpoint, int client_type, int server_type, size_t size,
                int warmup, int count, int64_t interval_ns, int curve, int64_t *rtt_ns);

// One-way stream (PUSH/PULL, DEALER/DEALER, PAIR): `count` messages of `size` bytes; elapsed_ns is from the receiver's
// first message to its last (local_thr's measure).
// `senders` (1 to 64) sockets on threads of their own share the count.
int zsp_throughput(const char *endpoint, int sender_type, int receiver_type, size_t size,
                   int count, int senders, int curve, int64_t *elapsed_ns);

// Two processes: the bound end alone (echo for latency, sink for throughput), which calls
// `ready` with the real endpoint once bound, then serves `messages` messages (the sink's
// elapsed_ns as above); and the measuring ends alone, connecting to such a peer.
int zsp_serve(const char *endpoint, int type, int sink_role, int messages, void (*ready)(const char *),
              int64_t *elapsed_ns);
int zsp_latency_client(const char *endpoint, int client_type, size_t size, int warmup, int count,
                       int64_t interval_ns, int64_t *rtt_ns);
int zsp_throughput_sender(const char *endpoint, int sender_type, size_t size, int count);

#endif
