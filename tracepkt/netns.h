/* SPDX-License-Identifier: GPL-2.0 */
/* Every network namespace of the host, entered one after the other. */
#ifndef TRACEPKT_NETNS_H
#define TRACEPKT_NETNS_H

#include <stdint.h>

/* Call fn in each network namespace, the caller's first, then named ones
 * (/run/netns), then every process's, each once; the calling thread is back
 * in its own at the end. Stops at fn's first error. 0 or -errno. */
int tpk_netns_each(int (*fn)(uint64_t netns, void *ctx), void *ctx);

#endif
