/* SPDX-License-Identifier: GPL-2.0 */
/* The nfhook backend: netfilter-link probes around every table of every
 * hook in every network namespace, where the kernel has netfilter links. */
#ifndef TRACEPKT_NFHOOK_H
#define TRACEPKT_NFHOOK_H

#include <stdbool.h>
#include <stdint.h>
#include "tracepkt.h"

struct tracepkt_bpf;

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

struct tpk_nfhook {
	struct tpk_nf_table *tables;
	int ntables;
	struct bpf_link **links;
	int nlinks;
	int nnetns;		/* namespaces looked at */
	char *unwatched;	/* tables no probe could follow (malloc'd) */
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

/* Append the nftables base chains of the calling thread's netns; 0 or
 * -errno. */
int tpk_nft_base_chains(struct tpk_nf_entries *l);
/* Append legacy iptables tables of family pf, one entry per hook. */
int tpk_xt_tables(int pf, struct tpk_nf_entries *l);
/* The tables at one (pf, hook) in priority order, tables closer than two
 * merged. Returns how many were written into *out (malloc'd), or -ENOMEM. */
int tpk_nf_tables_at(const struct tpk_nf_hook_entry *all, int n, int pf, int hook,
		     struct tpk_nf_table **out);

/* Walk every network namespace, find its tables, attach the position
 * probes and fill the nf_layout map. 0 or -errno (nothing left attached). */
int tpk_nfhook_attach(struct tracepkt_bpf *skel, struct tpk_nfhook *nh);
void tpk_nfhook_detach(struct tpk_nfhook *nh);
/* The table (or candidates) an nfhook event's probe sat after, or NULL. */
const struct tpk_nf_table *tpk_nfhook_table(const struct tpk_nfhook *nh,
					    const struct tpk_event *e);

#endif
