/* SPDX-License-Identifier: GPL-2.0 */
/* A started tracer's events on stdout, until ping exits, --count is
 * reached, a signal comes or stdout fails. */
#ifndef TRACEPKT_SESSION_H
#define TRACEPKT_SESSION_H

#include "ping.h"
#include "tracer.h"

/* ping: the one to spawn and follow, or NULL (--all). The exit status:
 * ping's own with a ping (0 when --count ended it first), 128+N after
 * signal N, 1 when something failed (printed). */
int tpk_session_run(struct tracer *t, const struct tpk_ping_opts *ping);

#endif
