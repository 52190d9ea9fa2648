/* SPDX-License-Identifier: GPL-2.0 */
/* The tc and XDP programs on a device, asked in its own namespace: what a
 * followed packet's last line names when it was dropped there and nothing
 * can read those programs' verdicts (fexit on them is refused). */
#ifndef TRACEPKT_DEVPROGS_H
#define TRACEPKT_DEVPROGS_H

#include <stdint.h>

#define TPK_DEVPROGS_MAX 8

enum {
	TPK_SIDE_INGRESS = 1,	/* XDP, tcx and tc ingress */
	TPK_SIDE_EGRESS = 2,	/* tcx and tc egress */
};

struct tpk_devprog {
	const char *attach;	/* xdp, xdpgeneric, xdpoffload, tcx.ingress, tc.egress, ... */
	unsigned int id;
	char name[16];		/* BPF_OBJ_NAME_LEN */
};

struct tpk_devprogs {
	int n;
	struct tpk_devprog p[TPK_DEVPROGS_MAX];
};

/* The programs on those sides of device ifindex of the network namespace
 * whose inode is netns, into *out: how many, 0 when none or when the
 * namespace or device is gone. */
int tpk_devprogs_get(uint64_t netns, int ifindex, unsigned int sides, struct tpk_devprogs *out);

#endif
