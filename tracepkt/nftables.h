/* SPDX-License-Identifier: GPL-2.0 */
/* nftables base chains, from an nf_tables netlink dump: iptables-nft's
 * tables are such chains too. (nfnetlink_hook would list every hook's
 * entries, but kernels often lack it.) */
#ifndef TRACEPKT_NFTABLES_H
#define TRACEPKT_NFTABLES_H

#include "hookorder.h"

/* Append the nftables base chains of the calling thread's netns; 0 or
 * -errno. */
int tpk_nft_base_chains(struct tpk_nf_entries *l);

#endif
