// SPDX-License-Identifier: GPL-2.0
#include <net/if.h>
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "pins.h"
#include "store.h"
#include "sys.h"
#include "util.h"

/* bpffs refuses '.' anywhere in a name; an entry's ends in "gress". */
#define HIDDEN "~"

static char root[PATH_MAX];	/* BPFFS/tcdrop */
static char nsdir[PATH_MAX];	/* BPFFS/tcdrop/NETNS */

static const char *const pins[] = { "link", "prog", "counters", "info" };

int tcdrop_store_open(void)
{
	char bpffs[PATH_MAX - 64];
	int err = tpk_bpffs_persistent(bpffs, sizeof(bpffs));

	if (err)
		return err;
	if (snprintf(root, sizeof(root), "%s/tcdrop", bpffs) >= (int)sizeof(root) ||
	    snprintf(nsdir, sizeof(nsdir), "%s/%llu", root,
		     (unsigned long long)tpk_netns_self_inode()) >= (int)sizeof(nsdir)) {
		tpk_err("bpffs path too long: %s", bpffs);
		return -ENAMETOOLONG;
	}
	return 0;
}

const char *tcdrop_store_dir(void)
{
	return nsdir;
}

void tcdrop_entry_path(char *buf, size_t len, const char *ifname, uint32_t ifindex, int dir)
{
	char pin[IF_NAMESIZE];

	tpk_pin_name(ifname, pin, sizeof(pin), false);
	snprintf(buf, len, "%s/%s-%u-%s", nsdir, pin, ifindex,
		 dir == TCDROP_EGRESS ? "egress" : "ingress");
}

static int info_fd(const char *entry)
{
	char path[PATH_MAX + 8];

	snprintf(path, sizeof(path), "%s/info", entry);
	return bpf_obj_get(path);
}

int tcdrop_info_read(const char *entry, struct tcdrop_info *info)
{
	__u32 zero = 0;
	int fd = info_fd(entry), err;

	if (fd < 0)
		return -errno;
	err = bpf_map_lookup_elem(fd, &zero, info) ? -errno : 0;
	close(fd);
	if (!err && info->magic != TCDROP_MAGIC)
		err = -EBADMSG;
	return err;
}

int tcdrop_info_write(const char *entry, const struct tcdrop_info *info)
{
	__u32 zero = 0;
	int fd = info_fd(entry), err;

	if (fd < 0)
		return -errno;
	err = bpf_map_update_elem(fd, &zero, info, BPF_ANY) ? -errno : 0;
	close(fd);
	return err;
}

static bool hidden(const char *name)
{
	size_t n = strlen(name);

	return n && name[n - 1] == HIDDEN[0];
}

static int cmp_entry(const void *a, const void *b)
{
	const struct tcdrop_info *x = &((const struct tcdrop_entry *)a)->info;
	const struct tcdrop_info *y = &((const struct tcdrop_entry *)b)->info;

	if (x->ifindex != y->ifindex)
		return x->ifindex < y->ifindex ? -1 : 1;
	return (int)x->dir - (int)y->dir;
}

int tcdrop_store_list(struct tcdrop_entry **out)
{
	struct tcdrop_entry *v = NULL, *nv;
	struct dirent *de;
	int n = 0, cap = 0;
	DIR *d;

	*out = NULL;
	d = opendir(nsdir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || hidden(de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		if (snprintf(v[n].path, sizeof(v[n].path), "%s/%s", nsdir, de->d_name) <
			    (int)sizeof(v[n].path) &&
		    !tcdrop_info_read(v[n].path, &v[n].info))
			n++;
	}
	closedir(d);
	if (n > 1)	/* v is NULL when the folder is empty: qsort wants an array */
		qsort(v, n, sizeof(*v), cmp_entry);
	*out = v;
	return n;
}

void tcdrop_entry_hidden(const char *entry, char *buf, size_t len)
{
	snprintf(buf, len, "%s" HIDDEN, entry);
}

int tcdrop_store_rename(const char *from, const char *to)
{
	return rename(from, to) ? -errno : 0;
}

static bool pinned(const char *entry, const char *name)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%s", entry, name);
	return !access(path, F_OK);
}

int tcdrop_store_each_partial(tcdrop_partial_fn fn, void *ctx)
{
	char path[PATH_MAX];
	struct tcdrop_info info;
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(nsdir);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		bool ok;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", nsdir, de->d_name) >= (int)sizeof(path))
			continue;
		ok = !tcdrop_info_read(path, &info);
		if (!hidden(de->d_name) && ok &&
		    pinned(path, info.mech == TCDROP_TCX ? "link" : "prog"))
			continue;
		fn(path, ok ? &info : NULL, ctx);
		n++;
	}
	closedir(d);
	return n;
}

int tcdrop_store_remove(const char *entry)
{
	char path[PATH_MAX + 16];
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(pins); i++) {
		snprintf(path, sizeof(path), "%s/%s", entry, pins[i]);
		if (unlink(path) && errno != ENOENT)
			err = -errno;
	}
	if (rmdir(entry) && errno != ENOENT)
		err = -errno;
	/* Best effort: another tcdrop may be using them. */
	if (!rmdir(nsdir))
		rmdir(root);
	return err;
}

/* Remove one entry folder under dir (another namespace's: not nsdir). */
static void prune_entry(const char *dir, const char *name)
{
	char entry[2 * PATH_MAX], path[2 * PATH_MAX + 16];

	snprintf(entry, sizeof(entry), "%s/%s", dir, name);
	for (size_t i = 0; i < ARRAY_SIZE(pins); i++) {
		snprintf(path, sizeof(path), "%s/%s", entry, pins[i]);
		unlink(path);
	}
	rmdir(entry);
}

int tcdrop_store_prune(void)
{
	char dir[PATH_MAX + 256];
	struct dirent *d, *e;
	int pruned = 0;
	DIR *top = opendir(root), *sub;

	while (top && (d = readdir(top))) {
		char *end;
		unsigned long long ino = strtoull(d->d_name, &end, 10);

		if (d->d_name[0] < '1' || d->d_name[0] > '9' || *end || tpk_netns_alive(ino))
			continue;
		/* The namespace is gone, and with it its devices, their tcx
		 * links and tc filters: only the pins are left. */
		snprintf(dir, sizeof(dir), "%s/%s", root, d->d_name);
		sub = opendir(dir);
		while (sub && (e = readdir(sub)))
			if (e->d_name[0] != '.') {
				prune_entry(dir, e->d_name);
				pruned++;
			}
		if (sub)
			closedir(sub);
		rmdir(dir);
	}
	if (top)
		closedir(top);
	if (pruned)
		rmdir(root);	/* if that left it empty */
	return pruned;
}

int tcdrop_lock(bool create)
{
	static int fd = -1;	/* held until exit */

	return tpk_lock_dir(root, create, &fd);
}
