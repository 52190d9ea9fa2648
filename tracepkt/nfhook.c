// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "nfhook.h"
#include "nl.h"
#include "util.h"
#include "tracepkt.skel.h"

#define MAX_ENTRIES	256
#define MAX_TABLES	1024

/* --- the tables of one namespace ---------------------------------------------
 * nftables base chains come from an nf_tables netlink dump (iptables-nft's
 * tables are nftables chains); legacy iptables tables from
 * /proc/net/ip{,6}_tables_names, at the hooks and priorities each table
 * always registers. (nfnetlink_hook would list both, but kernels often
 * lack it.) */

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

struct chains {
	struct tpk_nf_hook_entry *out;
	int n, max;
};

static int on_chain(const struct nlmsghdr *nh, void *ctx)
{
	struct chains *c = ctx;

	if (c->n < c->max && !parse_chain(nh, &c->out[c->n]))
		c->n++;
	return 0;
}

int tpk_nft_base_chains(struct tpk_nf_hook_entry *out, int max)
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
	struct chains c = { .out = out, .max = max };
	int err = tpk_nl_dump(NETLINK_NETFILTER, &req, sizeof(req), on_chain, &c);

	/* No nf_tables in this kernel: no chains. */
	if (err == -EPROTONOSUPPORT || err == -ENOENT || err == -EOPNOTSUPP)
		err = 0;
	return err ? err : c.n;
}

/* The hooks and priorities legacy xtables tables register. */
static const struct {
	const char *name;
	int32_t prio[NF_INET_NUMHOOKS];	/* 1: not at this hook */
} xt_tables[] = {
	/*		PREROUTING INPUT FORWARD OUTPUT POSTROUTING */
	{ "raw",	{ -300, 1, 1, -300, 1 } },
	{ "mangle",	{ -150, -150, -150, -150, -150 } },
	{ "nat",	{ -100, 100, 1, -100, 100 } },
	{ "filter",	{ 1, 0, 0, 0, 1 } },
	{ "security",	{ 1, 50, 50, 50, 1 } },
};

int tpk_xt_tables(int pf, struct tpk_nf_hook_entry *out, int max)
{
	const char *path = pf == NFPROTO_IPV6 ? "/proc/net/ip6_tables_names"
					      : "/proc/net/ip_tables_names";
	char name[64];
	int n = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;	/* no ip_tables: no legacy tables */
	while (fscanf(f, "%63s", name) == 1) {
		for (size_t t = 0; t < ARRAY_SIZE(xt_tables); t++) {
			if (strcmp(name, xt_tables[t].name))
				continue;
			for (int hook = 0; hook < NF_INET_NUMHOOKS && n < max; hook++) {
				if (xt_tables[t].prio[hook] == 1)
					continue;
				memset(&out[n], 0, sizeof(out[n]));
				out[n].family = pf;
				out[n].hook = hook;
				out[n].prio = xt_tables[t].prio[hook];
				out[n].nat = !strcmp(name, "nat");
				snprintf(out[n].table, sizeof(out[n].table), "%s", xt_tables[t].name);
				n++;
			}
		}
	}
	fclose(f);
	return n;
}

static int by_prio(const void *a, const void *b)
{
	const struct tpk_nf_hook_entry *x = a, *y = b;

	return (x->prio > y->prio) - (x->prio < y->prio);
}

int tpk_nf_tables_at(const struct tpk_nf_hook_entry *all, int n, int pf, int hook,
		     struct tpk_nf_table *out, int max)
{
	struct tpk_nf_hook_entry here[64];
	int m = 0, k = 0;

