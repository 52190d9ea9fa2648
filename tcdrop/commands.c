// SPDX-License-Identifier: GPL-2.0
/* tcdrop's commands: attach, detach and status, under the lock, each
 * undoing first what a killed one left. */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_arp.h>

#include "defroute.h"
#include "sys.h"
#include "util.h"
#include "attach.h"
#include "commands.h"
#include "status.h"
#include "store.h"

static const char *dir_word(int dir)
{
	return dir == TCDROP_EGRESS ? "egress" : "ingress";
}

/* Devices without a link-layer header (tun, wireguard, ipip) hand tc the
 * IP header first. */
static bool no_l2(const char *dev)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool none = false;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (fd >= 0 && !ioctl(fd, SIOCGIFHWADDR, &ifr))
		none = ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER &&
		       ifr.ifr_hwaddr.sa_family != ARPHRD_LOOPBACK;
	if (fd >= 0)
		close(fd);
	return none;
}

static int find_entry(struct tcdrop_entry *v, int n, int ifindex, const char *name, int dir)
{
	for (int i = 0; i < n; i++)
		if (v[i].info.dir == dir &&
		    (ifindex > 0 ? v[i].info.ifindex == (__u32)ifindex
				 : !strcmp(v[i].info.ifname, name)))
			return i;
	return -1;
}

static volatile sig_atomic_t interrupted;

/* What every command does first, under the lock: sweep the pins a deleted
 * namespace left, and finish what a killed command left half made. A
 * command that changes pins also checks bpffs is writable and holds
 * Ctrl-C (it only sets a flag nobody reads): an attach or detach, once
 * started, runs to its end (or its undo) rather than stop half way. Only
 * attach makes tcdrop's folder, so a failed detach or status leaves none.
 * 0, or -EIO: the system's failure, printed. */
static int prepare(bool writes, bool create)
{
	if (tcdrop_store_open() || tcdrop_lock(create))
		return -EIO;
	if (writes && tpk_require_writable(tcdrop_store_dir()))
		return -EIO;
	tcdrop_store_prune();
	tcdrop_recover();
	if (writes)
		tpk_signals_setup(&interrupted);
	return 0;
}

int tcdrop_cmd_attach(const struct tcdrop_cli *c)
{
	struct tcdrop_target t = { .ifname = c->dev };
	struct tcdrop_entry *v = NULL;
	int n, done = 0, err;
	unsigned int dirs = c->dirs ? c->dirs : TCDROP_DIR_IN;

	t.ifindex = tpk_ifindex(c->dev);
	if (t.ifindex < 0)
		return t.ifindex;
	if (!c->force && tpk_way_out_refuse(c->dev, t.ifindex))
		return -TPK_EINPUT;
	err = prepare(true, true);
	if (err)
		return err;
	tcdrop_cfg_build(&c->opts, &t.cfg);
	t.cfg.no_l2 = no_l2(c->dev);
	t.mech = !c->legacy && tcdrop_tcx_supported() ? TCDROP_TCX : TCDROP_LEGACY;

	/* Refuse before changing anything, so --both never half-applies. An
	 * entry whose link or filter is gone (removed with tc, or left by a
	 * namespace whose inode got reused) is no attachment: replace it. */
	n = tcdrop_store_list(&v);
	for (int pass = 0; pass < 2; pass++)
		for (int dir = TCDROP_INGRESS; dir <= TCDROP_EGRESS; dir++) {
			int k = (dirs & (1u << dir)) ? find_entry(v, n, t.ifindex, c->dev, dir) : -1;
			bool gone = k >= 0 && tcdrop_entry_state(&v[k]) == TCDROP_ST_GONE;

			if (k >= 0 && !gone && !pass) {
				tpk_err("%s %s: already attached (see tcdrop status %s)", c->dev,
					dir_word(dir), c->dev);
				free(v);
				return -TPK_EINPUT;
			}
			if (gone && pass && tcdrop_detach(&v[k])) {
				free(v);
				return -EIO;
			}
		}
	free(v);

	for (int dir = TCDROP_INGRESS; dir <= TCDROP_EGRESS; dir++) {
		if (!(dirs & (1u << dir)))
			continue;
		t.dir = dir;
		err = tcdrop_attach(&t);
		if (err) {
			if (done)
				goto undo;
			return err == -TPK_EINPUT ? err : -EIO;
		}
		done |= 1u << dir;
	}
	return 0;

undo:
	n = tcdrop_store_list(&v);
	for (int dir = TCDROP_INGRESS; dir <= TCDROP_EGRESS; dir++) {
		int k = (done & (1u << dir)) ? find_entry(v, n, t.ifindex, c->dev, dir) : -1;

		if (k >= 0)
			tcdrop_detach(&v[k]);
	}
	free(v);
	return -EIO;
}

int tcdrop_cmd_detach(const struct tcdrop_cli *c)
{
	struct tcdrop_entry *v = NULL;
	int n, idx[2], ifindex, found = 0, err = 0;
	unsigned int dirs = c->dirs ? c->dirs : TCDROP_DIR_IN | TCDROP_DIR_OUT;

	err = prepare(true, false);
	if (err)
		return err;
	/* A deleted device can still have pins: find them by the name they had. */
	ifindex = if_nametoindex(c->dev);
	n = tcdrop_store_list(&v);
	if (n < 0) {
		tpk_err_errno(n, "cannot read %s", tcdrop_store_dir());
		return -EIO;
	}
	for (int dir = TCDROP_INGRESS; dir <= TCDROP_EGRESS; dir++) {
		idx[dir] = (dirs & (1u << dir)) ? find_entry(v, n, ifindex, c->dev, dir) : -1;
		found += idx[dir] >= 0;
		if (idx[dir] < 0 && c->dirs && (dirs & (1u << dir))) {
			tpk_err("%s %s: tcdrop is not attached there", c->dev, dir_word(dir));
			free(v);
			return -TPK_EINPUT;
		}
	}
	if (!found) {
		if (ifindex <= 0)
			tpk_err("no such device '%s', and no tcdrop attachment by that name", c->dev);
		else
			tpk_err("%s: tcdrop is not attached there", c->dev);
		free(v);
		return -TPK_EINPUT;
	}
	for (int dir = TCDROP_INGRESS; dir <= TCDROP_EGRESS; dir++)
		if (idx[dir] >= 0 && tcdrop_detach(&v[idx[dir]]))
			err = -EIO;
	free(v);
	return err;
}

int tcdrop_cmd_status(const struct tcdrop_cli *c)
{
	struct tcdrop_entry *v = NULL;
	struct tcdrop_row *rows = NULL;
	int n, ifindex = 0, err;

	if (c->dev) {
		ifindex = if_nametoindex(c->dev);
		if (!ifindex) {
			tpk_err("no such device '%s'", c->dev);
			return -TPK_EINPUT;
		}
	}
	err = prepare(false, false);
	if (err)
		return err;
	n = tcdrop_store_list(&v);
	if (n < 0) {
		tpk_err_errno(n, "cannot read %s", tcdrop_store_dir());
		return -EIO;
	}
	n = tcdrop_status_collect(v, n, ifindex, &rows);
	err = n < 0 || tcdrop_status_render(stdout, rows, n, c->json) ? -EIO : 0;
	free(rows);
	free(v);
	return err;
}
