// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include "nftables.h"
#include "nl.h"

static void attr_str(const struct nlattr *a, char *out, size_t len)
{
	size_t n = a->nla_len - NLA_HDRLEN;

	if (n >= len)
		n = len - 1;
	memcpy(out, (const char *)a + NLA_HDRLEN, n);
	out[n] = '\0';
	out[strnlen(out, n)] = '\0';
}

static uint32_t attr_be32(const struct nlattr *a)
{
	uint32_t v = 0;

	if (a->nla_len >= NLA_HDRLEN + 4)
		memcpy(&v, (const char *)a + NLA_HDRLEN, 4);
	return ntohl(v);
}

#define for_each_attr(a, start, len)					\
	for (a = (const struct nlattr *)(start);			\
	     (const char *)a + NLA_HDRLEN <= (const char *)(start) + (len) && \
	     a->nla_len >= NLA_HDRLEN &&				\
	     (const char *)a + a->nla_len <= (const char *)(start) + (len); \
	     a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len)))

static int parse_chain(const struct nlmsghdr *nh, struct tpk_nf_hook_entry *e)
{
	const struct nfgenmsg *g = NLMSG_DATA(nh);
	const char *start = (const char *)g + sizeof(*g);
	int len = nh->nlmsg_len - NLMSG_HDRLEN - sizeof(*g);
	const struct nlattr *a, *h;
	char type[16] = "";
	bool base = false;

	memset(e, 0, sizeof(*e));
	if (len < 0)
		return -EINVAL;
	e->family = g->nfgen_family;
	for_each_attr(a, start, len) {
		switch (a->nla_type & NLA_TYPE_MASK) {
		case NFTA_CHAIN_TABLE:
			attr_str(a, e->table, sizeof(e->table));
			break;
		case NFTA_CHAIN_NAME:
			attr_str(a, e->chain, sizeof(e->chain));
			break;
		case NFTA_CHAIN_TYPE:
			attr_str(a, type, sizeof(type));
			break;
		case NFTA_CHAIN_HOOK:
			base = true;
			for_each_attr(h, (const char *)a + NLA_HDRLEN, a->nla_len - NLA_HDRLEN) {
				if ((h->nla_type & NLA_TYPE_MASK) == NFTA_HOOK_HOOKNUM)
					e->hook = attr_be32(h);
				else if ((h->nla_type & NLA_TYPE_MASK) == NFTA_HOOK_PRIORITY)
					e->prio = (int32_t)attr_be32(h);
			}
			break;
		}
	}
	e->nat = !strcmp(type, "nat");
	/* Regular chains run inside a base chain; netdev/bridge/arp are not
	 * on the IP hooks. */
	if (!base || (e->family != NFPROTO_IPV4 && e->family != NFPROTO_IPV6 &&
		      e->family != NFPROTO_INET))
		return -ENOENT;
	return 0;
}

static int on_chain(const struct nlmsghdr *nh, void *ctx)
{
	struct tpk_nf_hook_entry e;

	return parse_chain(nh, &e) ? 0 : tpk_nf_entries_push(ctx, &e);
}

int tpk_nft_base_chains(struct tpk_nf_entries *l)
{
	struct {
		struct nlmsghdr nh;
		struct nfgenmsg nf;
	} req = {
		.nh = {
			.nlmsg_len = sizeof(req),
			.nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETCHAIN,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 1,
		},
		.nf = { .nfgen_family = NFPROTO_UNSPEC, .version = NFNETLINK_V0 },
	};
	int err = tpk_nl_dump(NETLINK_NETFILTER, &req, sizeof(req), on_chain, l);

	/* No nf_tables in this kernel: no chains. */
	if (err == -EPROTONOSUPPORT || err == -ENOENT || err == -EOPNOTSUPP)
		err = 0;
	return err;
}
