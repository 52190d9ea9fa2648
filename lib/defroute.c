// SPDX-License-Identifier: GPL-2.0
/* Which devices carry the namespace's way out, from the kernel's own route,
 * nexthop and link lists (rtnetlink): every table but local (ip rule may
 * select any), multipath routes, nexthop groups, split defaults (0/1 and
 * 128/1, as VPN clients add), and the ports of a bridge or bond that does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "defroute.h"
#include "nl.h"
#include "util.h"

#define MAX_MASTERS 8	/* bridge in a bond in a bridge...: far enough */

bool tpk_route_is_way_out(unsigned char dst_len, unsigned char type, unsigned int table)
{
	return dst_len <= 1 && type == RTN_UNICAST && table != RT_TABLE_LOCAL;
}

static void set_add(struct tpk_ifset *s, int ifindex, int fam)
{
	for (int i = 0; i < s->n; i++)
		if (s->v[i].ifindex == ifindex) {
			s->v[i].fams |= fam;
			return;
		}
	if (s->n < TPK_IFSET_MAX)
		s->v[s->n++] = (struct tpk_ifset_entry){ ifindex, fam };
}

static const struct rtattr *attr_next(const struct rtattr *a, int *len)
{
	*len -= RTA_ALIGN(a->rta_len);
	return (const struct rtattr *)((const char *)a + RTA_ALIGN(a->rta_len));
}

/* --- nexthop objects (5.3+): id -> device, group -> members ------------------ */

struct nh {
	unsigned int id, oif;
	unsigned int members[16];
	int nmembers;
};

struct nhs {
	struct nh *v;
	int n;
};

static int on_nexthop(const struct nlmsghdr *h, void *ctx)
{
	const struct nhmsg *m = NLMSG_DATA(h);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
	struct nhs *s = ctx;
	struct nh n = { 0 }, *grown;

	if (h->nlmsg_type != RTM_NEWNEXTHOP || len < 0)
		return 0;
	for (const struct rtattr *a = (const void *)((const char *)m + NLMSG_ALIGN(sizeof(*m)));
	     RTA_OK(a, len); a = attr_next(a, &len)) {
		if (a->rta_type == NHA_ID && RTA_PAYLOAD(a) >= 4)
			memcpy(&n.id, RTA_DATA(a), 4);
		else if (a->rta_type == NHA_OIF && RTA_PAYLOAD(a) >= 4)
			memcpy(&n.oif, RTA_DATA(a), 4);
		else if (a->rta_type == NHA_GROUP) {
			const struct nexthop_grp *g = RTA_DATA(a);

			for (size_t i = 0; i < RTA_PAYLOAD(a) / sizeof(*g) && n.nmembers < 16; i++)
				n.members[n.nmembers++] = g[i].id;
		}
	}
	grown = realloc(s->v, (s->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	s->v = grown;
	s->v[s->n++] = n;
	return 0;
}

static const struct nh *nh_find(const struct nhs *s, unsigned int id)
{
	for (int i = 0; i < s->n; i++)
		if (s->v[i].id == id)
			return &s->v[i];
	return NULL;
}

static void nh_devices(const struct nhs *s, unsigned int id, int fam, struct tpk_ifset *out)
{
	const struct nh *n = nh_find(s, id);

	if (!n)
		return;
	if (n->oif)
		set_add(out, n->oif, fam);
	for (int i = 0; i < n->nmembers; i++) {
		const struct nh *m = nh_find(s, n->members[i]);

		if (m && m->oif)
			set_add(out, m->oif, fam);
	}
}

/* --- routes --------------------------------------------------------------------- */

struct routes {
	const struct nhs *nhs;
	struct tpk_ifset *out;
};

void tpk_route_devices(const struct nlmsghdr *h, const void *nhs, struct tpk_ifset *out)
{
	const struct rtmsg *r = NLMSG_DATA(h);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*r));
	unsigned int table = r->rtm_table;
	int fam = r->rtm_family == AF_INET6 ? TPK_DEFROUTE_V6 : TPK_DEFROUTE_V4;
	const struct rtattr *a;

	if (h->nlmsg_type != RTM_NEWROUTE || len < 0)
		return;
	for (a = (const void *)((const char *)r + NLMSG_ALIGN(sizeof(*r))); RTA_OK(a, len);
	     a = attr_next(a, &len))
		if (a->rta_type == RTA_TABLE && RTA_PAYLOAD(a) >= 4)
			memcpy(&table, RTA_DATA(a), 4);
	if (!tpk_route_is_way_out(r->rtm_dst_len, r->rtm_type, table))
		return;
	len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*r));
	for (a = (const void *)((const char *)r + NLMSG_ALIGN(sizeof(*r))); RTA_OK(a, len);
	     a = attr_next(a, &len)) {
		unsigned int v = 0;

		if (RTA_PAYLOAD(a) >= 4)
			memcpy(&v, RTA_DATA(a), 4);
		if (a->rta_type == RTA_OIF) {
			set_add(out, v, fam);
		} else if (a->rta_type == RTA_NH_ID) {
			if (nhs)
				nh_devices(nhs, v, fam, out);
		} else if (a->rta_type == RTA_MULTIPATH) {
			const struct rtnexthop *nh = RTA_DATA(a);
			int left = RTA_PAYLOAD(a);

			while (left >= (int)sizeof(*nh) && nh->rtnh_len >= sizeof(*nh) &&
			       nh->rtnh_len <= left) {
				set_add(out, nh->rtnh_ifindex, fam);
				left -= RTNH_ALIGN(nh->rtnh_len);
				nh = RTNH_NEXT(nh);
			}
		}
	}
}

