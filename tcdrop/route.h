/* SPDX-License-Identifier: GPL-2.0 */
/* Which device carries the namespace's default route. */
#ifndef TCDROP_ROUTE_H
#define TCDROP_ROUTE_H

#include <stdio.h>

#define TCDROP_DEFROUTE_V4 1
#define TCDROP_DEFROUTE_V6 2

/* Bits TCDROP_DEFROUTE_* for the default routes through dev, read from
 * /proc/net/route and /proc/net/ipv6_route formatted streams (either may
 * be NULL). */
int tcdrop_default_route_of(FILE *v4, FILE *v6, const char *dev);
/* The same for the calling thread's network namespace. */
int tcdrop_default_route(const char *dev);

#endif
