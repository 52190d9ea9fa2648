// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pins.h"
#include "state.h"
#include "sys.h"
#include "util.h"
#include "xdpblock.skel.h"

/* Keys per batch syscall: bounds the buffers on machines with many CPUs. */
#define BATCH	4096

static const struct {
	const char *name;
	enum bpf_map_type type;
	uint32_t key_size, value_size;
} maps[XB_MAP_MAX] = {
	[XB_MAP_V4] = { "rules_v4", BPF_MAP_TYPE_LPM_TRIE, sizeof(struct xdpb_key4), sizeof(struct xdpb_rules) },
	[XB_MAP_V6] = { "rules_v6", BPF_MAP_TYPE_LPM_TRIE, sizeof(struct xdpb_key), sizeof(struct xdpb_rules) },
	[XB_MAP_STATS] = { "stats", BPF_MAP_TYPE_PERCPU_HASH, sizeof(uint32_t), sizeof(struct xdpb_counter) },
	[XB_MAP_TOTALS] = { "totals", BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(uint32_t), sizeof(struct xdpb_counter) },
	[XB_MAP_META] = { "meta", BPF_MAP_TYPE_ARRAY, sizeof(uint32_t), sizeof(struct xdpb_meta) },
};

static void map_path(const struct xb_state *s, int i, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", s->dir, maps[i].name);
}

static void close_maps(struct xb_state *s)
{
	for (int i = 0; i < XB_MAP_MAX; i++) {
		if (s->fd[i] >= 0)
			close(s->fd[i]);
		s->fd[i] = -1;
	}
}

static int open_maps(struct xb_state *s)
{
	char path[PATH_MAX + 16];

	for (int i = 0; i < XB_MAP_MAX; i++) {
		struct bpf_map_info info = { 0 };
		uint32_t len = sizeof(info);
		int fd;

		map_path(s, i, path, sizeof(path));
		fd = bpf_obj_get(path);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			tpk_err_errno(errno, "cannot open %s", path);
			return -errno;
		}
		s->fd[i] = fd;
		if (bpf_map_get_info_by_fd(fd, &info, &len) || info.type != maps[i].type ||
		    info.key_size != maps[i].key_size || info.value_size != maps[i].value_size) {
			tpk_err("%s is not this xdpblock's map; detach everywhere and remove %s",
				path, s->dir);
			return -EINVAL;
		}
	}
	return 0;
}

bool xb_state_has_maps(const struct xb_state *s)
{
	for (int i = 0; i < XB_MAP_MAX; i++)
		if (s->fd[i] < 0)
			return false;
	return true;
}

/* flock the folder; a flush may remove it while we wait, so check that the
 * folder we locked is still the one at that path. */
int xb_state_name(const char **name)
{
	const char *env = getenv("XDPBLOCK_PINS");

	*name = "xdpblock";
	if (!env || !*env)
		return 0;
	/* bpffs refuses '.' in any name it holds. */
	if (strlen(env) > 64 ||
	    strspn(env, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != strlen(env)) {
		tpk_err("invalid XDPBLOCK_PINS '%s' (a folder name: letters, digits, '_', '-')", env);
		return -TPK_EINPUT;
	}
	*name = env;
	return 0;
}

int xb_state_open(struct xb_state *s, enum xb_open how)
{
	struct xdpblock_bpf *skel = NULL;
	char base[PATH_MAX - 80];
	const char *name;
	int err;

	s->dir_fd = -1;
	for (int i = 0; i < XB_MAP_MAX; i++)
		s->fd[i] = -1;
	err = xb_state_name(&name);
	if (!err)
		err = tpk_bpffs_persistent(base, sizeof(base));
	if (err)
		return err;
	snprintf(s->dir, sizeof(s->dir), "%s/%s", base, name);
	if (how != XB_READ) {
		err = tpk_lock_dir(s->dir, how == XB_CREATE, &s->dir_fd);
		if (err)
			return err;
	}
	err = open_maps(s);
	if (err || how != XB_CREATE || xb_state_has_maps(s))
		return err;
	/* Load without the program: libbpf makes and pins the missing maps. */
	err = xb_state_load(s, XB_PROG_NONE, &skel);
	xdpblock_bpf__destroy(skel);
	if (err)
		return err;
	close_maps(s);
	return open_maps(s);
}

void xb_state_close(struct xb_state *s)
{
	close_maps(s);
	if (s->dir_fd >= 0)
		close(s->dir_fd);	/* drops the lock */
	s->dir_fd = -1;
}

int xb_prog_choose(enum xb_prog *p)
{
	const char *env = getenv("XDPBLOCK_WALK");

	if (env && *env) {
		if (!strcmp(env, "loop")) {
			*p = XB_PROG_LOOP;
		} else if (!strcmp(env, "bounded")) {
			*p = XB_PROG_BOUNDED;
		} else {
			tpk_err("invalid XDPBLOCK_WALK '%s' (loop or bounded)", env);
			return -TPK_EINPUT;
		}
		return 0;
	}
	/* Probed, not read from the kernel's version: distribution kernels
	 * backport helpers. 0 means the verifier does not know bpf_loop; a
	 * failed probe (an error) keeps the default, whose load then says
	 * what is wrong. */
	*p = libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP, BPF_FUNC_loop, NULL) == 0 ?
		XB_PROG_BOUNDED : XB_PROG_LOOP;
	return 0;
}

