// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "netns.h"
#include "nfhook.h"
#include "nfnames.h"
#include "nftables.h"
#include "util.h"
#include "xtables.h"
#include "tracepkt.skel.h"

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
	char *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);

	if (!f)
		return;
	fprintf(f, "%snetns %llu %s %s: %s, not watched:", nh->unwatched ? nh->unwatched : "",
		(unsigned long long)netns, pf_name(t[0].pf), tpk_hook_name(t[0].hook),
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

struct attach_ctx {
	struct tracepkt_bpf *skel;
	struct tpk_nfhook *nh;
};

/* Every table of the current namespace. */
static int attach_netns(uint64_t netns, void *ctx)
{
	static const int pfs[] = { NFPROTO_IPV4, NFPROTO_IPV6 };
	const struct attach_ctx *c = ctx;
	struct tpk_nf_entries all = { 0 };
	int err;

	c->nh->nnetns++;
	err = tpk_nft_base_chains(&all);
	for (size_t p = 0; !err && p < ARRAY_SIZE(pfs); p++)
		err = tpk_xt_tables(pfs[p], &all);
	for (size_t p = 0; !err && p < ARRAY_SIZE(pfs); p++)
		for (int hook = 0; !err && hook < NF_INET_NUMHOOKS; hook++)
			err = attach_hook(c->skel, c->nh, netns, &all, pfs[p], hook);
	free(all.v);
	return err;
}

int tpk_nfhook_attach(struct tracepkt_bpf *skel, struct tpk_nfhook *nh)
{
	struct attach_ctx c = { skel, nh };
	int err;

	memset(nh, 0, sizeof(*nh));
	err = tpk_netns_each(attach_netns, &c);
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
