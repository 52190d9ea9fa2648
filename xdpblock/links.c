// SPDX-License-Identifier: GPL-2.0
#include <net/if.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "links.h"
#include "sys.h"
#include "util.h"
#include "xdpblock.skel.h"

#define LINK_PREFIX "link-"

/* The ifindex makes the name unique while the device lives, whatever it is
 * renamed to; the device name is there for when it is gone. */
static void link_path(const struct xb_state *s, uint64_t netns, int ifindex, const char *dev,
		      char *buf, size_t len)
{
	char pin[IF_NAMESIZE];

	tpk_pin_name(dev, pin, sizeof(pin), false);
	snprintf(buf, len, "%s/" LINK_PREFIX "%" PRIu64 "-%d-%s", s->dir, netns, ifindex, pin);
}

/* ifindex of a pinned link's device, 0 when the device is gone. */
static int link_info(int fd, struct bpf_link_info *info)
{
	uint32_t len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	if (bpf_link_get_info_by_fd(fd, info, &len))
		return -errno;
	return 0;
}

static const char *mode_name(uint32_t ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (bpf_xdp_query(ifindex, 0, &q))
		return NULL;
	switch (q.attach_mode) {
	case XDP_ATTACHED_DRV: return "native";
	case XDP_ATTACHED_SKB: return "skb";
	case XDP_ATTACHED_HW: return "hw";
	case XDP_ATTACHED_MULTI: return "multi";
	}
	return NULL;
}

/* Detach (even if someone else holds the link open) and unpin. */
static int unpin(struct xb_state *s, const struct xb_link *l)
{
	char path[PATH_MAX + 300];
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", s->dir, l->pin);
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		bpf_link_detach(fd);
		close(fd);
	}
	if (unlink(path) && errno != ENOENT) {
		err = -errno;
		tpk_err_errno(err, "cannot remove %s", path);
	}
	return err;
}

/* This namespace's link on ifindex; with none (or ifindex 0: no device of
 * that name), a link of a gone device that was called dev. out->pin is ""
 * when there is neither. */
static int find(struct xb_state *s, int ifindex, const char *dev, struct xb_link *out)
{
	uint64_t self = tpk_netns_self_inode();
	struct xb_link *v;
	size_t n;
	int err = xb_links(s, &v, &n);

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; !err && i < n; i++) {
		if (v[i].netns != self)
			continue;
		if (ifindex > 0 && v[i].ifindex == (uint32_t)ifindex) {
			*out = v[i];
			break;
		}
		if (!v[i].ifindex && !strcmp(v[i].ifname, dev))
			*out = v[i];
	}
	if (!err)
		free(v);
	return err;
}

int xb_link_attach(struct xb_state *s, const char *dev, uint32_t flags, enum xb_prog prog)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	struct xdpblock_bpf *skel = NULL;
	struct xb_link found;
	char path[PATH_MAX + 64];
	int ifindex, fd, err;

	ifindex = tpk_ifindex(dev);
	if (ifindex < 0)
		return ifindex;
	err = find(s, ifindex, dev, &found);
	if (err)
		return err;
	if (found.ifindex) {
		tpk_err("already attached to %s", dev);
		return -TPK_EINPUT;
	}
	/* A device of that name went away and came back: forget the old one. */
	if (found.pin[0])
		unpin(s, &found);
	link_path(s, tpk_netns_self_inode(), ifindex, dev, path, sizeof(path));
	unlink(path);	/* the same ifindex, dead: its device is gone */

	if (tpk_verbose)
		fprintf(stderr, "%s: walking prefixes with the %s program\n", tpk_progname,
			prog == XB_PROG_LOOP ? "bpf_loop" : "bounded-loop");
	err = xb_state_load(s, prog, &skel);
	if (err)
		return err;
	fd = bpf_link_create(bpf_program__fd(xb_prog_get(skel, prog)), ifindex, BPF_XDP, &opts);
	if (fd < 0) {
		err = -errno;
		if (err == -EBUSY || err == -EEXIST) {
			tpk_err("%s already has an XDP program (`ip link set dev %s xdp off` removes it)",
				dev, dev);
		}
		else if (err == -EOPNOTSUPP && (flags & XDP_FLAGS_DRV_MODE))
			tpk_err("%s has no native XDP support; use --mode skb", dev);
		else
			tpk_err_errno(err, "cannot attach to %s", dev);
		goto out;
	}
	if (bpf_obj_pin(fd, path)) {
		err = -errno;
		tpk_err_errno(err, "cannot pin %s", path);
	}
	close(fd);	/* without the pin this detaches again */