static int on_route(const struct nlmsghdr *h, void *ctx)
{
	struct routes *r = ctx;

	tpk_route_devices(h, r->nhs, r->out);
	return 0;
}

/* --- masters: a port of a bridge or bond that carries the way out ---------- */

static int on_link(const struct nlmsghdr *h, void *ctx)
{
	const struct ifinfomsg *m = NLMSG_DATA(h);
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
	unsigned int *master = ctx;

	if (h->nlmsg_type != RTM_NEWLINK || len < 0)
		return 0;
	for (const struct rtattr *a = IFLA_RTA(m); RTA_OK(a, len); a = attr_next(a, &len))
		if (a->rta_type == IFLA_MASTER && RTA_PAYLOAD(a) >= 4)
			memcpy(master, RTA_DATA(a), 4);
	return 1;
}

static unsigned int master_of(int ifindex)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg m;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETLINK, .nlmsg_flags = NLM_F_REQUEST },
		.m = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex },
	};
	unsigned int master = 0;

	if (tpk_nl_dump(NETLINK_ROUTE, &req, sizeof(req), on_link, &master))
		return 0;
	return master;
}

int tpk_way_out(int ifindex, int *via)
{
	struct {
		struct nlmsghdr h;
		struct rtmsg m;
	} rreq = {
		.h = { .nlmsg_len = sizeof(rreq), .nlmsg_type = RTM_GETROUTE,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
	};
	struct {
		struct nlmsghdr h;
		struct nhmsg m;
	} nreq = {
		.h = { .nlmsg_len = sizeof(nreq), .nlmsg_type = RTM_GETNEXTHOP,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
	};
	static const int fams[] = { AF_INET, AF_INET6 };
	struct tpk_ifset set = { 0 };
	struct nhs nhs = { 0 };
	struct routes r = { &nhs, &set };
	int err, dev = ifindex;

	/* No nexthop objects before 5.3: no routes use them either. */
	tpk_nl_dump(NETLINK_ROUTE, &nreq, sizeof(nreq), on_nexthop, &nhs);
	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		rreq.m.rtm_family = fams[i];
		err = tpk_nl_dump(NETLINK_ROUTE, &rreq, sizeof(rreq), on_route, &r);
		if (err && err != -EAFNOSUPPORT) {
			free(nhs.v);
			return err;
		}
	}
	free(nhs.v);
	for (int depth = 0; dev && depth < MAX_MASTERS; depth++) {
		for (int i = 0; i < set.n; i++)
			if (set.v[i].ifindex == dev) {
				*via = dev;
				return set.v[i].fams;
			}
		dev = master_of(dev);
	}
	return 0;
}

bool tpk_way_out_refuse(const char *dev, int ifindex)
{
	char via[IF_NAMESIZE] = "";
	int by = 0, fams = tpk_way_out(ifindex, &by);

	if (fams <= 0)
		return false;	/* cannot tell: the kernel said no to a dump */
	if (by != ifindex && !if_indextoname(by, via))
		snprintf(via, sizeof(via), "%d", by);
	tpk_err("%s%s%s%s carries this namespace's way out (a default %s route); dropping "
		"there can cut you off (--force to do it anyway)", dev,
		by != ifindex ? " is a port of " : "", by != ifindex ? via : "",
		by != ifindex ? ", which" : "",
		fams == TPK_DEFROUTE_V4 ? "IPv4" : fams == TPK_DEFROUTE_V6 ? "IPv6" : "IPv4 and IPv6");
	return true;
}
