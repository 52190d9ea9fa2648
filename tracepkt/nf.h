/* SPDX-License-Identifier: GPL-2.0 */
/* What the kernel offers netfilter tracing: its table functions, netfilter
 * links, skb:kfree_skb and the names of its drop reasons, read from its BTF
 * once at start. */
#ifndef TRACEPKT_NF_H
#define TRACEPKT_NF_H

#include <stdbool.h>
#include "tracepkt.h"

struct btf;

/* A table function: ipt_do_table, ip6t_do_table, nft_do_chain. */
struct tpk_nf_fn {
	bool usable;			/* there (after modprobe), kprobes can read it */
	bool btf;			/* its prototype is in BTF: fexit can attach */
	bool new_abi;			/* xtables (priv, skb, state): 5.16+ */
};

struct tpk_nf {
	struct tpk_nf_fn ipt, ip6t, nft;
	bool free_reason;		/* skb:kfree_skb carries the reason */
	bool free_btf;			/* ... and tp_btf can attach to it */
	int fexit_err;			/* a trivial fexit program's load */
	char missing[128];		/* modules that are not there */
	bool nobtf;			/* one is there without BTF (before 5.11) */
	char unread[128];		/* ... and kprobes cannot read it: modules */
	bool nf_links;			/* SEC("netfilter") programs: 6.4+ */
	bool icmp6_frees_all;		/* icmpv6_rcv frees what it handled as a drop */
	/* enum skb_drop_reason of the running kernel, names without prefix */
	char **reasons;
	unsigned int nreasons;
};

/* Load the modules the hooks live in, and read the kernel's BTF. */
int tpk_nf_probe(struct tpk_nf *nf, const struct btf *vmlinux);
const char *tpk_nf_reason_name(const struct tpk_nf *nf, unsigned int reason);
void tpk_nf_free(struct tpk_nf *nf);

#endif
