/* SPDX-License-Identifier: GPL-2.0 */
/* Attaching and detaching one tcdrop program: a pinned tcx link, or a
 * cls_bpf filter with tcdrop's own handle and priority on clsact. */
#ifndef TCDROP_ATTACH_H
#define TCDROP_ATTACH_H

#include <stdbool.h>

#include "store.h"
#include "tcdrop.h"

/* tcdrop's legacy filter: `tc filter show` lists it as pref 1997 handle 0x7cd. */
#define TCDROP_TC_HANDLE	0x7cd
#define TCDROP_TC_PRIO		0x7cd

struct tcdrop_target {
	const char *ifname;
	int ifindex;
	int dir;			/* enum tcdrop_dir */
	int mech;			/* enum tcdrop_mech */
	struct tcdrop_cfg cfg;
};

/* Does the kernel have tcx? Asked by querying lo's tcx ingress hook, which
 * older kernels reject as an unknown attach type. */
bool tcdrop_tcx_supported(void);
/* Load, attach and pin. On failure nothing is left and the error has been
 * printed. 0, -TPK_EINPUT (already attached, or tcdrop's filter place
 * taken) or -errno. */
int tcdrop_attach(const struct tcdrop_target *t);
/* Finish what killed tcdrop commands left in this namespace (see
 * tcdrop_store_each_partial): undo each, with a note on stderr. Under the
 * lock. How many, or -errno. */
int tcdrop_recover(void);

/* Undo an attachment and remove its pins: only tcdrop's link or filter, and
 * the clsact qdisc only if tcdrop made it and no filter is left on it.
 * 0 or -errno (printed). */
int tcdrop_detach(const struct tcdrop_entry *e);

enum tcdrop_state {
	TCDROP_ST_ATTACHED,
	TCDROP_ST_GONE,		/* device deleted, or the filter removed by someone else */
	TCDROP_ST_REPLACED,	/* tcdrop's filter handle holds another program */
};
enum tcdrop_state tcdrop_entry_state(const struct tcdrop_entry *e);
const char *tcdrop_state_name(enum tcdrop_state s);

/* Sum of the per-CPU counters of an entry; 0 or -errno. */
int tcdrop_entry_counts(const struct tcdrop_entry *e, struct tcdrop_count out[TCDROP_NCOUNTERS]);

#endif