out:
	xdpblock_bpf__destroy(skel);
	return err;
}

int xb_link_detach(struct xb_state *s, const char *dev)
{
	int ifindex = if_nametoindex(dev), err;
	struct xb_link l = { 0 };

	if (s->dir_fd >= 0) {
		err = find(s, ifindex, dev, &l);
		if (err)
			return err;
	}
	/* A device by that name now, and the link by that name is a gone one's. */
	if (!l.pin[0] || (ifindex && !l.ifindex)) {
		if (!ifindex)
			return tpk_ifindex(dev);	/* says there is no such device */
		tpk_err("not attached to %s", dev);
		return -TPK_EINPUT;
	}
	return unpin(s, &l);
}

/* "link-NETNS-IFINDEX-NAME"; an older xdpblock's "link-NETNS-NAME" too. */
static int parse_name(const char *name, struct xb_link *l)
{
	const char *p = name + strlen(LINK_PREFIX), *dev;
	char *end;

	if (strncmp(name, LINK_PREFIX, strlen(LINK_PREFIX)) || strlen(name) >= sizeof(l->pin))
		return -EINVAL;
	errno = 0;
	l->netns = strtoull(p, &end, 10);
	if (errno || end == p || *end != '-' || !end[1])
		return -EINVAL;
	dev = end + 1;
	strtoul(dev, &end, 10);
	if (end != dev && *end == '-' && end[1])
		dev = end + 1;
	if (strlen(dev) >= sizeof(l->ifname))
		return -EINVAL;
	tpk_pin_name(dev, l->ifname, sizeof(l->ifname), true);
	strcpy(l->pin, name);
	return 0;
}

int xb_links(struct xb_state *s, struct xb_link **out, size_t *n_out)
{
	struct xb_link *v = NULL;
	size_t n = 0;
	uint64_t self = tpk_netns_self_inode();
	struct dirent *de;
	DIR *d;

	*out = NULL;
	*n_out = 0;
	d = opendir(s->dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		char path[PATH_MAX + 300];
		struct bpf_link_info info;
		struct xb_link l = { 0 }, *nv;
		int fd, err;

		if (parse_name(de->d_name, &l))
			continue;
		snprintf(path, sizeof(path), "%s/%s", s->dir, de->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		err = link_info(fd, &info);
		close(fd);
		if (err || info.type != BPF_LINK_TYPE_XDP)
			continue;
		l.ifindex = info.xdp.ifindex;
		l.link_id = info.id;
		l.prog_id = info.prog_id;
		/* Renamed since? The kernel's name, not the one the pin was given. */
		if (l.ifindex && l.netns == self) {
			if_indextoname(l.ifindex, l.ifname);
			l.mode = mode_name(l.ifindex);
		}
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			closedir(d);
			free(v);
			return -ENOMEM;
		}
		v = nv;
		v[n++] = l;
	}
	closedir(d);
	*out = v;
	*n_out = n;
	return 0;
}

int xb_links_prune(struct xb_state *s)
{
	struct xb_link *v;
	size_t n;
	int live = 0, err;

	err = xb_links(s, &v, &n);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		if (v[i].ifindex)
			live++;
		else
			unpin(s, &v[i]);
	}
	free(v);
	return live;
}
