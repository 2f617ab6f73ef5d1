/*
 * An LD_PRELOAD shim that injects regressions into libzmq, to show that `zmqsuite gate`
 * catches them (scripts/gate-demo). Not part of any normal run.
 *
 *   ZMQ_REGRESS_SEND_DELAY_US=200   every zmq_send / zmq_msg_send first sleeps 200 us
 *   ZMQ_REGRESS_NOOP_OPTION=23      zmq_setsockopt of that option number (23 = ZMQ_SNDHWM)
 *                                   returns 0 without setting anything
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

static void delay(void)
{
    static long us = -1;
    if (us < 0)
        us = env_long("ZMQ_REGRESS_SEND_DELAY_US", 0);
    if (us > 0) {
        struct timespec t = {us / 1000000, (us % 1000000) * 1000};
        nanosleep(&t, NULL);
    }
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

int zmq_setsockopt(void *s, int option, const void *value, size_t len)
{
    static int (*real)(void *, int, const void *, size_t);
    if (!real)
        real = (int (*)(void *, int, const void *, size_t))dlsym(RTLD_NEXT, "zmq_setsockopt");
    if (option == env_long("ZMQ_REGRESS_NOOP_OPTION", -1))
        return 0;
    return real(s, option, value, len);
}
