/* SPDX-License-Identifier: GPL-2.0 */
/* The device tracepoints tracepkt can hook, and which are on. */
#ifndef TRACEPKT_POINTS_H
#define TRACEPKT_POINTS_H

#include <stdbool.h>
#include "tracepkt.h"

struct tpk_point_info {
	const char *name;	/* tracepoint name, also the event's "point" */
	bool dflt;		/* one of the Python tool's four */
};

extern const struct tpk_point_info tpk_points[TPK_PT_MAX];

/* Apply a --points LIST to the enabled set. LIST is comma-separated;
 * "+name" adds to the set, "-name" removes, a bare name starts the set
 * afresh from the bare names given. On error *bad names the offending item
 * (points into a static buffer) and -EINVAL is returned. */
int tpk_points_parse(const char *list, bool enabled[TPK_PT_MAX], const char **bad);
void tpk_points_default(bool enabled[TPK_PT_MAX]);
const char *tpk_point_name(unsigned int point);

#endif
