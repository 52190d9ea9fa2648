/* SPDX-License-Identifier: GPL-2.0 */
/* Maps and records shared by bpf/xdpblock.bpf.c and xdpblock/: fixed-width
 * types only, so both sides see the same layout. */
#ifndef XDPBLOCK_H
#define XDPBLOCK_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Rules one prefix can carry. The kernel scans them in order, so the bound
 * keeps a lookup short; more protocols or ports go in ranges. */
#define XDPB_MAX_MATCHES	16
/* Map sizes: caps only, the tries and the counters allocate per entry. */
#define XDPB_MAX_PREFIXES	(1 << 20)
#define XDPB_MAX_RULES		(1 << 20)

/* xdpb_match.flags */
#define XDPB_M_PROTO		1	/* proto must equal the packet's */
#define XDPB_M_PORT		2	/* destination port in [port_lo, port_hi];
					 * without XDPB_M_PROTO: TCP or UDP */
#define XDPB_M_SPORT		4	/* source port in the range; with
					 * XDPB_M_PORT: either port */

/* One rule of a prefix. */
struct xdpb_match {
	__u32 id;		/* key of the stats map, never reused */
	__u8 flags;
	__u8 proto;
	__u16 port_lo;		/* host order */
	__u16 port_hi;
	__u16 pad;
};

/* LPM trie keys. The program looks both tries up with a struct xdpb_key:
 * the IPv4 trie reads only its first 8 bytes, which are a struct xdpb_key4. */
struct xdpb_key {
	__u32 prefixlen;
	__u8 addr[16];
};

struct xdpb_key4 {
	__u32 prefixlen;
	__u8 addr[4];
};

/* LPM trie value: every rule of one prefix. A trie lookup returns only the
 * longest matching prefix; prefixlen lets the program step to the next
 * shorter one when no rule here matches the packet. */
struct xdpb_rules {
	__u32 prefixlen;
	__u32 count;
	struct xdpb_match m[XDPB_MAX_MATCHES];
};

/* Per-CPU counters, per rule (stats) and per verdict (totals). */
struct xdpb_counter {
	__u64 packets;
	__u64 bytes;
};

enum xdpb_total {
	XDPB_T_PASSED,		/* IP packets no rule matched */
	XDPB_T_DROPPED,		/* packets a rule matched */
	XDPB_T_OTHER,		/* not IP, or headers cut short: passed */
	XDPB_T_MAX,
};

/* meta map, one entry, user space only: the next rule id to hand out. */
struct xdpb_meta {
	__u32 next_id;
	__u32 pad;
};

#endif
