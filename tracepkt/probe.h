/* SPDX-License-Identifier: GPL-2.0 */
/* `tracepkt --probe`: which kernel features the tools rely on does the
 * running kernel really give, and which backend each tool would use. */
#ifndef TRACEPKT_PROBE_H
#define TRACEPKT_PROBE_H

#include <stdbool.h>

/* Probe and print (text or one JSON object) on stdout. Moves the calling
 * process into a network namespace of its own: call it last. Exit code. */
int tpk_probe_run(bool json);

#endif
