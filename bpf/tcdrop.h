/* SPDX-License-Identifier: GPL-2.0 */
/* Structs shared by bpf/tcdrop.bpf.c and tcdrop/: fixed-width types only,
 * so both sides see the same layout. */
#ifndef TCDROP_H
#define TCDROP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* What to drop, fixed in .rodata before load. All zero (what iproute2
 * loads when nobody sets it) means every packet, as a classifier that only
 * returns TC_ACT_SHOT would. */
struct tcdrop_cfg {
	__u8 no_l2;		/* 1: the IP header starts the packet (no Ethernet) */
	__u8 proto_on;		/* 1: only packets of IP protocol `proto` */
	__u8 proto;
	__u8 src_ver;		/* 0: any source, 4 or 6: within src/src_len */
	__u8 src_len;
	__u8 dst_ver;
	__u8 dst_len;
	__u8 port_dir;		/* enum tcdrop_port_dir (was padding: 0 in older pins) */
	__u16 port_lo, port_hi;	/* host order; 0: any */
	__u8 src[16], dst[16];	/* network order, host bits clear */
};

/* Which port of a packet port_lo..port_hi is matched against. */
enum tcdrop_port_dir {
	TCDROP_PORT_EITHER = 0,	/* --port: the source or the destination */
	TCDROP_PORT_SRC = 1,	/* --sport */
	TCDROP_PORT_DST = 2,	/* --dport */
};

/* Index into the per-CPU counters map. */
enum tcdrop_counter {
	TCDROP_SEEN = 0,	/* every packet the program ran on */
	TCDROP_DROPPED = 1,	/* packets that matched, hence dropped */
	TCDROP_NCOUNTERS,
};

struct tcdrop_count {
	__u64 packets;
	__u64 bytes;		/* skb->len: at tc, with the link-layer header */
};

enum tcdrop_dir { TCDROP_INGRESS = 0, TCDROP_EGRESS = 1 };
enum tcdrop_mech { TCDROP_TCX = 1, TCDROP_LEGACY = 2 };

#define TCDROP_IFNAMSIZ 16

/* One attachment, kept in a pinned map next to it so that status and
 * detach (later commands) know what an earlier attach did. */
struct tcdrop_info {
	__u32 magic;		/* TCDROP_MAGIC once user space filled it in */
	__u32 ifindex;
	__u64 netns;		/* inode of the device's network namespace */
	__u64 attached;		/* unix time of the attach */
	__u8 dir;		/* enum tcdrop_dir */
	__u8 mech;		/* enum tcdrop_mech */
	__u8 own_qdisc;		/* legacy: tcdrop created the clsact qdisc */
	__u8 pad;
	__u32 prog_id;
	char ifname[TCDROP_IFNAMSIZ];
	struct tcdrop_cfg cfg;
};

#define TCDROP_MAGIC 0x7cd40001u

#endif
