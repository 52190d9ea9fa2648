// SPDX-License-Identifier: GPL-2.0
/* xdpblock: drop packets whose source address falls in a blocked prefix,
 * optionally only for one protocol and destination port range.
 *
 * The rules live in two LPM tries (one per family) that user space pins and
 * edits while this program runs; nothing here is configured at load time, so
 * `ip link set dev X xdp obj xdpblock.bpf.o sec xdp` loads it as well (with
 * fresh, empty maps: everything passes). Anything the parser does not
 * understand passes: a blocklist must not break traffic it cannot read. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdpblock.h"

#define ETH_P_IP_	0x0800
#define ETH_P_IPV6_	0x86DD
#define ETH_P_8021Q_	0x8100
#define ETH_P_8021AD_	0x88A8
#define IPPROTO_TCP_	6
#define IPPROTO_UDP_	17
#define IPPROTO_SCTP_	132
#define NEXTHDR_HOP	0
#define NEXTHDR_ROUTING	43
#define NEXTHDR_FRAG	44
#define NEXTHDR_AUTH	51
#define NEXTHDR_DEST	60
#define IP_OFFSET_MASK	0x1fff
#define IP6_OFFSET_MASK	0xfff8
/* Beyond this many bytes of headers we give up and pass. */
#define MAX_L4_OFF	512
#define MAX_EXT_HDRS	4

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XDPB_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xdpb_key4);
	__type(value, struct xdpb_rules);
} rules_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XDPB_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xdpb_key);
	__type(value, struct xdpb_rules);
} rules_v6 SEC(".maps");

/* Rule id -> counters. The program makes an entry at a rule's first drop
 * (making 100k zeroed per-CPU entries up front costs seconds); user space
 * deletes it with the rule. Ids are never reused, so a packet that was
 * still matching a just-removed rule can at worst leave an orphan entry,
 * which nothing reads and flush deletes. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, XDPB_MAX_RULES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct xdpb_counter);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPB_T_MAX);
	__type(key, __u32);
	__type(value, struct xdpb_counter);
} totals SEC(".maps");

/* Only user space reads and writes it; it lives here so that one load
 * creates and pins every map. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpb_meta);
} meta SEC(".maps");

/* What one packet is matched on, and the walk through its prefixes. */
struct walk {
	struct xdpb_key key;	/* address, and the longest prefix still to try */
	__u8 v6;
	__u8 proto;
	__u8 has_port;
	__u16 dport;
	__u16 sport;
	__u32 id;		/* the matching rule, with hit */
	__u8 hit;
};

