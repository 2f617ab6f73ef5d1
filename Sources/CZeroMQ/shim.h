#ifndef ZMQSUITE_CZEROMQ_SHIM_H
#define ZMQSUITE_CZEROMQ_SHIM_H
#include <zmq.h>
#endif
