// SPDX-License-Identifier: GPL-2.0
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include <linux/pkt_sched.h>

#include "nl.h"
#include "tcfilters.h"

static int count_filter(const struct nlmsghdr *nh, void *ctx)
{
	if (nh->nlmsg_type == RTM_NEWTFILTER)
		(*(int *)ctx)++;
	return 0;
}

int tcdrop_tc_filter_count(int ifindex, bool egress)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg tc;
	} req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg)),
		.nh.nlmsg_type = RTM_GETTFILTER,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.nh.nlmsg_seq = 1,
		.tc.tcm_family = AF_UNSPEC,
		.tc.tcm_ifindex = ifindex,
		/* Every chain and priority of that side of clsact. */
		.tc.tcm_parent = TC_H_MAKE(TC_H_CLSACT,
					   egress ? TC_H_MIN_EGRESS : TC_H_MIN_INGRESS),
	};
	int n = 0, err = tpk_nl_dump(NETLINK_ROUTE, &req, req.nh.nlmsg_len, count_filter, &n);

	return err ? err : n;
}