struct bpf_program *xb_prog_get(struct xdpblock_bpf *skel, enum xb_prog p)
{
	switch (p) {
	case XB_PROG_LOOP: return skel->progs.xdpblock;
	case XB_PROG_BOUNDED: return skel->progs.xdpblock_bound;
	case XB_PROG_NONE: break;
	}
	return NULL;
}

int xb_state_load(struct xb_state *s, enum xb_prog p, struct xdpblock_bpf **out)
{
	char path[PATH_MAX + 16];
	struct xdpblock_bpf *skel;
	struct bpf_map *map;
	int err;

	*out = NULL;
	skel = xdpblock_bpf__open();
	if (!skel) {
		err = -errno;
		tpk_err_errno(err, "cannot open the BPF object");
		return err;
	}
	bpf_object__for_each_map(map, skel->obj) {
		snprintf(path, sizeof(path), "%s/%s", s->dir, bpf_map__name(map));
		err = bpf_map__set_pin_path(map, path);
		if (err) {
			tpk_err_errno(err, "cannot pin %s", path);
			goto fail;
		}
	}
	/* At most one copy: the other may not even load on this kernel. */
	bpf_program__set_autoload(skel->progs.xdpblock, p == XB_PROG_LOOP);
	bpf_program__set_autoload(skel->progs.xdpblock_bound, p == XB_PROG_BOUNDED);
	/* -v: the verifier's statistics too (instructions processed, states);
	 * its error messages come at this level as well. */
	if (p != XB_PROG_NONE && tpk_verbose)
		bpf_program__set_log_level(xb_prog_get(skel, p), 4 /* BPF_LOG_STATS */);
	err = xdpblock_bpf__load(skel);
	/* Name what the kernel lacks when that is why. */
	if (err && p != XB_PROG_NONE &&
	    libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP, BPF_FUNC_loop, NULL) == 0) {
		tpk_err_errno(err, "cannot load the XDP program: this kernel has no bpf_loop (5.17+)%s",
			      p == XB_PROG_BOUNDED ?
			      ", and its verifier refused the bounded loop (5.6+) that stands in for it (-v shows why)" :
			      ", which XDPBLOCK_WALK=loop asks for");
		goto fail;
	}
	if (err) {
		tpk_err_errno(err, "cannot load the BPF object into %s (-v shows libbpf's log)", s->dir);
		goto fail;
	}
	*out = skel;
	return 0;
fail:
	xdpblock_bpf__destroy(skel);
	return err;
}

/* Exact-prefix read of an LPM trie: a trie lookup answers with the longest
 * matching prefix, which is ours only if its length is. */
static int trie_get(void *ctx, int family, const struct xdpb_key *k, struct xdpb_rules *out)
{
	struct xb_state *s = ctx;
	int fd = s->fd[family == AF_INET ? XB_MAP_V4 : XB_MAP_V6];

	if (fd < 0)
		return -ENOENT;
	if (bpf_map_lookup_elem(fd, k, out))
		return errno == ENOENT ? -ENOENT : -errno;
	return out->prefixlen == k->prefixlen ? 0 : -ENOENT;
}

/* Kernels without batch support for a map type say so with one of these. */
static bool no_batch(int err)
{
	return err == -EOPNOTSUPP || err == -ENOTSUP || err == -524 /* ENOTSUPP */ || err == -EINVAL;
}

/* Writes n (key, value) pairs, batched when the kernel can; returns how
 * many went in through *done. */
