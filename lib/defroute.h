/* SPDX-License-Identifier: GPL-2.0 */
/* Does a device carry the namespace's way out? tcdrop and xdpblock refuse
 * to drop there without --force. */
#ifndef TPK_DEFROUTE_H
#define TPK_DEFROUTE_H

#include <stdbool.h>
#include <linux/netlink.h>

#define TPK_DEFROUTE_V4 1
#define TPK_DEFROUTE_V6 2

#define TPK_IFSET_MAX 256

struct tpk_ifset_entry {
	int ifindex;
	int fams;		/* TPK_DEFROUTE_* */
};

struct tpk_ifset {
	struct tpk_ifset_entry v[TPK_IFSET_MAX];
	int n;
};

/* A route that takes (a large part of) the world: 0/0, or half of it (0/1,
 * 128/1), unicast, in any table but local. */
bool tpk_route_is_way_out(unsigned char dst_len, unsigned char type, unsigned int table);
/* Add the devices of one RTM_NEWROUTE message, if it is a way out, to out:
 * its device, every multipath hop's, its nexthop object's or group's
 * (nhs: the nexthop list, internal; NULL without). */
void tpk_route_devices(const struct nlmsghdr *h, const void *nhs, struct tpk_ifset *out);
/* TPK_DEFROUTE_* bits for the ways out of the calling thread's namespace
 * that leave by ifindex or by a master of it (*via: which one); 0 for
 * none, or -errno. */
int tpk_way_out(int ifindex, int *via);
/* When dev is one: say so in one line (--force overrides) and true. */
bool tpk_way_out_refuse(const char *dev, int ifindex);

#endif
