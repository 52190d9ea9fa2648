/* SPDX-License-Identifier: GPL-2.0 */
/* The tables registered at the netfilter hooks, and their order at one hook
 * as the nfhook backend's probes can tell them apart. */
#ifndef TRACEPKT_HOOKORDER_H
#define TRACEPKT_HOOKORDER_H

#include <stdbool.h>
#include <stdint.h>
#include "tracepkt.h"

/* One table at one hook of one namespace, or several where no probe can
 * sit between them (one priority, or one apart): then they are candidates
 * and the line names them all. */
#define TPK_NF_NAMESIZ	128

struct tpk_nf_table {
	uint64_t netns;
	uint8_t pf, hook;
	uint16_t pos;
	bool nat;
	int32_t prio;
	uint16_t ncand;			/* tables merged here, 1 when exact */
	char table[TPK_NF_NAMESIZ];	/* distinct names, '|' between */
	char chain[TPK_NF_NAMESIZ];
};

/* A table or base chain registered at a hook. */
struct tpk_nf_hook_entry {
	int32_t prio;
	uint8_t family;			/* NFPROTO_IPV4, _IPV6 or _INET */
	uint8_t hook;
	bool nat;			/* runs for a connection's first packet */
	char table[TPK_TABLESIZ];
	char chain[TPK_TABLESIZ];	/* nft: the chain's name */
};

/* A growing list of them. */
struct tpk_nf_entries {
	struct tpk_nf_hook_entry *v;
	int n, cap;
};

int tpk_nf_entries_push(struct tpk_nf_entries *l, const struct tpk_nf_hook_entry *e);
/* The tables at one (pf, hook) in priority order, tables closer than two
 * merged. Returns how many were written into *out (malloc'd), or -ENOMEM. */
int tpk_nf_tables_at(const struct tpk_nf_hook_entry *all, int n, int pf, int hook,
		     struct tpk_nf_table **out);

#endif
