// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "devprogs.h"
#include "netns.h"
#include "tcfilters.h"

struct ask {
	uint64_t netns;
	int ifindex;
	unsigned int sides;
	struct tpk_devprogs *out;
};

static void add(struct tpk_devprogs *out, const char *attach, unsigned int id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct tpk_devprog *p;
	int fd;

	if (!id || out->n >= TPK_DEVPROGS_MAX)
		return;
	p = &out->p[out->n++];
	*p = (struct tpk_devprog){ .attach = attach, .id = id };
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return;
	if (!bpf_prog_get_info_by_fd(fd, &info, &len))
		snprintf(p->name, sizeof(p->name), "%.*s", (int)sizeof(p->name) - 1, info.name);
	close(fd);
}

static void add_xdp(struct tpk_devprogs *out, int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (bpf_xdp_query(ifindex, 0, &q))
		return;
	add(out, "xdp", q.drv_prog_id);
	add(out, "xdpgeneric", q.skb_prog_id);
	add(out, "xdpoffload", q.hw_prog_id);
}

/* tcx (6.6+: the query fails before) and cls_bpf filters under clsact. */
static void add_tc(struct tpk_devprogs *out, int ifindex, bool egress)
{
	__u32 ids[TPK_DEVPROGS_MAX];
	LIBBPF_OPTS(bpf_prog_query_opts, q, .prog_ids = ids, .count = TPK_DEVPROGS_MAX);
	int n;

	if (!bpf_prog_query_opts(ifindex, egress ? BPF_TCX_EGRESS : BPF_TCX_INGRESS, &q))
		for (__u32 i = 0; i < q.count && i < TPK_DEVPROGS_MAX; i++)
			add(out, egress ? "tcx.egress" : "tcx.ingress", ids[i]);
	n = tpk_tc_bpf_ids(ifindex, egress, ids, TPK_DEVPROGS_MAX);
	for (int i = 0; i < n; i++)
		add(out, egress ? "tc.egress" : "tc.ingress", ids[i]);
}

static int ask_here(uint64_t netns, void *ctx)
{
	struct ask *a = ctx;

	if (netns != a->netns)
		return 0;
	if (a->sides & TPK_SIDE_INGRESS) {
		add_xdp(a->out, a->ifindex);
		add_tc(a->out, a->ifindex, false);
	}
	if (a->sides & TPK_SIDE_EGRESS)
		add_tc(a->out, a->ifindex, true);
	return 1;	/* found: stop looking */
}

int tpk_devprogs_get(uint64_t netns, int ifindex, unsigned int sides, struct tpk_devprogs *out)
{
	struct ask a = { .netns = netns, .ifindex = ifindex, .sides = sides, .out = out };

	out->n = 0;
	if (!ifindex || !sides)
		return 0;
	tpk_netns_each(ask_here, &a);
	return out->n;
}