static __always_inline void count(__u32 slot, __u64 bytes)
{
	struct xdpb_counter *c = bpf_map_lookup_elem(&totals, &slot);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline int rules_match(const struct xdpb_rules *r, struct walk *w)
{
	for (__u32 i = 0; i < XDPB_MAX_MATCHES; i++) {
		const struct xdpb_match *m = &r->m[i];

		if (i >= r->count)
			break;
		if ((m->flags & XDPB_M_PROTO) && m->proto != w->proto)
			continue;
		if (m->flags & (XDPB_M_PORT | XDPB_M_SPORT)) {
			bool d, s;

			if (!w->has_port)
				continue;
			if (!(m->flags & XDPB_M_PROTO) && w->proto != IPPROTO_TCP_ &&
			    w->proto != IPPROTO_UDP_)
				continue;
			d = (m->flags & XDPB_M_PORT) && w->dport >= m->port_lo && w->dport <= m->port_hi;
			s = (m->flags & XDPB_M_SPORT) && w->sport >= m->port_lo && w->sport <= m->port_hi;
			if (!d && !s)
				continue;
		}
		w->id = m->id;
		return 1;
	}
	return 0;
}

/* One bpf_loop step: the longest prefix not longer than key.prefixlen. */
static long walk_step(__u32 i, void *ctx)
{
	struct walk *w = ctx;
	struct xdpb_rules *r;
	__u32 plen;

	if (w->v6)
		r = bpf_map_lookup_elem(&rules_v6, &w->key);
	else
		r = bpf_map_lookup_elem(&rules_v4, &w->key);
	if (!r)
		return 1;
	if (rules_match(r, w)) {
		w->hit = 1;
		return 1;
	}
	plen = r->prefixlen;
	if (plen == 0 || plen > w->key.prefixlen)
		return 1;
	w->key.prefixlen = plen - 1;
	return 0;
}

/* Fills w from the packet; 0 when it is not an IP packet we can read. */
static __always_inline int parse(void *data, void *end, struct walk *w)
{
	struct ethhdr *eth = data;
	__u32 off = sizeof(*eth);
	__u16 h_proto;
	__u8 l4 = 1;

	if ((void *)(eth + 1) > end)
		return 0;
	h_proto = eth->h_proto;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		struct vlan_hdr *vh = data + off;

		if (h_proto != bpf_htons(ETH_P_8021Q_) && h_proto != bpf_htons(ETH_P_8021AD_))
			break;
		if ((void *)(vh + 1) > end)
			return 0;
		h_proto = vh->h_vlan_encapsulated_proto;
		off += sizeof(*vh);
	}

	if (h_proto == bpf_htons(ETH_P_IP_)) {
		struct iphdr *ip = data + off;

		if ((void *)(ip + 1) > end || ip->ihl < 5)
			return 0;
		__builtin_memcpy(w->key.addr, &ip->saddr, 4);
		w->key.prefixlen = 32;
		w->proto = ip->protocol;
		/* Later fragments carry no ports. */
		l4 = !(ip->frag_off & bpf_htons(IP_OFFSET_MASK));
		off += ip->ihl * 4;
	} else if (h_proto == bpf_htons(ETH_P_IPV6_)) {
		struct ipv6hdr *ip6 = data + off;
		__u8 nexthdr;

		if ((void *)(ip6 + 1) > end)
			return 0;
		__builtin_memcpy(w->key.addr, &ip6->saddr, 16);
		w->key.prefixlen = 128;
		w->v6 = 1;
		nexthdr = ip6->nexthdr;
		off += sizeof(*ip6);
#pragma unroll
		for (int i = 0; i < MAX_EXT_HDRS; i++) {
			struct ipv6_opt_hdr *oh = data + off;

			if (nexthdr != NEXTHDR_HOP && nexthdr != NEXTHDR_ROUTING &&
			    nexthdr != NEXTHDR_DEST && nexthdr != NEXTHDR_FRAG &&
			    nexthdr != NEXTHDR_AUTH)
				break;
			if (off > MAX_L4_OFF || (void *)(oh + 1) > end) {
				l4 = 0;
				break;
			}
			if (nexthdr == NEXTHDR_FRAG) {
				struct frag_hdr *fh = data + off;

				if ((void *)(fh + 1) > end) {
					l4 = 0;
					break;
				}
				if (fh->frag_off & bpf_htons(IP6_OFFSET_MASK))
					l4 = 0;
				off += sizeof(*fh);
			} else if (nexthdr == NEXTHDR_AUTH) {
				off += (oh->hdrlen + 2) * 4;
			} else {
				off += (oh->hdrlen + 1) * 8;
			}
			nexthdr = oh->nexthdr;
		}
		w->proto = nexthdr;
	} else {
		return 0;
	}

	if (l4 && off <= MAX_L4_OFF &&
	    (w->proto == IPPROTO_TCP_ || w->proto == IPPROTO_UDP_ || w->proto == IPPROTO_SCTP_)) {
		/* TCP, UDP and SCTP all start with source then destination port. */
		__be16 *ports = data + off;

		if ((void *)(ports + 2) <= end) {
			w->sport = bpf_ntohs(ports[0]);
			w->dport = bpf_ntohs(ports[1]);
			w->has_port = 1;
		}
	}
	return 1;
}

/* The walk without bpf_loop (kernels before 5.17) is a bounded loop (5.3+),
 * which the verifier follows one step at a time: 129 steps for IPv6. So
 * that it does so once, not once for every way parse() can end, each
 * family's walk is a global function (5.6+), which the verifier checks on
 * its own, for any arguments: scalars only (what 5.10 allows), the packet's
 * protocol, ports and flag packed in one (pkt_info). It returns 0, or the
 * matching rule's id with bit 32 set.
 *
 * On its way, each branch the verifier meets is a state kept for later,
 * at most 8192 at once; rules_match's few branches per rule, times 16
 * rules, times 129 steps, are too many. So here the same test has no
 * branch: each comparison is the sign bit of a difference, hidden from the
 * compiler (barrier_var), which would otherwise make it a jump again. */
#define WALK_HIT	(1ULL << 32)

static __always_inline __u64 pkt_info(const struct walk *w)
{
	return w->proto | (__u64)w->has_port << 8 | (__u64)w->dport << 16 | (__u64)w->sport << 32;
}

/* 1 when a < b; both below 2^32. */
static __always_inline __u64 below(__u64 a, __u64 b)
{
	__u64 d = a - b;

	barrier_var(d);
	return d >> 63;
}

/* rules_match, every rule at once: WALK_HIT | id of the first that
 * matches, or 0. Slots past r->count are zeroed and count for nothing. */