static int update_many(int fd, const void *keys, size_t ksize, const void *vals, size_t vsize,
		       size_t n, size_t *done)
{
	bool batch = true;
	size_t i = 0;
	int err;

	while (batch && i < n) {
		uint32_t cnt = n - i < BATCH ? n - i : BATCH, want = cnt;

		err = bpf_map_update_batch(fd, (const char *)keys + i * ksize,
					   (const char *)vals + i * vsize, &cnt, NULL);
		if (err) {
			err = -errno;
			/* A kernel that stops part way says how far it got, so
			 * cnt < want; one without batch updates for this map
			 * (5.10's tries: ENOTSUPP) leaves cnt as it was, or 0. */
			if (!no_batch(err) || (cnt && cnt != want)) {
				*done = i + cnt;
				return err;
			}
			batch = false;
			continue;
		}
		i += cnt;
	}
	for (; i < n; i++) {
		if (bpf_map_update_elem(fd, (const char *)keys + i * ksize,
					(const char *)vals + i * vsize, BPF_ANY)) {
			*done = i;
			return -errno;
		}
	}
	*done = n;
	return 0;
}

static void delete_ids(struct xb_state *s, const uint32_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(s->fd[XB_MAP_STATS], &ids[i]);
}

/* Puts back the first n trie entries of the plan as they were. */
static void rollback(struct xb_state *s, const struct xb_plan *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct xb_update *u = &p->u[i];
		int fd = s->fd[u->family == AF_INET ? XB_MAP_V4 : XB_MAP_V6];

		if (u->had_old)
			bpf_map_update_elem(fd, &u->key, &u->old, BPF_ANY);
		else
			bpf_map_delete_elem(fd, &u->key);
	}
}

/* The plan's trie writes, both families; all or nothing. */
static int apply_tries(struct xb_state *s, const struct xb_plan *p)
{
	struct xdpb_key *keys = NULL;
	struct xdpb_rules *vals = NULL;
	size_t i = 0, done;
	int err = 0;

	/* Deletions one by one (100k take about a second); updates batched
	 * per family, in runs. */
	while (i < p->n) {
		const struct xb_update *u = &p->u[i];
		int fd = s->fd[u->family == AF_INET ? XB_MAP_V4 : XB_MAP_V6];
		size_t ksize = u->family == AF_INET ? sizeof(struct xdpb_key4) : sizeof(struct xdpb_key);
		size_t run = 0;

		if (!u->new.count) {
			if (bpf_map_delete_elem(fd, &u->key) && errno != ENOENT) {
				err = -errno;
				break;
			}
			i++;
			continue;
		}
		if (!keys) {
			keys = malloc(BATCH * sizeof(*keys));
			vals = malloc(BATCH * sizeof(*vals));
			if (!keys || !vals) {
				err = -ENOMEM;
				break;
			}
		}
		while (i + run < p->n && run < BATCH && p->u[i + run].family == u->family &&
		       p->u[i + run].new.count) {
			memcpy((char *)keys + run * ksize, &p->u[i + run].key, ksize);
			vals[run] = p->u[i + run].new;
			run++;
		}
		err = update_many(fd, keys, ksize, vals, sizeof(*vals), run, &done);
		if (err) {
			i += done;
			break;
		}
		i += run;
	}
	free(keys);
	free(vals);
	if (err)
		rollback(s, p, i + 1 <= p->n ? i + 1 : p->n);
	return err;
}

static int write_next_id(struct xb_state *s, uint32_t next)
{
	struct xdpb_meta m = { .next_id = next };
	uint32_t zero = 0;

	if (bpf_map_update_elem(s->fd[XB_MAP_META], &zero, &m, BPF_ANY))
		return -errno;
	return 0;
}

int xb_state_add(struct xb_state *s, const struct xb_rule *rules, size_t n, size_t *added,
		 size_t *skipped)
{
	struct xdpb_meta m = { 0 };
	struct xb_plan p;
	uint32_t zero = 0, next;
	sigset_t held;
	char why[512];
	int err;

	if (bpf_map_lookup_elem(s->fd[XB_MAP_META], &zero, &m)) {
		err = -errno;
		tpk_err_errno(err, "cannot read %s/meta", s->dir);
		return err;
	}
	next = m.next_id ? m.next_id : 1;
	err = xb_plan_add(rules, n, &next, trie_get, s, &p, why, sizeof(why));
	if (err) {
		tpk_err("%s", why);
		return err;
	}
	/* Ids are never handed out twice, even if what follows fails. The
	 * file's rules go in whole: a signal waits until they are in. */
	tpk_signals_hold(&held);
	err = write_next_id(s, next);
	if (!err)
		err = apply_tries(s, &p);
	tpk_signals_release(&held);
	if (err)
		tpk_err_errno(err, "cannot add the rules (nothing was added)");
	*added = p.n_ids;
	*skipped = p.skipped;
	xb_plan_free(&p);
	return err;
}

