// SPDX-License-Identifier: GPL-2.0
/* tcdrop: a tc classifier that drops matching packets and counts them.
 *
 * Loaded by tcdrop (tcx link or clsact filter) or by hand with
 * `tc filter add ... bpf da obj tcdrop.bpf.o sec tc`:
 * with nothing configured it drops everything. A packet that does not
 * match gets TC_ACT_UNSPEC, which in tcx means "next program" and in
 * cls_bpf "next filter", so tcdrop never overrides another tool's verdict. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "tcdrop.h"

#define ETH_HLEN_	14
#define ETH_P_IP_	0x0800
#define ETH_P_IPV6_	0x86DD
#define TC_ACT_UNSPEC_	(-1)
#define TC_ACT_SHOT_	2
#define IPPROTO_TCP_	6
#define IPPROTO_UDP_	17
#define IPPROTO_SCTP_	132
#define IPPROTO_ICMP_	1
#define IPPROTO_ICMPV6_	58
#define IPPROTO_HOPOPTS_	0
#define IPPROTO_ROUTING_	43
#define IPPROTO_FRAGMENT_	44
#define IPPROTO_AH_	51
#define IPPROTO_DSTOPTS_	60
#define IP_OFFSET_MASK	0x1fff
#define MAX_EXT_HDRS	4

char LICENSE[] SEC("license") = "GPL";

const volatile struct tcdrop_cfg cfg;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TCDROP_NCOUNTERS);
	__type(key, __u32);
	__type(value, struct tcdrop_count);
} counters SEC(".maps");

/* Not used by the program: user space fills it in and pins it with the
 * attachment, so later commands can read what was attached and how. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcdrop_info);
} info SEC(".maps");

struct pkt {
	__u8 ver, l4;
	bool ports;		/* sport/dport valid: first fragment of TCP/UDP/SCTP */
	__u16 sport, dport;	/* host order */
	__u8 saddr[16], daddr[16];
};

static __always_inline void count(__u32 idx, struct __sk_buff *skb)
{
	struct tcdrop_count *c = bpf_map_lookup_elem(&counters, &idx);

	if (c) {
		c->packets++;
		c->bytes += skb->len;
	}
}

static __always_inline bool filtering(void)
{
	return cfg.proto_on || cfg.src_ver || cfg.dst_ver || cfg.port_lo;
}

/* Skip IPv6 extension headers to the upper-layer protocol. */
static __always_inline int ipv6_l4(struct __sk_buff *skb, __u32 *off, __u8 *nh, bool *first_frag)
{
	struct { __u8 nh, len; } ext;
	__u16 frag;

	for (int i = 0; i < MAX_EXT_HDRS; i++) {
		switch (*nh) {
		case IPPROTO_HOPOPTS_:
		case IPPROTO_ROUTING_:
		case IPPROTO_DSTOPTS_:
			if (bpf_skb_load_bytes(skb, *off, &ext, sizeof(ext)))
				return -1;
			*off += (ext.len + 1) * 8;
			break;
		case IPPROTO_AH_:
			if (bpf_skb_load_bytes(skb, *off, &ext, sizeof(ext)))
				return -1;
			*off += (ext.len + 2) * 4;
			break;
		case IPPROTO_FRAGMENT_:
			if (bpf_skb_load_bytes(skb, *off, &ext, sizeof(ext)) ||
			    bpf_skb_load_bytes(skb, *off + 2, &frag, sizeof(frag)))
				return -1;
			if (bpf_ntohs(frag) & ~7)
				*first_frag = false;
			*off += 8;
			break;
		default:
			return 0;
		}
		*nh = ext.nh;
	}
	return 0;
}

static __always_inline int parse(struct __sk_buff *skb, struct pkt *p)
{
	__u32 off = cfg.no_l2 ? 0 : ETH_HLEN_;
	bool first_frag = true;
	__u16 ports[2];

	if (skb->protocol == bpf_htons(ETH_P_IP_)) {
		struct iphdr ip;

		if (bpf_skb_load_bytes(skb, off, &ip, sizeof(ip)) || ip.ihl < 5)
			return -1;
		p->ver = 4;
		p->l4 = ip.protocol;
		__builtin_memcpy(p->saddr, &ip.saddr, 4);
		__builtin_memcpy(p->daddr, &ip.daddr, 4);
		first_frag = !(bpf_ntohs(ip.frag_off) & IP_OFFSET_MASK);
		off += ip.ihl * 4;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6_)) {
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes(skb, off, &ip6, sizeof(ip6)))
			return -1;
		p->ver = 6;
		p->l4 = ip6.nexthdr;
		__builtin_memcpy(p->saddr, &ip6.saddr, 16);
		__builtin_memcpy(p->daddr, &ip6.daddr, 16);
		off += sizeof(ip6);
		if (ipv6_l4(skb, &off, &p->l4, &first_frag))
			return -1;
	} else {
		return -1;
	}
	if (first_frag && (p->l4 == IPPROTO_TCP_ || p->l4 == IPPROTO_UDP_ ||
			   p->l4 == IPPROTO_SCTP_) &&
	    !bpf_skb_load_bytes(skb, off, ports, sizeof(ports))) {
		p->ports = true;
		p->sport = bpf_ntohs(ports[0]);
		p->dport = bpf_ntohs(ports[1]);
	}
	return 0;
}

static __always_inline bool in_prefix(const __u8 *addr, const volatile __u8 *pfx, __u8 len)
{
#pragma unroll
	for (int i = 0; i < 16; i++) {
		__u8 bits = len > i * 8 ? len - i * 8 : 0;
		__u8 mask;

		if (!bits)
			break;
		mask = bits >= 8 ? 0xff : (__u8)(0xff << (8 - bits));
		if ((addr[i] ^ pfx[i]) & mask)
			return false;
	}
	return true;
}

static __always_inline bool matches(struct __sk_buff *skb)
{
	struct pkt p = {};

	if (!filtering())
		return true;
	if (parse(skb, &p))
		return false;
	/* icmp is ICMP of the packet's own family, as in tracepkt and xdpblock. */
	if (cfg.proto_on && p.l4 != (cfg.proto == IPPROTO_ICMP_ && p.ver == 6 ? IPPROTO_ICMPV6_ : cfg.proto))
		return false;
	if (cfg.src_ver && (p.ver != cfg.src_ver || !in_prefix(p.saddr, cfg.src, cfg.src_len)))
		return false;
	if (cfg.dst_ver && (p.ver != cfg.dst_ver || !in_prefix(p.daddr, cfg.dst, cfg.dst_len)))
		return false;
	if (cfg.port_lo) {
		bool s, d;

		if (!p.ports)
			return false;
		s = cfg.port_dir != TCDROP_PORT_DST && p.sport >= cfg.port_lo && p.sport <= cfg.port_hi;
		d = cfg.port_dir != TCDROP_PORT_SRC && p.dport >= cfg.port_lo && p.dport <= cfg.port_hi;
		if (!s && !d)
			return false;
	}
	return true;
}

SEC("tc")
int tcdrop(struct __sk_buff *skb)
{
	count(TCDROP_SEEN, skb);
	if (!matches(skb))
		return TC_ACT_UNSPEC_;
	count(TCDROP_DROPPED, skb);
	return TC_ACT_SHOT_;
}
