/*
 * An LD_PRELOAD shim that injects regressions into libzmq, to show that `zmqsuite gate`
 * catches them (scripts/gate-demo). Not part of any normal run.
 *
 *   ZMQ_REGRESS_SEND_DELAY_US=200   every zmq_send / zmq_msg_send first sleeps 200 us
 *   ZMQ_REGRESS_SEND_SPIN_NS=20     every zmq_send / zmq_msg_send first busy-waits 20 ns (a
 *                                   calibrated small slowdown, below what a sleep can give)
 *   ZMQ_REGRESS_SEND_SPIN_LOOPS=50  the same busy-wait as a fixed number of loop turns: the
 *                                   same instructions on every run (the _NS form is calibrated
 *                                   by the clock, so under callgrind its count varies)
 *   ZMQ_REGRESS_NOOP_OPTION=23      zmq_setsockopt of that option number (23 = ZMQ_SNDHWM)
 *                                   returns 0 without setting anything; a comma-separated
 *                                   list names several (75,76,77: heartbeats never start)
 *   ZMQ_REGRESS_FORCE_OPTION=18=-1  every new socket gets that int option (18 = ZMQ_RECONNECT_IVL,
 *                                   -1: reconnection off) and ignores later settings of it
 *
 * scripts/recovery-demo uses the last two to show the recovery cases catch broken recovery.
 *
 * Build: cc -shared -fPIC -O2 -o zmq_regress.so zmq_regress.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
#include <stddef.h>

typedef struct zmq_msg_t zmq_msg_t;

static long env_long(const char *name, long fallback)
{
    const char *v = getenv(name);
    return v && *v ? strtol(v, NULL, 10) : fallback;
}

static long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* Busy-waits about `iterations` loop turns; the compiler may not drop the loop. */
static void spin_loop(long iterations)
{
    for (long i = 0; i < iterations; i++)
        __asm__ volatile("" ::: "memory");
}

/* Loop turns per `ns` nanoseconds, measured once: reading the clock in the loop would cost
 * more than the few nanoseconds asked for. */
static long spin_iterations(long ns)
{
    const long probe = 50000000;
    long t0 = now_ns();
    spin_loop(probe);
    long elapsed = now_ns() - t0;
    return elapsed > 0 ? (long)((double)probe * ns / elapsed + 0.5) : ns;
}

static void delay(void)
{
    static long us = -1, spin = -1;
    if (us < 0) {
        us = env_long("ZMQ_REGRESS_SEND_DELAY_US", 0);
        long ns = env_long("ZMQ_REGRESS_SEND_SPIN_NS", 0);
        spin = ns > 0 ? spin_iterations(ns) : env_long("ZMQ_REGRESS_SEND_SPIN_LOOPS", 0);
    }
    if (us > 0) {
        struct timespec t = {us / 1000000, (us % 1000000) * 1000};
        nanosleep(&t, NULL);
    }
    if (spin > 0)
        spin_loop(spin);
}

int zmq_send(void *s, const void *buf, size_t len, int flags)
{
    static int (*real)(void *, const void *, size_t, int);
    if (!real)
        real = (int (*)(void *, const void *, size_t, int))dlsym(RTLD_NEXT, "zmq_send");
    delay();
    return real(s, buf, len, flags);
}

int zmq_msg_send(zmq_msg_t *msg, void *s, int flags)
{
    static int (*real)(zmq_msg_t *, void *, int);
    if (!real)
        real = (int (*)(zmq_msg_t *, void *, int))dlsym(RTLD_NEXT, "zmq_msg_send");
    delay();
    return real(msg, s, flags);
}

/* Whether `option` is in the comma-separated list of numbers in the variable `name`. */
static int listed(const char *name, int option)
{
    const char *v = getenv(name);
    while (v && *v) {
        char *end;
        long n = strtol(v, &end, 10);
        if (end == v)
            return 0;
        if (n == option)
            return 1;
        v = *end == ',' ? end + 1 : end;
        if (*end != ',')
            break;
    }
    return 0;
}

/* ZMQ_REGRESS_FORCE_OPTION="N=V": the option number (or -1) and its value. */
static int forced(int *value)
{
    const char *v = getenv("ZMQ_REGRESS_FORCE_OPTION");
    char *end;
    if (!v || !*v)
        return -1;
    long n = strtol(v, &end, 10);
    if (*end != '=')
        return -1;
    *value = (int)strtol(end + 1, NULL, 10);
    return (int)n;
}

static int (*real_setsockopt)(void *, int, const void *, size_t);

int zmq_setsockopt(void *s, int option, const void *value, size_t len)
{
    if (!real_setsockopt)
        real_setsockopt = (int (*)(void *, int, const void *, size_t))dlsym(RTLD_NEXT, "zmq_setsockopt");
    int forced_value;
    if (listed("ZMQ_REGRESS_NOOP_OPTION", option) || option == forced(&forced_value))
        return 0;
    return real_setsockopt(s, option, value, len);
}

void *zmq_socket(void *context, int type)
{
    static void *(*real)(void *, int);
    if (!real)
        real = (void *(*)(void *, int))dlsym(RTLD_NEXT, "zmq_socket");
    if (!real_setsockopt)
        real_setsockopt = (int (*)(void *, int, const void *, size_t))dlsym(RTLD_NEXT, "zmq_setsockopt");
    void *s = real(context, type);
    int value;
    int option = forced(&value);
    if (s && option >= 0)
        real_setsockopt(s, option, &value, sizeof value);
    return s;
}
