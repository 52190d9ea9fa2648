/* SPDX-License-Identifier: GPL-2.0 */
/* The nfhook backend: netfilter-link probes around every table of every
 * hook in every network namespace, where the kernel has netfilter links. */
#ifndef TRACEPKT_NFHOOK_H
#define TRACEPKT_NFHOOK_H

#include "hookorder.h"

struct tracepkt_bpf;

struct tpk_nfhook {
	struct tpk_nf_table *tables;
	int ntables;
	struct bpf_link **links;
	int nlinks;
	int nnetns;		/* namespaces looked at */
	char *unwatched;	/* tables no probe could follow (malloc'd) */
};

/* Walk every network namespace, find its tables, attach the position
 * probes and fill the nf_layout map. 0 or -errno (nothing left attached). */
int tpk_nfhook_attach(struct tracepkt_bpf *skel, struct tpk_nfhook *nh);
void tpk_nfhook_detach(struct tpk_nfhook *nh);
/* The table (or candidates) an nfhook event's probe sat after, or NULL. */
const struct tpk_nf_table *tpk_nfhook_table(const struct tpk_nfhook *nh,
					    const struct tpk_event *e);

#endif
