// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "tracepkt.h"
#include "verdicts.h"
#include "tracepkt.skel.h"
#include "tracepkt_verdict.skel.h"

#define NOTE(v, ...) do { if (!(v)->why[0]) snprintf((v)->why, sizeof((v)->why), __VA_ARGS__); } while (0)

/* The name of program fd's main function in its BTF: fexit's target is
 * named so (the program's own name is cut at 15 bytes). */
static int main_func(int fd, const struct bpf_prog_info *info, char *name, size_t len)
{
	struct bpf_func_info fi[1];
	struct bpf_prog_info more = {
		.nr_func_info = 1,
		.func_info_rec_size = sizeof(fi[0]),
		.func_info = (__u64)(unsigned long)fi,
	};
	__u32 more_len = sizeof(more);
	const struct btf_type *t;
	struct btf *btf;
	int err = -ENOENT;

	if (!info->btf_id || !info->nr_func_info)
		return -ENOENT;
	if (bpf_prog_get_info_by_fd(fd, &more, &more_len))
		return -errno;
	btf = btf__load_from_kernel_by_id(info->btf_id);
	if (!btf)
		return -errno;
	t = btf__type_by_id(btf, fi[0].type_id);
	if (t && btf_is_func(t)) {
		snprintf(name, len, "%s", btf__name_by_offset(btf, t->name_off));
		err = 0;
	}
	btf__free(btf);
	return err;
}

/* tracepkt's maps and filters, lent to one verdict object before load. */
static int lend(struct tracepkt_verdict_bpf *s, struct tracepkt_bpf *main)
{
	int err;

	err = bpf_map__reuse_fd(s->maps.events, bpf_map__fd(main->maps.events));
	if (!err)
		err = bpf_map__reuse_fd(s->maps.lost, bpf_map__fd(main->maps.lost));
	if (!err)
		err = bpf_map__reuse_fd(s->maps.track_skb, bpf_map__fd(main->maps.track_skb));
	if (!err)
		err = bpf_map__reuse_fd(s->maps.track_flow, bpf_map__fd(main->maps.track_flow));
	s->rodata->filter_netns = main->rodata->filter_netns;
	memcpy((void *)s->rodata->filter_ifname, (const void *)main->rodata->filter_ifname,
	       sizeof(s->rodata->filter_ifname));
	s->rodata->pidns_dev = main->rodata->pidns_dev;
	s->rodata->pidns_ino = main->rodata->pidns_ino;
	return err;
}

/* Load an fexit program on program fd (type type, main function func) and
 * attach it: into *t, or a negative errno. */
static int watch(struct tpk_verdict_target *t, int fd, enum bpf_prog_type type, const char *func,
		 struct tracepkt_bpf *main)
{
	struct tracepkt_verdict_bpf *s = tracepkt_verdict_bpf__open();
	struct bpf_program *want, *p;
	int err;

	if (!s)
		return -errno;
	want = type == BPF_PROG_TYPE_XDP ? s->progs.xdp_verdict : s->progs.tc_verdict;
	bpf_object__for_each_program(p, s->obj)
		bpf_program__set_autoload(p, p == want);
	s->rodata->prog_id = t->id;
	err = main ? lend(s, main) : 0;
	if (!err)
		err = bpf_program__set_attach_target(want, fd, func);
	if (!err)
		err = tracepkt_verdict_bpf__load(s);
	if (!err) {
		t->link = bpf_program__attach(want);
		err = t->link ? 0 : -errno;
	}
	if (err) {
		tracepkt_verdict_bpf__destroy(s);
		return err;
	}
	t->skel = s;
	return 0;
}

/* Program id, if it is a tc or XDP program with BTF: watched. */
static void consider(struct tpk_verdicts *v, __u32 id, struct tracepkt_bpf *main)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct tpk_verdict_target *t;
	char func[128];
	int fd, err;

	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return;
	if (bpf_prog_get_info_by_fd(fd, &info, &len) ||
	    (info.type != BPF_PROG_TYPE_SCHED_CLS && info.type != BPF_PROG_TYPE_SCHED_ACT &&
	     info.type != BPF_PROG_TYPE_XDP))
		goto out;
	v->candidates++;
	if (v->n >= TPK_VERDICTS_MAX) {
		NOTE(v, "more than %d tc and XDP programs: the others' verdicts are not shown",
		     TPK_VERDICTS_MAX);
		goto out;
	}
	err = main_func(fd, &info, func, sizeof(func));
	if (err) {
		NOTE(v, "%.15s#%u: no BTF to attach to", info.name, id);
		goto out;
	}
	t = &v->t[v->n];
	*t = (struct tpk_verdict_target){ .id = id };
	snprintf(t->name, sizeof(t->name), "%.15s", info.name);
	err = watch(t, fd, info.type, func, main);
	if (err)
		NOTE(v, "fexit on %s#%u: %s", t->name, id, strerror(-err));
	else
		v->n++;
out:
	close(fd);
}

int tpk_verdicts_start(struct tpk_verdicts *v, struct tracepkt_bpf *main)
{
	__u32 id = 0;

	memset(v, 0, sizeof(*v));
	while (!bpf_prog_get_next_id(id, &id))
		consider(v, id, main);
	return v->n;
}

void tpk_verdicts_stop(struct tpk_verdicts *v)
{
	for (int i = 0; i < v->n; i++) {
		bpf_link__destroy(v->t[i].link);
		tracepkt_verdict_bpf__destroy(v->t[i].skel);
	}
	v->n = 0;
}

const struct tpk_verdict_target *tpk_verdicts_find(const struct tpk_verdicts *v, unsigned int id)
{
	for (int i = 0; i < v->n; i++)
		if (v->t[i].id == id)
			return &v->t[i];
	return NULL;
}

bool tpk_verdicts_probe(char *why, size_t len)
{
	struct tracepkt_verdict_bpf *s = tracepkt_verdict_bpf__open();
	struct tpk_verdict_target t = {};
	struct bpf_program *p;
	struct bpf_map *m;
	int err;

	if (!s) {
		snprintf(why, len, "open: %s", strerror(errno));
		return false;
	}
	bpf_object__for_each_program(p, s->obj)
		bpf_program__set_autoload(p, p == s->progs.verdict_probe_target);
	bpf_object__for_each_map(m, s->obj)
		bpf_map__set_autocreate(m, false);
	err = tracepkt_verdict_bpf__load(s);
	if (err) {
		snprintf(why, len, "a tc program: load: %s", strerror(-err));
	} else {
		err = watch(&t, bpf_program__fd(s->progs.verdict_probe_target), BPF_PROG_TYPE_SCHED_CLS,
			    "verdict_probe_target", NULL);
		if (err)
			snprintf(why, len, "fexit on a tc program: %s", strerror(-err));
		else
			snprintf(why, len, "fexit on a tc program");
	}
	bpf_link__destroy(t.link);
	tracepkt_verdict_bpf__destroy(t.skel);
	tracepkt_verdict_bpf__destroy(s);
	return !err;
}
