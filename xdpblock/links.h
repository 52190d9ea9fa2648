/* SPDX-License-Identifier: GPL-2.0 */
/* Devices the program is attached to: one pinned bpf_link each, named
 * link-<netns inode>-<ifindex>-<ifname> in the state folder, so that an
 * attachment outlives the command, two namespaces' eth0 do not collide, and
 * a renamed device is still found by its ifindex (the kernel's link says
 * which device it is on; the name in the pin only names a gone one). */
#ifndef XDPBLOCK_LINKS_H
#define XDPBLOCK_LINKS_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "state.h"

struct xb_link {
	char pin[64];		/* file name in the state folder */
	char ifname[IF_NAMESIZE];	/* the device's name now (this netns) */
	uint64_t netns;
	uint32_t ifindex;	/* 0 once the device is gone */
	uint32_t link_id, prog_id;
	const char *mode;	/* "native", "skb", ... or NULL when unknown */
};

/* flags: XDP_FLAGS_DRV_MODE, XDP_FLAGS_SKB_MODE or 0 (the kernel picks);
 * prog: XB_PROG_LOOP or XB_PROG_BOUNDED (xb_prog_choose). Both print
 * their error: -TPK_EINPUT when DEV is no device, or xdpblock is already
 * (attach) or not (detach) attached there; else -errno. */
int xb_link_attach(struct xb_state *s, const char *dev, uint32_t flags, enum xb_prog prog);
int xb_link_detach(struct xb_state *s, const char *dev);
/* Every pinned link, live or not. */
int xb_links(struct xb_state *s, struct xb_link **links, size_t *n);
/* Unpins links whose device is gone; returns how many are still live. */
int xb_links_prune(struct xb_state *s);

#endif