	for (int i = 0; i < n && m < (int)ARRAY_SIZE(here); i++)
		if (all[i].hook == hook && (all[i].family == pf || all[i].family == NFPROTO_INET))
			here[m++] = all[i];
	qsort(here, m, sizeof(here[0]), by_prio);
	for (int i = 0; i < m; i++) {
		/* Tables one apart or at one priority cannot be told apart by
		 * probes between them: show them as one. */
		if (k > 0 && here[i].prio - out[k - 1].prio < 2) {
			out[k - 1].nat = out[k - 1].nat && here[i].nat;
			continue;
		}
		if (k == max)
			break;
		memset(&out[k], 0, sizeof(out[k]));
		out[k].prio = here[i].prio;
		out[k].nat = here[i].nat;
		out[k].pf = pf;
		out[k].hook = hook;
		memcpy(out[k].table, here[i].table, sizeof(out[k].table));
		memcpy(out[k].chain, here[i].chain, sizeof(out[k].chain));
		k++;
	}
	return k;
}

/* --- every namespace -------------------------------------------------------- */

struct ns_ref {
	dev_t dev;
	ino_t ino;
	char path[64];
};

static int ns_add(struct ns_ref **list, int *n, const char *path)
{
	struct stat st;
	struct ns_ref *grown;

	if (stat(path, &st))
		return 0;
	for (int i = 0; i < *n; i++)
		if ((*list)[i].dev == st.st_dev && (*list)[i].ino == st.st_ino)
			return 0;
	grown = realloc(*list, (*n + 1) * sizeof(**list));
	if (!grown)
		return -ENOMEM;
	*list = grown;
	grown[*n].dev = st.st_dev;
	grown[*n].ino = st.st_ino;
	snprintf(grown[*n].path, sizeof(grown[*n].path), "%s", path);
	(*n)++;
	return 0;
}

/* Ours first, then named ones, then every process's. */
static int ns_list(struct ns_ref **list, int *n)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dir;
	int err = ns_add(list, n, "/proc/self/ns/net");

	dir = opendir("/run/netns");
	while (!err && dir && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", d->d_name);
		err = ns_add(list, n, path);
	}
	if (dir)
		closedir(dir);
	dir = opendir("/proc");
	while (!err && dir && (d = readdir(dir))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", d->d_name);
		err = ns_add(list, n, path);
	}
	if (dir)
		closedir(dir);
	return err;
}

static struct bpf_program *pos_prog(struct tracepkt_bpf *skel, int pos)
{
	char name[32];

	snprintf(name, sizeof(name), "nf_pos%d", pos);
	return bpf_object__find_program_by_name(skel->obj, name);
}

static int add_link(struct tpk_nfhook *nh, struct bpf_link *link)
{
	struct bpf_link **grown = realloc(nh->links, (nh->nlinks + 1) * sizeof(*grown));

	if (!grown) {
		bpf_link__destroy(link);
		return -ENOMEM;
	}
	nh->links = grown;
	nh->links[nh->nlinks++] = link;
	return 0;
}

/* The probe for position k, strictly between priorities lo and hi, as
 * close as it can get to the table it watches (hi when before_hi, else lo).
 * The kernel keeps one BPF program per priority, so another tracepkt may
 * hold the closest one: step away from it. */
static struct bpf_link *attach_between(struct tracepkt_bpf *skel, int pf, int hook, int k,
				       int32_t lo, int32_t hi, bool before_hi)
{
	struct bpf_link *link = NULL;

	for (int i = 0; i < 64; i++) {
		int64_t prio = before_hi ? (int64_t)hi - 1 - i : (int64_t)lo + 1 + i;
		LIBBPF_OPTS(bpf_netfilter_opts, opts, .pf = pf, .hooknum = hook, .priority = prio);

		/* INT_MIN and INT_MAX are the kernel's own first and last. */
		if (prio <= lo || prio >= hi || prio <= INT_MIN || prio >= INT_MAX)
			break;
		link = bpf_program__attach_netfilter(pos_prog(skel, k), &opts);
		if (link || errno != EBUSY)
			return link;
	}
	if (!link)
		errno = EBUSY;
	return link;
}

