// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "pins.h"
#include "sys.h"
#include "tcfilters.h"
#include "util.h"
#include "tcdrop.skel.h"

static const char *dir_name(int dir)
{
	return dir == TCDROP_EGRESS ? "egress" : "ingress";
}

bool tcdrop_tcx_supported(void)
{
	LIBBPF_OPTS(bpf_prog_query_opts, q);

	return bpf_prog_query_opts(1, BPF_TCX_INGRESS, &q) == 0;
}

static void hook_init(struct bpf_tc_hook *hook, int ifindex, int dir)
{
	memset(hook, 0, sizeof(*hook));
	hook->sz = sizeof(*hook);
	hook->ifindex = ifindex;
	hook->attach_point = dir == TCDROP_EGRESS ? BPF_TC_EGRESS : BPF_TC_INGRESS;
}

static void filter_init(struct bpf_tc_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	o->handle = TCDROP_TC_HANDLE;
	o->priority = TCDROP_TC_PRIO;
}

/* tcdrop made the clsact qdisc of ifindex, per one of its attachments. */
static bool own_qdisc(int ifindex)
{
	struct tcdrop_entry *v;
	bool own = false;
	int n = tcdrop_store_list(&v);

	for (int i = 0; i < n; i++)
		if (v[i].info.ifindex == (__u32)ifindex && v[i].info.mech == TCDROP_LEGACY &&
		    v[i].info.own_qdisc)
			own = true;
	free(v);
	return own;
}

/* Delete the clsact qdisc if tcdrop made it and nothing is left on it:
 * bpf_tc_hook_destroy would flush whatever others have there. */
static void qdisc_cleanup(int ifindex, bool own)
{
	struct bpf_tc_hook hook;
	int in, out;

	if (!own)
		return;
	in = tpk_tc_filter_count(ifindex, false);
	out = tpk_tc_filter_count(ifindex, true);
	if (in || out)
		return;
	hook_init(&hook, ifindex, TCDROP_INGRESS);
	hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
	bpf_tc_hook_destroy(&hook);
}

static int pin_map(struct bpf_map *map, const char *entry, const char *name)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%s", entry, name);
	return bpf_map__pin(map, path);
}

/* tcdrop's filter on the hook: its prog id, 0 when absent, or -errno. */
static int legacy_prog_id(int ifindex, int dir)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;
	int err;

	hook_init(&hook, ifindex, dir);
	filter_init(&opts);
	err = bpf_tc_query(&hook, &opts);
	if (err == -ENOENT || err == -EINVAL || err == -ENODEV)
		return 0;
	return err ? err : (int)opts.prog_id;
}

static bool device_is(const struct tcdrop_info *i)
{
	char name[IF_NAMESIZE];

	return if_indextoname(i->ifindex, name) != NULL;
}

/* Take an entry apart, in the order that keeps it recoverable: the kernel's
 * link or filter (only tcdrop's own program: info->prog_id), the clsact
 * qdisc if tcdrop made it and nothing is left on it, then the pins, info
 * last. info is NULL for a folder killed before its info was pinned: the
 * kernel holds nothing of it then, but a link pin of an older tcdrop. */
static int undo(const char *entry, const struct tcdrop_info *info)
{
	char path[PATH_MAX + 16];
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;
	int fd, id, err;

	snprintf(path, sizeof(path), "%s/link", entry);
	fd = bpf_obj_get(path);
	/* Detach now, even if some process still holds the link open. */
	if (fd >= 0) {
		bpf_link_detach(fd);
		close(fd);
	}
	if (info && info->mech == TCDROP_LEGACY && device_is(info)) {
		id = legacy_prog_id(info->ifindex, info->dir);
		if (id > 0 && (__u32)id == info->prog_id) {
			hook_init(&hook, info->ifindex, info->dir);
			filter_init(&opts);
			err = bpf_tc_detach(&hook, &opts);
			if (err) {
				tpk_err_errno(err, "cannot delete tcdrop's tc filter on %s %s",
					      info->ifname, dir_name(info->dir));
				return err;
			}
		}
		qdisc_cleanup(info->ifindex, info->own_qdisc || own_qdisc(info->ifindex));
	}
	return tcdrop_store_remove(entry);
}

/* The visible folder is the claim on DEV+direction: a second attach stops
 * there. The hidden one is built first (see tcdrop_entry_hidden). */
static int claim(const char *entry, const char *hidden)
{
	if (!access(entry, F_OK))
		return -EEXIST;
	return mkdir(hidden, 0700) ? -errno : 0;
}

/* Record the attachment before the kernel holds anything of it: from here
 * on, whatever a kill leaves can be found and undone (tcdrop_recover). */
static int pin_info(struct tcdrop_bpf *skel, const char *entry, const struct tcdrop_info *info)
{
	__u32 zero = 0;
	int err;

	err = bpf_map_update_elem(bpf_map__fd(skel->maps.info), &zero, info, BPF_ANY) ? -errno : 0;
	if (!err)
		err = pin_map(skel->maps.counters, entry, "counters");
	if (!err)
		err = pin_map(skel->maps.info, entry, "info");
	return err;
}

