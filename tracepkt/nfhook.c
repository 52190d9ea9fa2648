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

static int entries_push(struct tpk_nf_entries *l, const struct tpk_nf_hook_entry *e)
{
	if (l->n == l->cap) {
		int cap = l->cap ? 2 * l->cap : 64;
		struct tpk_nf_hook_entry *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *e;
	return 0;
}

static int on_chain(const struct nlmsghdr *nh, void *ctx)
{
	struct tpk_nf_hook_entry e;

	return parse_chain(nh, &e) ? 0 : entries_push(ctx, &e);
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

int tpk_xt_tables(int pf, struct tpk_nf_entries *l)
{
	const char *path = pf == NFPROTO_IPV6 ? "/proc/net/ip6_tables_names"
					      : "/proc/net/ip_tables_names";
	struct tpk_nf_hook_entry e;
	char name[64];
	int err = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;	/* no ip_tables: no legacy tables */
	while (!err && fscanf(f, "%63s", name) == 1) {
		for (size_t t = 0; t < ARRAY_SIZE(xt_tables); t++) {
			if (strcmp(name, xt_tables[t].name))
				continue;
			for (int hook = 0; !err && hook < NF_INET_NUMHOOKS; hook++) {
				if (xt_tables[t].prio[hook] == 1)
					continue;
				memset(&e, 0, sizeof(e));
				e.family = pf;
				e.hook = hook;
				e.prio = xt_tables[t].prio[hook];
				e.nat = !strcmp(name, "nat");
				snprintf(e.table, sizeof(e.table), "%s", xt_tables[t].name);
				err = entries_push(l, &e);
			}
		}
	}
	fclose(f);
	return err;
}

static int by_prio(const void *a, const void *b)
{
	const struct tpk_nf_hook_entry *x = a, *y = b;

	/* Names break ties: candidates are listed the same way every run. */
	if (x->prio != y->prio)
		return (x->prio > y->prio) - (x->prio < y->prio);
	return strcmp(x->table, y->table);
}

/* Add name to a '|'-separated list unless it is there already. */
static void name_add(char *list, size_t len, const char *name)
{
	size_t nl = strlen(name), at = 0;

	while (list[at]) {
		size_t end = strcspn(list + at, "|");

		if (end == nl && !strncmp(list + at, name, nl))
			return;
		at += end + (list[at + end] == '|');
	}
	at = strlen(list);
	snprintf(list + at, len - at, "%s%s", at ? "|" : "", name);
}

int tpk_nf_tables_at(const struct tpk_nf_hook_entry *all, int n, int pf, int hook,
		     struct tpk_nf_table **out)
{
	struct tpk_nf_hook_entry *here = calloc(n ? n : 1, sizeof(*here));
	struct tpk_nf_table *t = calloc(n ? n : 1, sizeof(*t));
	int m = 0, k = 0;

	*out = NULL;
	if (!here || !t) {
		free(here);
		free(t);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++)
		if (all[i].hook == hook && (all[i].family == pf || all[i].family == NFPROTO_INET))
			here[m++] = all[i];
	qsort(here, m, sizeof(here[0]), by_prio);
	for (int i = 0; i < m; i++) {
		/* Tables one apart or at one priority cannot be told apart by
		 * probes between them: they share a position, and its line
		 * names them all. */
		if (k == 0 || here[i].prio - t[k - 1].prio >= 2) {
			t[k].prio = here[i].prio;
			t[k].nat = here[i].nat;
			t[k].pf = pf;
			t[k].hook = hook;
			k++;
		} else {
			t[k - 1].nat = t[k - 1].nat && here[i].nat;
		}
		t[k - 1].ncand++;
		name_add(t[k - 1].table, sizeof(t[k - 1].table), here[i].table);
		if (here[i].chain[0])
			name_add(t[k - 1].chain, sizeof(t[k - 1].chain), here[i].chain);
	}
	free(here);
	*out = t;
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
	return pos ? skel->progs.nf_next : skel->progs.nf_first;
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

static const char *pf_name(int pf)
{
	return pf == NFPROTO_IPV6 ? "ip6" : "ip";
}

/* Tables from position k on are not watched: say which, once, at start. */
static void note_unwatched(struct tpk_nfhook *nh, uint64_t netns, const struct tpk_nf_table *t,
			   int k, int n)
{
	static const char *const hooks[] = { "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING" };
	char *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);

	if (!f)
		return;
	fprintf(f, "%snetns %llu %s %s: %s, not watched:", nh->unwatched ? nh->unwatched : "",
		(unsigned long long)netns, pf_name(t[0].pf), hooks[t[0].hook % 5],
		"the hook is full (the kernel takes 1024 entries)");
	for (int i = k; i < n; i++)
		fprintf(f, " %s", t[i].table);
	fprintf(f, "\n");
	fclose(f);
	free(nh->unwatched);
	nh->unwatched = line;
}

static int keep_tables(struct tpk_nfhook *nh, uint64_t netns, struct tpk_nf_table *t, int n,
		       struct tpk_nf_layout *layout)
{
	struct tpk_nf_table *grown = realloc(nh->tables, (nh->ntables + n) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	nh->tables = grown;
	for (int k = 0; k < n; k++) {
		t[k].netns = netns;
		t[k].pos = k;
		nh->tables[nh->ntables++] = t[k];
		if (t[k].nat)
			layout->nat_mask[k / 64] |= 1ULL << (k % 64);
	}
	layout->ntables = n;
	return 0;
}

/* Probes around the tables of one hook in the current namespace. A probe
 * the kernel refuses (a hook holds 1024 entries) ends the watch there: the
 * table before it could not be told from those after. */
static int attach_hook(struct tracepkt_bpf *skel, struct tpk_nfhook *nh, uint64_t netns,
		       const struct tpk_nf_entries *all, int pf, int hook)
{
	struct tpk_nf_layout_key key = { .netns = netns, .pf = pf, .hook = hook };
	struct tpk_nf_layout layout = { 0 };
	struct tpk_nf_table *tables;
	int t, watched, err = 0;

	t = tpk_nf_tables_at(all->v, all->n, pf, hook, &tables);
	if (t <= 0) {
		free(tables);
		return t;
	}
	if (t > TPK_NF_MAXPOS - 1)
		t = TPK_NF_MAXPOS - 1;	/* cannot happen: the hook is full first */
	watched = t;
	for (int k = 0; k <= t; k++) {
		struct bpf_link *link = attach_between(skel, pf, hook, k, k ? tables[k - 1].prio : INT_MIN,
						       k < t ? tables[k].prio : INT_MAX, k < t);

		if (!link) {
			err = -errno;
			if (tpk_verbose)
				tpk_err_errno(err, "nfhook: netns %llu pf %d hook %d position %d",
					      (unsigned long long)netns, pf, hook, k);
			if (err != -E2BIG)
				goto out;
			watched = k ? k - 1 : 0;
			note_unwatched(nh, netns, tables, watched, t);
			err = 0;
			break;
		}
		err = add_link(nh, link);
		if (err)
			goto out;
	}
	if (watched)
		err = keep_tables(nh, netns, tables, watched, &layout);
	if (!err && watched)
		err = bpf_map__update_elem(skel->maps.nf_layout, &key, sizeof(key), &layout,
					   sizeof(layout), BPF_ANY);
out:
	free(tables);
	return err;
}

/* Every table of the current namespace. */
static int attach_netns(struct tracepkt_bpf *skel, struct tpk_nfhook *nh, uint64_t netns)
{
	static const int pfs[] = { NFPROTO_IPV4, NFPROTO_IPV6 };
	struct tpk_nf_entries all = { 0 };
	int err;

	err = tpk_nft_base_chains(&all);
	for (size_t p = 0; !err && p < ARRAY_SIZE(pfs); p++)
		err = tpk_xt_tables(pfs[p], &all);
	for (size_t p = 0; !err && p < ARRAY_SIZE(pfs); p++)
		for (int hook = 0; !err && hook < NF_INET_NUMHOOKS; hook++)
			err = attach_hook(skel, nh, netns, &all, pfs[p], hook);
	free(all.v);
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
	free(nh->unwatched);
	memset(nh, 0, sizeof(*nh));
}

const struct tpk_nf_table *tpk_nfhook_table(const struct tpk_nfhook *nh,
					    const struct tpk_event *e)
{
	for (int i = 0; i < nh->ntables; i++) {
		const struct tpk_nf_table *t = &nh->tables[i];

		if (t->netns == e->hook_netns && t->pf == e->nf_pf && t->hook == e->hook &&
		    t->pos == e->nf_pos)
			return t;
	}
	return NULL;
}
