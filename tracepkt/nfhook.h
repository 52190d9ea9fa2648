/* SPDX-License-Identifier: GPL-2.0 */
/* The nfhook backend: netfilter-link probes around every table of every
 * hook in every network namespace, where the kernel has netfilter links. */
#ifndef TRACEPKT_NFHOOK_H
#define TRACEPKT_NFHOOK_H

#include <stdbool.h>
#include <stdint.h>
#include "tracepkt.h"

struct tracepkt_bpf;

/* One table (or several at one priority) at one hook of one namespace. */
struct tpk_nf_table {
	uint64_t netns;
	uint8_t pf, hook, pos;
	bool nat;
	int32_t prio;
	char table[TPK_TABLESIZ];
	char chain[TPK_TABLESIZ];
};

struct tpk_nfhook {
	struct tpk_nf_table *tables;
	int ntables;
	struct bpf_link **links;
	int nlinks;
	int nnetns;		/* namespaces looked at */
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

/* nftables base chains of the calling thread's netns; count or -errno. */
int tpk_nft_base_chains(struct tpk_nf_hook_entry *out, int max);
/* Legacy iptables tables of family pf, one entry per hook. */
int tpk_xt_tables(int pf, struct tpk_nf_hook_entry *out, int max);
/* The tables at one (pf, hook) in priority order, tables closer than two
 * merged. Returns how many were written into out. */
int tpk_nf_tables_at(const struct tpk_nf_hook_entry *all, int n, int pf, int hook,
		     struct tpk_nf_table *out, int max);

/* Walk every network namespace, find its tables, attach the position
 * probes and fill the nf_layout map. 0 or -errno (nothing left attached). */
int tpk_nfhook_attach(struct tracepkt_bpf *skel, struct tpk_nfhook *nh);
void tpk_nfhook_detach(struct tpk_nfhook *nh);
/* Name an nfhook event's table from where its probe sat. */
void tpk_nfhook_name(const struct tpk_nfhook *nh, struct tpk_event *e);

#endif