static __always_inline __u64 rules_match_flat(const struct xdpb_rules *r, __u64 info)
{
	__u64 proto = info & 0xff, has_port = (info >> 8) & 1;
	__u64 dport = (info >> 16) & 0xffff, sport = info >> 32;
	__u64 tcp_udp = (1 ^ below(0, proto ^ IPPROTO_TCP_)) | (1 ^ below(0, proto ^ IPPROTO_UDP_));
	__u64 hit = 0, id = 0, count = r->count;

	/* Backwards, so that the first matching rule is the one kept. */
#pragma unroll
	for (int i = XDPB_MAX_MATCHES - 1; i >= 0; i--) {
		const struct xdpb_match *m = &r->m[i];
		__u64 f_proto = m->flags & XDPB_M_PROTO;
		__u64 f_dport = (m->flags & XDPB_M_PORT) >> 1;
		__u64 f_sport = (m->flags & XDPB_M_SPORT) >> 2;
		__u64 proto_ok = 1 ^ below(0, m->proto ^ proto);
		__u64 d_ok = f_dport & (1 ^ below(dport, m->port_lo)) & (1 ^ below(m->port_hi, dport));
		__u64 s_ok = f_sport & (1 ^ below(sport, m->port_lo)) & (1 ^ below(m->port_hi, sport));
		__u64 port_ok = has_port & (f_proto | tcp_udp) & (d_ok | s_ok);
		__u64 ok = below(i, count) & ((1 ^ f_proto) | proto_ok) &
			   ((1 ^ (f_dport | f_sport)) | port_ok);
		__u64 mask = 0 - ok;

		barrier_var(mask);
		id = (id & ~mask) | (m->id & mask);
		hit |= ok;
	}
	return hit ? WALK_HIT | id : 0;
}

/* walk_step's loop; key holds the address and its full length. */
static __always_inline __u64 walk_bounded(void *trie, struct xdpb_key *key, __u32 steps, __u64 info)
{
	for (__u32 i = 0; i < steps; i++) {
		struct xdpb_rules *r = bpf_map_lookup_elem(trie, key);
		__u64 res;
		__u32 plen;

		if (!r)
			return 0;
		res = rules_match_flat(r, info);
		if (res)
			return res;
		plen = r->prefixlen;
		if (plen == 0 || plen > key->prefixlen)
			return 0;
		key->prefixlen = plen - 1;
	}
	return 0;
}

/* addr: the source address as it lies in the packet. */
__noinline __u64 xdpblock_walk4(__u32 addr, __u64 info)
{
	struct xdpb_key key;	/* the IPv4 trie reads its first 8 bytes */

	/* Field by field: an initialised struct would come from .rodata, a
	 * map of its own. */
	key.prefixlen = 32;
	__builtin_memcpy(key.addr, &addr, 4);
	return walk_bounded(&rules_v4, &key, 33, info);
}

/* a0, a1: the source address's first and last 8 bytes, as in the packet. */
__noinline __u64 xdpblock_walk6(__u64 a0, __u64 a1, __u64 info)
{
	struct xdpb_key key;

	key.prefixlen = 128;
	__builtin_memcpy(key.addr, &a0, 8);
	__builtin_memcpy(key.addr + 8, &a1, 8);
	return walk_bounded(&rules_v6, &key, 129, info);
}

static __always_inline int run(struct xdp_md *ctx, bool bounded)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u64 bytes = end - data;
	struct walk w = {};
	struct xdpb_counter *c;

	if (!parse(data, end, &w)) {
		count(XDPB_T_OTHER, bytes);
		return XDP_PASS;
	}
	/* At most one step per possible prefix length. */
	if (bounded) {
		__u64 a0, a1, res;
		__u32 a;

		if (w.v6) {
			__builtin_memcpy(&a0, w.key.addr, 8);
			__builtin_memcpy(&a1, w.key.addr + 8, 8);
			res = xdpblock_walk6(a0, a1, pkt_info(&w));
		} else {
			__builtin_memcpy(&a, w.key.addr, 4);
			res = xdpblock_walk4(a, pkt_info(&w));
		}
		w.hit = !!(res & WALK_HIT);
		w.id = res;
	} else {
		bpf_loop(w.v6 ? 129 : 33, walk_step, &w, 0);
	}
	if (!w.hit) {
		count(XDPB_T_PASSED, bytes);
		return XDP_PASS;
	}
	c = bpf_map_lookup_elem(&stats, &w.id);
	if (!c) {
		struct xdpb_counter first = { .packets = 1, .bytes = bytes };

		/* Another CPU may have made it meanwhile: then add to that. */
		if (!bpf_map_update_elem(&stats, &w.id, &first, BPF_NOEXIST))
			goto dropped;
		c = bpf_map_lookup_elem(&stats, &w.id);
	}
	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
dropped:
	count(XDPB_T_DROPPED, bytes);
	return XDP_DROP;
}

/* For kernels without bpf_loop. User space loads one of the two programs,
 * by probing the kernel. This one comes first in the section, so that
 * `ip link set dev X xdp obj xdpblock.bpf.o sec xdp`, which takes the
 * section's first program, works on those kernels too. */
SEC("xdp")
int xdpblock_bound(struct xdp_md *ctx)
{
	return run(ctx, true);
}

/* The default: one bpf_loop walk is verified once, not step by step. */
SEC("xdp")
int xdpblock(struct xdp_md *ctx)
{
	return run(ctx, false);
}
