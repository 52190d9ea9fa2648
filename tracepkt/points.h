/* SPDX-License-Identifier: GPL-2.0 */
/* The device tracepoints tracepkt can hook, and which are on. */
#ifndef TRACEPKT_POINTS_H
#define TRACEPKT_POINTS_H

#include <stdbool.h>
#include "tracepkt.h"

struct btf;
struct tracepkt_bpf;

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

/* What the kernel's BTF says about the tracepoints, read once: the BTF is
 * large, and libbpf parses its own copy at load. */
struct tpk_kpoints {
	bool btf;			/* tp_btf, not raw_tp */
	bool have[TPK_PT_MAX];		/* the kernel has this tracepoint */
};

void tpk_points_probe(struct tpk_kpoints *k, const struct btf *vmlinux, bool raw_tp);

/* What the user asked for. */
struct tpk_points_want {
	const bool *on;			/* [TPK_PT_MAX] */
	bool listed;			/* by --points, not the defaults */
	bool verbose;
};

/* Autoload one program per wanted tracepoint: tp_btf when the kernel's BTF
 * describes the tracepoint, else raw_tp. 0 or -errno, said on stderr. */
int tpk_points_select(struct tracepkt_bpf *skel, const struct tpk_kpoints *k,
		      const struct tpk_points_want *w);

#endif