/* Probes around the tables of one hook in the current namespace. */
static int attach_hook(struct tracepkt_bpf *skel, struct tpk_nfhook *nh, uint64_t netns,
		       const struct tpk_nf_hook_entry *all, int n, int pf, int hook)
{
	struct tpk_nf_table tables[TPK_NF_MAXPOS - 1];
	struct tpk_nf_layout_key key = { .netns = netns, .pf = pf, .hook = hook };
	struct tpk_nf_layout layout = { 0 };
	int t, err;

	t = tpk_nf_tables_at(all, n, pf, hook, tables, TPK_NF_MAXPOS - 1);
	if (!t)
		return 0;
	for (int k = 0; k <= t; k++) {
		struct bpf_link *link = attach_between(skel, pf, hook, k, k ? tables[k - 1].prio : INT_MIN,
						       k < t ? tables[k].prio : INT_MAX, k < t);

		if (!link) {
			err = -errno;
			if (tpk_verbose)
				tpk_err_errno(err, "nfhook: netns %llu pf %d hook %d position %d",
					      (unsigned long long)netns, pf, hook, k);
			return err;
		}
		err = add_link(nh, link);
		if (err)
			return err;
	}
	for (int k = 0; k < t; k++) {
		struct tpk_nf_table *grown;

		if (nh->ntables >= MAX_TABLES)
			break;
		grown = realloc(nh->tables, (nh->ntables + 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		nh->tables = grown;
		tables[k].netns = netns;
		tables[k].pos = k;
		nh->tables[nh->ntables++] = tables[k];
		layout.nat_mask |= tables[k].nat << k;
	}
	layout.ntables = t;
	return bpf_map__update_elem(skel->maps.nf_layout, &key, sizeof(key), &layout, sizeof(layout),
				    BPF_ANY);
}

/* Every table of the current namespace. */
static int attach_netns(struct tracepkt_bpf *skel, struct tpk_nfhook *nh, uint64_t netns)
{
	static const int pfs[] = { NFPROTO_IPV4, NFPROTO_IPV6 };
	struct tpk_nf_hook_entry all[MAX_ENTRIES];
	int n, err = 0;

	n = tpk_nft_base_chains(all, MAX_ENTRIES);
	if (n < 0)
		return n;
	for (size_t p = 0; p < ARRAY_SIZE(pfs); p++)
		n += tpk_xt_tables(pfs[p], all + n, MAX_ENTRIES - n);
	for (size_t p = 0; !err && p < ARRAY_SIZE(pfs); p++)
		for (int hook = 0; !err && hook < NF_INET_NUMHOOKS; hook++)
			err = attach_hook(skel, nh, netns, all, n, pfs[p], hook);
	return err;
}

int tpk_nfhook_attach(struct tracepkt_bpf *skel, struct tpk_nfhook *nh)
{
	struct ns_ref *list = NULL;
	int n = 0, self, err;

	memset(nh, 0, sizeof(*nh));
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	err = ns_list(&list, &n);
	for (int i = 0; !err && i < n; i++) {
		int fd = open(list[i].path, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			continue;	/* the process went away */
		if (setns(fd, CLONE_NEWNET)) {
			err = -errno;
			close(fd);
			break;
		}
		close(fd);
		nh->nnetns++;
		err = attach_netns(skel, nh, list[i].ino);
	}
	if (setns(self, CLONE_NEWNET) && !err)
		err = -errno;
	close(self);
	free(list);
	if (err)
		tpk_nfhook_detach(nh);
	return err;
}

void tpk_nfhook_detach(struct tpk_nfhook *nh)
{
	for (int i = 0; i < nh->nlinks; i++)
		bpf_link__destroy(nh->links[i]);
	free(nh->links);
	free(nh->tables);
	memset(nh, 0, sizeof(*nh));
}

void tpk_nfhook_name(const struct tpk_nfhook *nh, struct tpk_event *e)
{
	for (int i = 0; i < nh->ntables; i++) {
		const struct tpk_nf_table *t = &nh->tables[i];

		if (t->netns == e->hook_netns && t->pf == e->nf_pf && t->hook == e->hook &&
		    t->pos == e->nf_pos) {
			memcpy(e->table, t->table, sizeof(e->table));
			memcpy(e->chain, t->chain, sizeof(e->chain));
			return;
		}
	}
	snprintf(e->table, sizeof(e->table), "?");
}
