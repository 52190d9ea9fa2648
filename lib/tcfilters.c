// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>

#include "nl.h"
#include "tcfilters.h"

/* Dump the tc objects (RTM_GETTFILTER, RTM_GETQDISC) of ifindex under parent. */
static int tc_dump(int type, int ifindex, __u32 parent, tpk_nl_msg_fn fn, void *ctx)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg tc;
	} req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg)),
		.nh.nlmsg_type = type,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.nh.nlmsg_seq = 1,
		.tc.tcm_family = AF_UNSPEC,
		.tc.tcm_ifindex = ifindex,
		.tc.tcm_parent = parent,
	};

	return tpk_nl_dump(NETLINK_ROUTE, &req, req.nh.nlmsg_len, fn, ctx);
}

static int count_filter(const struct nlmsghdr *nh, void *ctx)
{
	if (nh->nlmsg_type == RTM_NEWTFILTER)
		(*(int *)ctx)++;
	return 0;
}

int tpk_tc_filter_count(int ifindex, bool egress)
{
	/* Every chain and priority of that side of clsact. */
	int n = 0, err = tc_dump(RTM_GETTFILTER, ifindex,
				 TC_H_MAKE(TC_H_CLSACT, egress ? TC_H_MIN_EGRESS : TC_H_MIN_INGRESS),
				 count_filter, &n);

	return err ? err : n;
}

struct qdisc_ask {
	int ifindex;
	int found;
};

static int match_clsact(const struct nlmsghdr *nh, void *ctx)
{
	struct qdisc_ask *q = ctx;
	const struct tcmsg *tc = NLMSG_DATA(nh);

	/* clsact and ingress both sit at ffff:fff1; either takes the place. */
	if (nh->nlmsg_type == RTM_NEWQDISC && nh->nlmsg_len >= NLMSG_LENGTH(sizeof(*tc)) &&
	    tc->tcm_ifindex == q->ifindex && tc->tcm_parent == TC_H_CLSACT)
		q->found = 1;
	return 0;
}

int tpk_clsact_present(int ifindex)
{
	struct qdisc_ask q = { .ifindex = ifindex };
	int err = tc_dump(RTM_GETQDISC, ifindex, 0, match_clsact, &q);

	return err ? err : q.found;
}

struct bpf_ids {
	unsigned int *ids;
	int max, n;
};

/* TCA_BPF_ID inside the TCA_OPTIONS of a filter whose TCA_KIND is "bpf". */
static unsigned int filter_prog_id(const struct tcmsg *tc, int len)
{
	const struct rtattr *rta = (const void *)((const char *)tc + NLMSG_ALIGN(sizeof(*tc)));
	const struct rtattr *opts = NULL;
	bool bpf = false;

	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == TCA_KIND)
			bpf = !strncmp(RTA_DATA(rta), "bpf", RTA_PAYLOAD(rta));
		else if (rta->rta_type == TCA_OPTIONS)
			opts = rta;
	}
	if (!bpf || !opts)
		return 0;
	len = RTA_PAYLOAD(opts);
	for (rta = RTA_DATA(opts); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == TCA_BPF_ID && RTA_PAYLOAD(rta) >= sizeof(__u32))
			return *(const __u32 *)RTA_DATA(rta);
	return 0;
}

static int add_bpf_filter(const struct nlmsghdr *nh, void *ctx)
{
	struct bpf_ids *b = ctx;
	const struct tcmsg *tc = NLMSG_DATA(nh);
	unsigned int id;

	if (nh->nlmsg_type != RTM_NEWTFILTER || nh->nlmsg_len < NLMSG_LENGTH(sizeof(*tc)))
		return 0;
	id = filter_prog_id(tc, nh->nlmsg_len - NLMSG_LENGTH(sizeof(*tc)));
	if (id && b->n < b->max)
		b->ids[b->n++] = id;
	return 0;
}

int tpk_tc_bpf_ids(int ifindex, bool egress, unsigned int *ids, int max)
{
	struct bpf_ids b = { .ids = ids, .max = max };
	int err = tc_dump(RTM_GETTFILTER, ifindex,
			  TC_H_MAKE(TC_H_CLSACT, egress ? TC_H_MIN_EGRESS : TC_H_MIN_INGRESS),
			  add_bpf_filter, &b);

	return err ? err : b.n;
}
