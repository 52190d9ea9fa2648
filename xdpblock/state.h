/* SPDX-License-Identifier: GPL-2.0 */
/* xdpblock's pinned state: the folder in bpffs, its lock, its maps. */
#ifndef XDPBLOCK_STATE_H
#define XDPBLOCK_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "rules.h"

struct bpf_program;
struct xdpblock_bpf;

enum xb_map {
	XB_MAP_V4,
	XB_MAP_V6,
	XB_MAP_STATS,
	XB_MAP_TOTALS,
	XB_MAP_META,
	XB_MAP_MAX,
};

enum xb_open {
	XB_READ,	/* no lock; an absent folder is an empty state */
	XB_WRITE,	/* locked; an absent folder is an empty state */
	XB_CREATE,	/* locked; folder and maps made when absent */
};

struct xb_state {
	char dir[PATH_MAX];	/* <bpffs>/xdpblock */
	int dir_fd;		/* holds the lock; -1 */
	int fd[XB_MAP_MAX];	/* -1 when not pinned */
};

/* Every rule with its counters, as `list` shows it. */
struct xb_row {
	int family;
	struct xdpb_key key;
	struct xdpb_match m;
	struct xdpb_counter c;
};

/* The folder's name under bpffs: "xdpblock", or XDPBLOCK_PINS (a separate
 * blocklist, or a test's). One line and -TPK_EINPUT when that is not a name. */
int xb_state_name(const char **name);
int xb_state_open(struct xb_state *s, enum xb_open how);
void xb_state_close(struct xb_state *s);
bool xb_state_has_maps(const struct xb_state *s);
/* The object's two copies of the XDP program differ only in how they walk
 * to shorter prefixes. */
enum xb_prog {
	XB_PROG_NONE,		/* no program: only make the maps */
	XB_PROG_LOOP,		/* bpf_loop (kernel 5.17+), cheap to verify */
	XB_PROG_BOUNDED,	/* a bounded loop (5.6+), for older kernels */
};

/* The copy to run here: XDPBLOCK_WALK (loop or bounded) when set, else
 * XB_PROG_LOOP where the kernel has bpf_loop. One line and -TPK_EINPUT
 * when XDPBLOCK_WALK is neither. */
int xb_prog_choose(enum xb_prog *p);
struct bpf_program *xb_prog_get(struct xdpblock_bpf *skel, enum xb_prog p);
/* Opens the object with every map pinned in s->dir (reused when there) and
 * loads it with program p, or none (just to make the maps). */
int xb_state_load(struct xb_state *s, enum xb_prog p, struct xdpblock_bpf **skel);

int xb_state_add(struct xb_state *s, const struct xb_rule *rules, size_t n, size_t *added,
		 size_t *skipped);
int xb_state_remove(struct xb_state *s, const struct xb_rule *rules, size_t n, size_t *removed,
		    size_t *repeated);
/* Every rule, ordered by id. */
int xb_state_rows(struct xb_state *s, struct xb_row **rows, size_t *n);
int xb_state_totals(struct xb_state *s, struct xdpb_counter t[XDPB_T_MAX]);
/* Deletes every rule; with unpin, also the maps and the folder. */
int xb_state_flush(struct xb_state *s, bool unpin);

#endif
