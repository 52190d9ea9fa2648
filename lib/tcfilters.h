/* SPDX-License-Identifier: GPL-2.0 */
/* What is on a device's clsact hooks, asked over rtnetlink: libbpf can
 * query one filter by handle, but not tell whether any filter is left. */
#ifndef TPK_TCFILTERS_H
#define TPK_TCFILTERS_H

#include <stdbool.h>

/* Number of tc filters (of any kind, any chain, any owner) on the
 * ingress or egress side of the clsact qdisc of ifindex; -errno. */
int tpk_tc_filter_count(int ifindex, bool egress);

/* 1 when ifindex has a clsact (or ingress) qdisc, 0 when not; -errno. */
int tpk_clsact_present(int ifindex);

/* The ids of the BPF programs of the cls_bpf filters on that side of
 * ifindex's clsact, at most max of them: how many there are, or -errno. */
int tpk_tc_bpf_ids(int ifindex, bool egress, unsigned int *ids, int max);

#endif