static int load(struct tcdrop_bpf **out, const struct tcdrop_target *t, __u32 *prog_id)
{
	struct tcdrop_bpf *skel = tcdrop_bpf__open();
	struct bpf_prog_info pinfo = { 0 };
	__u32 plen = sizeof(pinfo);
	int err;

	*out = skel;
	if (!skel) {
		err = -errno;
		tpk_err_errno(err, "cannot open BPF object");
		return err;
	}
	skel->rodata->cfg = t->cfg;
	/* The kernel wants tcx programs loaded for their hook; iproute2 loads the
	 * same section with no attach type, which cls_bpf accepts. */
	if (t->mech == TCDROP_TCX)
		bpf_program__set_expected_attach_type(skel->progs.tcdrop,
			t->dir == TCDROP_EGRESS ? BPF_TCX_EGRESS : BPF_TCX_INGRESS);
	err = tcdrop_bpf__load(skel);
	if (err) {
		tpk_err_errno(err, "cannot load the BPF program (-v shows libbpf's log)");
		return err;
	}
	err = bpf_prog_get_info_by_fd(bpf_program__fd(skel->progs.tcdrop), &pinfo, &plen);
	if (err)
		tpk_err_errno(err, "cannot read the loaded program's id");
	*prog_id = pinfo.id;
	return err;
}

static int attach_tcx(struct tcdrop_bpf *skel, const struct tcdrop_target *t, const char *entry)
{
	char path[PATH_MAX + 16];
	struct bpf_link *link;
	int err;

	link = bpf_program__attach_tcx(skel->progs.tcdrop, t->ifindex, NULL);
	if (!link) {
		err = -errno;
		tpk_err_errno(err, "cannot attach a tcx link to %s %s", t->ifname, dir_name(t->dir));
		return err;
	}
	snprintf(path, sizeof(path), "%s/link", entry);
	err = bpf_link__pin(link, path);
	if (err)
		tpk_err_errno(err, "cannot pin in %s", entry);
	bpf_link__destroy(link);	/* the pin keeps it, or it goes with its fd */
	return err;
}

static int attach_legacy(struct tcdrop_bpf *skel, const struct tcdrop_target *t,
			 const char *entry, struct tcdrop_info *info, bool had_qdisc)
{
	char path[PATH_MAX + 16];
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;
	int err;

	hook_init(&hook, t->ifindex, t->dir);
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		tpk_err_errno(err, "cannot add a clsact qdisc to %s", t->ifname);
		return err;
	}
	if (err && !had_qdisc && info->own_qdisc && !own_qdisc(t->ifindex)) {
		/* Someone else made it since we looked. */
		info->own_qdisc = 0;
		err = tcdrop_info_write(entry, info);
		if (err) {
			tpk_err_errno(err, "cannot update %s", entry);
			return err;
		}
	}
	filter_init(&opts);
	opts.prog_fd = bpf_program__fd(skel->progs.tcdrop);
	err = bpf_tc_attach(&hook, &opts);
	if (err == -EEXIST) {
		tpk_err("%s %s: a tc filter already has tcdrop's pref %u handle 0x%x "
			"(left over? tc filter del dev %s %s pref %u)", t->ifname,
			dir_name(t->dir), TCDROP_TC_PRIO, TCDROP_TC_HANDLE,
			t->ifname, dir_name(t->dir), TCDROP_TC_PRIO);
		err = -TPK_EINPUT;
	} else if (err)
		tpk_err_errno(err, "cannot add a tc filter on %s %s", t->ifname, dir_name(t->dir));
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/prog", entry);
	err = bpf_program__pin(skel->progs.tcdrop, path);
	if (err)
		tpk_err_errno(err, "cannot pin in %s", entry);
	return err;
}

