/* SPDX-License-Identifier: GPL-2.0 */
/* Structs shared by bpf/tracepkt.bpf.c and tracepkt/: fixed-width types
 * only, no kernel headers, so both sides see the same layout. */
#ifndef TRACEPKT_H
#define TRACEPKT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define TPK_IFNAMSIZ	16

/* The copy of a packet a pcap-filter expression reads (tracepkt/cbpf.h's
 * TPK_CBPF_PKT_MAX): as tcpdump -i on an Ethernet device would see it. */
#define TPK_PCAP_MAX	256
struct tpk_pcap_pkt {
	__u32 caplen;		/* bytes in data */
	__u32 wirelen;		/* the frame's length */
	__u8 data[TPK_PCAP_MAX];
};
#define TPK_TABLESIZ	32	/* XT_TABLE_MAXNAMELEN; nft names are cut there */

enum tpk_event_kind {
	TPK_EV_DEV = 1,		/* a packet seen at a device tracepoint */
	TPK_EV_NF = 2,		/* a netfilter table's verdict */
	TPK_EV_DROP = 3,	/* the packet was freed as dropped */
	TPK_EV_LOST = 4,	/* a followed packet was freed as dropped: user
				 * space names the tc and XDP programs there */
	TPK_EV_PROG = 5,	/* a tc or XDP program's verdict on a followed
				 * packet (fexit on the program) */
};

/* PROG events: where the program ran (the event's point field). */
enum tpk_prog_at {
	TPK_AT_XDP = 1,
	TPK_AT_TC_INGRESS = 2,	/* tcx or cls_bpf */
	TPK_AT_TC_EGRESS = 3,
};

/* Device tracepoints, in the order of tracepkt/points.c's table. */
enum tpk_point {
	TPK_PT_NETIF_RX,
	TPK_PT_NET_DEV_QUEUE,
	TPK_PT_NAPI_GRO_RECEIVE_ENTRY,
	TPK_PT_NETIF_RECEIVE_SKB_ENTRY,
	TPK_PT_NETIF_RECEIVE_SKB,
	TPK_PT_NET_DEV_START_XMIT,
	TPK_PT_NET_DEV_XMIT,
	TPK_PT_NETIF_RX_ENTRY,
	TPK_PT_MAX,
};

/* Why an event was sent: the filters matched the packet as it was there,
 * or it is one they matched earlier (bpf/tracepkt_track.bpf.h). */
enum tpk_via {
	TPK_VIA_FILTER = 0,
	TPK_VIA_SKB = 1,	/* the same skb, whatever it has become */
	TPK_VIA_CLONE = 2,	/* a clone of a followed skb */
	TPK_VIA_NAT = 3,	/* the flow as seen across a NAT */
};

/* What the kernel side matches, set in .rodata before load. */
enum tpk_mode {
	TPK_MODE_PING = 0,	/* the echo of one ping process, id learned */
	TPK_MODE_ALL = 1,	/* every packet matching the filters */
};

/* filter_proto values besides real IP protocol numbers. */
#define TPK_PROTO_ANY	-1	/* any IP packet */
#define TPK_PROTO_ECHO	-2	/* ICMP / ICMPv6 echo request and reply only */

enum tpk_nf_backend {
	TPK_NF_NONE = 0,
	TPK_NF_FEXIT,
	TPK_NF_KPROBE,
	TPK_NF_NFHOOK,
};

struct tpk_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() */
	__u64 skb;		/* the sk_buff's address: ties events together */
	__u64 netns;		/* inode of the device's netns, 0 without device */
	__u64 hook_netns;	/* NF: netns inode of the hook that ran */
	__u32 ifindex;
	__u32 pid;		/* tgid of the current task */
	__u32 cpu;
	__s32 verdict;		/* NF: NF_DROP, NF_ACCEPT, ...; -1 unknown;
				 * PROG: the program's return value */
	__u32 drop_reason;	/* DROP: enum skb_drop_reason value, or: */
#define TPK_DROP_REASON_NONE 0xffffffffu	/* the kernel gives none (before 5.17) */
	__u8 kind;		/* enum tpk_event_kind */
	__u8 point;		/* DEV: enum tpk_point; PROG: enum tpk_prog_at */
	__u8 hook;		/* NF: NF_INET_* hook number */
	__u8 nf_backend;	/* NF: enum tpk_nf_backend */
	__u8 nf_pf;		/* NF: NFPROTO_IPV4 or NFPROTO_IPV6 */
	__u8 nf_inferred;	/* NF: verdict inferred (nfhook), not read */
	__u8 ipver;		/* 4 or 6 */
	__u8 l4proto;		/* IPPROTO_*, past any IPv6 extension headers */
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 frag_more;		/* a fragment, not the last */
	__u8 via;		/* enum tpk_via */
	__u16 nf_pos;		/* NF, nfhook backend: table index at the hook */
	__u16 frag_off;		/* bytes; L4 fields of a later fragment are
				 * its first fragment's */
	__u16 icmp_id;		/* host order */
	__u16 icmp_seq;		/* host order */
	__u16 sport;		/* host order, TCP/UDP */
	__u16 dport;
	char ifname[TPK_IFNAMSIZ];
	char table[TPK_TABLESIZ];	/* NF: table name */
	char chain[TPK_TABLESIZ];	/* NF: nft chain name, when known */
	__u8 saddr[16];		/* IPv4 in the first 4 bytes */
	__u8 daddr[16];
	__u32 prog_id;		/* PROG: the program's id */
	__u32 pad;
};

/* nfhook backend: tables at one hook of one namespace, in priority order.
 * The probe at position k sits between table k-1 and table k. A hook holds
 * at most 1024 entries (MAX_HOOK_COUNT in net/netfilter/core.c), tables and
 * probes together, so positions never reach this. */
#define TPK_NF_MAXPOS	1024

struct tpk_nf_layout_key {
	__u64 netns;
	__u8 pf;
	__u8 hook;
	__u8 pad[6];
};

struct tpk_nf_layout {
	__u16 ntables;		/* probes at positions 0..ntables */
	__u8 pad[6];
	/* bit k: table k is a nat table, run only for a connection's first
	 * packet */
	__u64 nat_mask[TPK_NF_MAXPOS / 64];
};

#endif