int xb_state_remove(struct xb_state *s, const struct xb_rule *rules, size_t n, size_t *removed,
		    size_t *repeated)
{
	struct xb_plan p;
	sigset_t held;
	char why[512];
	int err;

	/* Without maps every rule is missing, and the plan says which first. */
	err = xb_plan_remove(rules, n, trie_get, s, &p, why, sizeof(why));
	if (err) {
		tpk_err("%s", why);
		return err;
	}
	tpk_signals_hold(&held);
	err = p.n ? apply_tries(s, &p) : 0;
	if (!err)
		delete_ids(s, p.ids, p.n_ids);
	tpk_signals_release(&held);
	if (err)
		tpk_err_errno(err, "cannot remove the rules (nothing was removed)");
	*removed = p.n_ids;
	*repeated = p.skipped;
	xb_plan_free(&p);
	return err;
}

static void read_counter(int fd, uint32_t key, struct xdpb_counter *sum)
{
	uint64_t v[2];

	tpk_percpu_sum(fd, &key, 2, v);
	sum->packets = v[0];
	sum->bytes = v[1];
}

static int cmp_row_id(const void *a, const void *b)
{
	uint32_t x = ((const struct xb_row *)a)->m.id, y = ((const struct xb_row *)b)->m.id;

	return x < y ? -1 : x > y;
}

int xb_state_rows(struct xb_state *s, struct xb_row **out, size_t *n_out)
{
	static const int fams[2] = { AF_INET, AF_INET6 };
	struct xb_row *rows = NULL;
	size_t n = 0, cap = 0;

	*out = NULL;
	*n_out = 0;
	if (!xb_state_has_maps(s))
		return 0;
	for (int f = 0; f < 2; f++) {
		int fd = s->fd[f == 0 ? XB_MAP_V4 : XB_MAP_V6];
		struct xdpb_key key = { 0 }, next = { 0 };
		struct xdpb_rules v;
		bool first = true;

		while (!bpf_map_get_next_key(fd, first ? NULL : &key, &next)) {
			first = false;
			key = next;
			if (bpf_map_lookup_elem(fd, &key, &v) || v.prefixlen != key.prefixlen)
				continue;
			for (uint32_t i = 0; i < v.count && i < XDPB_MAX_MATCHES; i++) {
				if (n == cap) {
					struct xb_row *nr;

					cap = cap ? cap * 2 : 256;
					nr = realloc(rows, cap * sizeof(*rows));
					if (!nr) {
						free(rows);
						tpk_err("out of memory");
						return -ENOMEM;
					}
					rows = nr;
				}
				rows[n].family = fams[f];
				rows[n].key = key;
				rows[n].m = v.m[i];
				read_counter(s->fd[XB_MAP_STATS], v.m[i].id, &rows[n].c);
				n++;
			}
		}
	}
	if (n)	/* qsort(NULL, 0) is undefined */
		qsort(rows, n, sizeof(*rows), cmp_row_id);
	*out = rows;
	*n_out = n;
	return 0;
}

int xb_state_totals(struct xb_state *s, struct xdpb_counter t[XDPB_T_MAX])
{
	for (uint32_t i = 0; i < XDPB_T_MAX; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		if (s->fd[XB_MAP_TOTALS] >= 0)
			read_counter(s->fd[XB_MAP_TOTALS], i, &t[i]);
	}
	return 0;
}

/* Deletes every key of a hash or trie map. */
static int empty_map(int fd)
{
	char key[sizeof(struct xdpb_key)];

	while (!bpf_map_get_next_key(fd, NULL, key))
		if (bpf_map_delete_elem(fd, key) && errno != ENOENT)
			return -errno;
	return errno == ENOENT ? 0 : -errno;
}

int xb_state_flush(struct xb_state *s, bool unpin)
{
	char path[PATH_MAX + 16];
	int err = 0;

	if (!unpin) {
		/* Rules first, so no packet meets a rule without its counter. */
		static const int order[] = { XB_MAP_V4, XB_MAP_V6, XB_MAP_STATS };

		/* meta keeps the next id: ids are never reused while pinned. */
		for (size_t i = 0; i < ARRAY_SIZE(order) && !err; i++)
			if (s->fd[order[i]] >= 0)
				err = empty_map(s->fd[order[i]]);
		if (err)
			tpk_err_errno(err, "cannot flush the rules");
		return err;
	}
	/* Nothing runs the program any more: dropping the pins frees it all. */
	for (int i = 0; i < XB_MAP_MAX; i++) {
		map_path(s, i, path, sizeof(path));
		if (unlink(path) && errno != ENOENT) {
			err = -errno;
			tpk_err_errno(err, "cannot remove %s", path);
		}
	}
	close_maps(s);
	if (!err && rmdir(s->dir) && errno != ENOENT) {
		err = -errno;
		tpk_err_errno(err, "cannot remove %s", s->dir);
	}
	return err;
}