int tcdrop_attach(const struct tcdrop_target *t)
{
	char entry[PATH_MAX], hidden[PATH_MAX];
	struct tcdrop_bpf *skel = NULL;
	struct tcdrop_info info = { 0 };
	bool had_qdisc = false, made = false;
	int err;

	tcdrop_entry_path(entry, sizeof(entry), t->ifname, t->ifindex, t->dir);
	tcdrop_entry_hidden(entry, hidden, sizeof(hidden));
	info.magic = TCDROP_MAGIC;
	info.ifindex = t->ifindex;
	info.netns = tpk_netns_self_inode();
	info.attached = time(NULL);
	info.dir = t->dir;
	info.mech = t->mech;
	info.cfg = t->cfg;
	snprintf(info.ifname, sizeof(info.ifname), "%s", t->ifname);
	if (t->mech == TCDROP_LEGACY) {
		err = tpk_clsact_present(t->ifindex);
		if (err < 0) {
			tpk_err_errno(err, "cannot list the qdiscs of %s", t->ifname);
			return err;
		}
		had_qdisc = err;
		info.own_qdisc = own_qdisc(t->ifindex) || !had_qdisc;
	}

	err = tpk_mkdir_p(tcdrop_store_dir());
	if (err) {
		tpk_err_errno(err, "cannot create %s", tcdrop_store_dir());
		return err;
	}
	err = claim(entry, hidden);
	if (err) {
		if (err != -EEXIST) {
			tpk_err_errno(err, "cannot create %s", hidden);
			return err;
		}
		tpk_err("%s %s: already attached (see tcdrop status %s)", t->ifname,
			dir_name(t->dir), t->ifname);
		return -TPK_EINPUT;
	}
	made = true;
	err = load(&skel, t, &info.prog_id);
	if (!err) {
		err = pin_info(skel, hidden, &info);
		if (err)
			tpk_err_errno(err, "cannot pin in %s", hidden);
	}
	if (!err)
		err = t->mech == TCDROP_TCX ? attach_tcx(skel, t, hidden)
					    : attach_legacy(skel, t, hidden, &info, had_qdisc);
	if (!err) {
		err = tcdrop_store_rename(hidden, entry);
		if (err)
			tpk_err_errno(err, "cannot rename %s", hidden);
	}
	if (err && made)
		undo(hidden, &info);
	tcdrop_bpf__destroy(skel);
	return err;
}

enum tcdrop_state tcdrop_entry_state(const struct tcdrop_entry *e)
{
	char path[PATH_MAX + 16];
	struct bpf_link_info li = { 0 };
	__u32 len = sizeof(li);
	int fd, id;

	if (!device_is(&e->info))
		return TCDROP_ST_GONE;
	if (e->info.mech == TCDROP_TCX) {
		snprintf(path, sizeof(path), "%s/link", e->path);
		fd = bpf_obj_get(path);
		if (fd < 0)
			return TCDROP_ST_GONE;
		if (bpf_link_get_info_by_fd(fd, &li, &len) || !li.tcx.ifindex)
			li.tcx.ifindex = 0;
		close(fd);
		return li.tcx.ifindex ? TCDROP_ST_ATTACHED : TCDROP_ST_GONE;
	}
	id = legacy_prog_id(e->info.ifindex, e->info.dir);
	if (id <= 0)
		return TCDROP_ST_GONE;
	return (__u32)id == e->info.prog_id ? TCDROP_ST_ATTACHED : TCDROP_ST_REPLACED;
}

const char *tcdrop_state_name(enum tcdrop_state s)
{
	switch (s) {
	case TCDROP_ST_ATTACHED: return "attached";
	case TCDROP_ST_GONE: return "gone";
	case TCDROP_ST_REPLACED: return "replaced";
	}
	return "?";
}

int tcdrop_detach(const struct tcdrop_entry *e)
{
	char hidden[PATH_MAX];
	int err;

	if (e->info.mech == TCDROP_LEGACY && device_is(&e->info) &&
	    tcdrop_entry_state(e) == TCDROP_ST_REPLACED)
		tpk_note("%s %s: tcdrop's filter handle now holds another program; "
			"left alone", e->info.ifname, dir_name(e->info.dir));
	/* Hidden first: from here a kill leaves what tcdrop_recover finishes. */
	tcdrop_entry_hidden(e->path, hidden, sizeof(hidden));
	err = tcdrop_store_rename(e->path, hidden);
	if (err) {
		tpk_err_errno(err, "cannot rename %s", e->path);
		return err;
	}
	err = undo(hidden, &e->info);
	if (err)
		tpk_err_errno(err, "cannot remove %s", hidden);
	return err;
}

static void recover_one(const char *entry, const struct tcdrop_info *info, void *ctx)
{
	int err = undo(entry, info);

	if (err)
		tpk_err_errno(err, "cannot remove %s", entry);
	else if (info)
		tpk_note("%s %s: removed what a killed tcdrop command left there",
			info->ifname, dir_name(info->dir));
	*(int *)ctx += !err;
}

int tcdrop_recover(void)
{
	int n = 0, err = tcdrop_store_each_partial(recover_one, &n);

	return err < 0 ? err : n;
}

int tcdrop_entry_counts(const struct tcdrop_entry *e, struct tcdrop_count out[TCDROP_NCOUNTERS])
{
	char path[PATH_MAX + 16];
	uint64_t v[2];
	int fd, err = 0;

	memset(out, 0, sizeof(*out) * TCDROP_NCOUNTERS);
	snprintf(path, sizeof(path), "%s/counters", e->path);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	for (__u32 k = 0; !err && k < TCDROP_NCOUNTERS; k++) {
		err = tpk_percpu_sum(fd, &k, 2, v);
		out[k].packets = v[0];
		out[k].bytes = v[1];
	}
	close(fd);
	return err;
}
