/* SPDX-License-Identifier: GPL-2.0 */
/* Following a packet once it matched, where the filters alone would lose
 * it: by its skb, which stays the same struct through NAT, tunnels and
 * veth hops between namespaces; into its clones, which share its data
 * (skb->head); and across a NAT, by the flow's tuples on both sides as
 * conntrack holds them, so that the hops after a translation and the
 * answer's hops before the translation back show too. Included by
 * tracepkt_pkt.bpf.h, after the filters.
 *
 * Everything is bounded: LRU maps, an age after which an entry no longer
 * counts (an skb freed where no tracepoint sees it leaves its address to
 * the next one), and a continuity check (the same data or the same
 * addresses as last seen) before a known address is believed. */
#ifndef TRACEPKT_TRACK_BPF_H
#define TRACEPKT_TRACK_BPF_H

extern const volatile bool track_on;	/* not --no-track */
/* Gates: while both are 0, nothing is followed and no map is looked at. */
extern __u64 track_live;	/* skbs followed (inserts less deletes) */
/* When a followed skb was last freed, until a second has passed: a tunnel
 * may have copied it into a new skb first (track_inner), and with none
 * left followed the gate must still let that one be looked up. */
extern __u64 freed_at;
extern __u64 nat_live;		/* a translated flow was seen */

#define TRACK_AGE_NS	(1000ULL * 1000 * 1000)
#define TRACK_MAX	4096
#define IPS_SRC_NAT_	(1UL << 4)
#define IPS_DST_NAT_	(1UL << 5)
#define AF_INET_	2
#define AF_INET6_	10

struct tpk_track {
	__u64 ts;		/* last seen */
	__u64 head;		/* skb->head then */
	__u64 ct;		/* the conntrack entry whose NAT was noted */
	struct tpk_tuple t;	/* addresses then */
	struct tpk_tuple in;	/* ... and the innermost packet's (no ports) */
	__u8 via;		/* enum tpk_via: how it came to be followed */
	__u8 pad[7];
};

struct tpk_track_map {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TRACK_MAX);
	__type(key, __u64);
	__type(value, struct tpk_track);
};
/* By skb address, and by skb->head (the data clones share). */
extern struct tpk_track_map track_skb SEC(".maps");
extern struct tpk_track_map track_head SEC(".maps");

/* A translated flow's tuple on one side of the NAT -> the same packet's
 * tuple on the other side, all four ways. */
struct tpk_nat_map {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TRACK_MAX);
	__type(key, struct tpk_tuple);
	__type(value, struct tpk_tuple);
};
extern struct tpk_nat_map track_nat SEC(".maps");

/* A followed packet's flow -> when it was last seen, kept only once user
 * space has set note_flows (verdicts watched): how a tc or XDP program's
 * verdict (tracepkt_verdict.bpf.c) knows a packet that it sees as bytes,
 * not as the skb followed (veth's XDP runs on a copy). */
extern bool note_flows;
struct tpk_flow_map {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TRACK_MAX);
	__type(key, struct tpk_tuple);
	__type(value, __u64);
};
extern struct tpk_flow_map track_flow SEC(".maps");

static __always_inline void flow_note(const struct tpk_tuple *t, __u64 now)
{
	if (note_flows)
		bpf_map_update_elem(&track_flow, t, &now, BPF_ANY);
}

/* Working space off the stack, which the drop program has little of. */
struct track_scratch {
	struct tpk_track v;
	struct tpk_tuple cur;		/* the packet's, in track_find */
	struct tpk_tuple cur_in;	/* its innermost packet's */
	__u8 raw[2][40];		/* conntrack's tuples, as stored */
	struct tpk_tuple nat[4];	/* orig, reply, and each reversed */
	struct tpk_tuple as;		/* a flow's tuple across its NAT */
	struct pkt q;			/* the packet as it looks there */
};

struct tpk_track_scratch_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct track_scratch);
};
extern struct tpk_track_scratch_map track_scratch SEC(".maps");

/* nf_conntrack is a module on most distributions: local flavours,
 * relocated against its BTF, and only the offsets are taken from them.
 * The tuple itself has kept one layout since 2.6: src.u3 at 0, src.u at
 * 16, src.l3num at 18, dst.u3 at 20, dst.u at 36, dst.protonum at 38. */
struct nf_conntrack_tuple___tpk {
	__u32 unused;
};

struct nf_conntrack_tuple_hash___tpk {
	struct nf_conntrack_tuple___tpk tuple;
} __attribute__((preserve_access_index));

struct nf_conn___tpk {
	struct nf_conntrack_tuple_hash___tpk tuplehash[2];
	unsigned long status;
} __attribute__((preserve_access_index));

static __always_inline bool tuple_eq(const struct tpk_tuple *a, const struct tpk_tuple *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	for (int i = 0; i < (int)(sizeof(*a) / 8); i++)
		if (x[i] != y[i])
			return false;
	return true;
}

/* A conntrack tuple as tracepkt's: false for a family it does not trace. */
static __always_inline bool tuple_of_ct(const __u8 *raw, struct tpk_tuple *t)
{
	__u16 l3num = *(const __u16 *)(raw + 18);
	__u16 sp = bpf_ntohs(*(const __be16 *)(raw + 16));
	__u16 dp = bpf_ntohs(*(const __be16 *)(raw + 36));

	__builtin_memset(t, 0, sizeof(*t));
	if (l3num == AF_INET_) {
		t->ipver = 4;
		__builtin_memcpy(t->saddr, raw, 4);
		__builtin_memcpy(t->daddr, raw + 20, 4);
	} else if (l3num == AF_INET6_) {
		t->ipver = 6;
		__builtin_memcpy(t->saddr, raw, 16);
		__builtin_memcpy(t->daddr, raw + 20, 16);
	} else {
		return false;
	}
	t->proto = raw[38];
	if (t->proto == IPPROTO_TCP_ || t->proto == IPPROTO_UDP_) {
		t->sport = sp;
		t->dport = dp;
	} else if (t->proto == IPPROTO_ICMP_ || t->proto == IPPROTO_ICMPV6_) {
		t->sport = sp;	/* the echo id; dst.u holds the type */
	}
	return true;
}

/* The answer's tuple: ICMP echo keeps its id where it was. */
static __always_inline void tuple_rev(const struct tpk_tuple *t, struct tpk_tuple *r)
{
	*r = *t;
	__builtin_memcpy(r->saddr, t->daddr, 16);
	__builtin_memcpy(r->daddr, t->saddr, 16);
	if (t->proto == IPPROTO_TCP_ || t->proto == IPPROTO_UDP_) {
		r->sport = t->dport;
		r->dport = t->sport;
	}
}

#define ETH_P_IP_	0x0800
#define ETH_P_IPV6_	0x86DD
#define ETH_P_TEB_	0x6558	/* Ethernet in GRE or Geneve */
#define GRE_CSUM_	0x8000
#define GRE_KEY_	0x2000
#define GRE_SEQ_	0x1000
#define IPPROTO_IPIP_	4
#define IPPROTO_IPV6_	41
#define IPPROTO_GRE_	47

/* Where a tunnel's carrier holds its inner IP header (from skb->head; 0:
 * p is no carrier tracepkt knows): IPIP, IPv6 in IP, GRE and GRETAP,
 * VXLAN (4789, and Linux's old 8472) and Geneve, as their headers say. */
static __always_inline __u32 inner_ip(unsigned char *head, const struct pkt *p)
{
	__u32 l4 = p->net + p->l4off;
	struct {
		__be16 flags, proto;
	} h;

	if (p->l4proto == IPPROTO_IPIP_ || p->l4proto == IPPROTO_IPV6_)
		return l4;
	if (p->l4proto == IPPROTO_GRE_) {
		__u16 f, proto;

		if (bpf_probe_read_kernel(&h, sizeof(h), head + l4))
			return 0;
		f = bpf_ntohs(h.flags);
		proto = bpf_ntohs(h.proto);
		l4 += 4 + (f & GRE_CSUM_ ? 4 : 0) + (f & GRE_KEY_ ? 4 : 0) + (f & GRE_SEQ_ ? 4 : 0);
		if (proto == ETH_P_TEB_)
			return l4 + ETH_HLEN;
		return proto == ETH_P_IP_ || proto == ETH_P_IPV6_ ? l4 : 0;
	}
	if (p->l4proto != IPPROTO_UDP_)
		return 0;
	if (p->dport == 4789 || p->dport == 8472)
		return l4 + 8 + 8 + ETH_HLEN;
	if (p->dport != 6081)
		return 0;
	/* Geneve: options' length in 4-byte words, then the protocol. */
	if (bpf_probe_read_kernel(&h, sizeof(h), head + l4 + 8))
		return 0;
	if (bpf_ntohs(h.proto) != ETH_P_TEB_)
		return 0;
	return l4 + 8 + 8 + (bpf_ntohs(h.flags) >> 8 & 0x3f) * 4 + ETH_HLEN;
}

/* The innermost packet's addresses and protocol (one level in): what
 * stays the same when a tunnel puts an skb in a new head or takes it out.
 * True when there is one (the packet is a tunnel's underlay); else t is
 * the packet's own, ports left out. */
static __always_inline bool tuple_inner(struct sk_buff *skb, const struct pkt *p,
					struct tpk_tuple *t, struct track_scratch *s)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u32 off = inner_ip(head, p);
	__u8 *h = s->raw[0];

	tuple_of(p, t);
	t->sport = t->dport = 0;
	if (!off || bpf_probe_read_kernel(h, 40, head + off))
		return false;
	__builtin_memset(t, 0, sizeof(*t));
	t->ipver = h[0] >> 4;
	if (t->ipver == 4) {
		t->proto = h[9];
		__builtin_memcpy(t->saddr, h + 12, 4);
		__builtin_memcpy(t->daddr, h + 16, 4);
	} else if (t->ipver == 6) {
		t->proto = h[6];
		__builtin_memcpy(t->saddr, h + 8, 16);
		__builtin_memcpy(t->daddr, h + 24, 16);
	}
	return true;
}

/* A followed packet's innermost addresses -> when last seen: how a tunnel
 * that builds its underlay in a new skb (ip6gre's transmit copies the skb
 * when it lacks headroom, before 6.1 and again since) is followed into
 * it: a new underlay skb whose inner packet is a followed one's. Only
 * underlay packets are looked up (a packet's own addresses would take in
 * any packet between the same two hosts). */
struct tpk_inner_map {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TRACK_MAX);
	__type(key, struct tpk_tuple);
	__type(value, __u64);
};
extern struct tpk_inner_map track_inner SEC(".maps");

/* A followed packet's conntrack entry, once: if it translates, remember
 * the flow on both sides of the translation. */
static __always_inline void nat_note(struct sk_buff *skb, struct tpk_track *tr, struct track_scratch *s)
{
	struct nf_conn___tpk *ct;
	__u64 nfct;

	if (!bpf_core_field_exists(skb->_nfct) || !bpf_core_type_exists(struct nf_conn___tpk))
		return;
	nfct = BPF_CORE_READ(skb, _nfct) & ~7UL;
	if (!nfct || nfct == tr->ct)
		return;
	tr->ct = nfct;
	ct = (struct nf_conn___tpk *)nfct;
	if (!(BPF_CORE_READ(ct, status) & (IPS_SRC_NAT_ | IPS_DST_NAT_)))
		return;
	if (bpf_core_read(s->raw[0], 40, &ct->tuplehash[0].tuple) ||
	    bpf_core_read(s->raw[1], 40, &ct->tuplehash[1].tuple))
		return;
	if (!tuple_of_ct(s->raw[0], &s->nat[0]) || !tuple_of_ct(s->raw[1], &s->nat[1]))
		return;
	tuple_rev(&s->nat[0], &s->nat[2]);
	tuple_rev(&s->nat[1], &s->nat[3]);
	/* The request before and after, the answer before and after. */
	bpf_map_update_elem(&track_nat, &s->nat[0], &s->nat[3], BPF_ANY);
	bpf_map_update_elem(&track_nat, &s->nat[3], &s->nat[0], BPF_ANY);
	bpf_map_update_elem(&track_nat, &s->nat[1], &s->nat[2], BPF_ANY);
	bpf_map_update_elem(&track_nat, &s->nat[2], &s->nat[1], BPF_ANY);
	nat_live = 1;
}

static __always_inline struct track_scratch *scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&track_scratch, &zero);
}

/* A clone of a followed skb: a new skb on the same data, with the same
 * addresses. */
static __always_inline bool is_clone(struct sk_buff *skb, __u64 head, const struct tpk_tuple *t,
				     __u64 now)
{
	struct tpk_track *h;

	if (!track_live || !BPF_CORE_READ_BITFIELD_PROBED(skb, cloned))
		return false;
	h = bpf_map_lookup_elem(&track_head, &head);
	return h && now - h->ts < TRACK_AGE_NS && tuple_eq(&h->t, t);
}

/* Follow skb from here on: it matched (via), as parsed in p. Returns via,
 * or TPK_VIA_CLONE for a clone of a followed skb the filters match too. */
static __always_inline __u8 track_note(struct sk_buff *skb, const struct pkt *p, __u8 via)
{
	__u64 key = (__u64)skb, head = (__u64)BPF_CORE_READ(skb, head), now = bpf_ktime_get_ns();
	struct track_scratch *s = scratch();
	struct tpk_track *tr;

	if (!s)
		return via;
	tr = track_live ? bpf_map_lookup_elem(&track_skb, &key) : NULL;
	if (tr && now - tr->ts < TRACK_AGE_NS) {
		tr->ts = now;
		tr->head = head;
		tuple_of(p, &tr->t);
		tuple_inner(skb, p, &tr->in, s);
		nat_note(skb, tr, s);
		flow_note(&tr->t, now);
		bpf_map_update_elem(&track_inner, &tr->in, &now, BPF_ANY);
		return tr->via == TPK_VIA_CLONE ? TPK_VIA_CLONE : via;
	}
	__builtin_memset(&s->v, 0, sizeof(s->v));
	s->v.ts = now;
	s->v.head = head;
	tuple_of(p, &s->v.t);
	tuple_inner(skb, p, &s->v.in, s);
	if (via == TPK_VIA_FILTER && is_clone(skb, head, &s->v.t, now))
		via = TPK_VIA_CLONE;
	s->v.via = via;
	nat_note(skb, &s->v, s);
	if (tr)
		*tr = s->v;	/* a stale entry: a new skb at a freed one's address */
	else if (!bpf_map_update_elem(&track_skb, &key, &s->v, BPF_NOEXIST))
		__sync_fetch_and_add(&track_live, 1);
	bpf_map_update_elem(&track_head, &head, &s->v, BPF_ANY);
	flow_note(&s->v.t, now);
	bpf_map_update_elem(&track_inner, &s->v.in, &now, BPF_ANY);
	return via;
}

/* Is tr, found by skb's address, the same packet? Its data or its
 * addresses as when last seen, or addresses its NAT gave it (a NAT
 * rewrites a shared skb's data into a copy). Else it is a new skb at a
 * freed one's address. */
static __always_inline bool track_same(struct sk_buff *skb, struct tpk_track *tr, __u64 head,
				       struct track_scratch *s)
{
	struct tpk_tuple *as;

	if (tr->head == head || tuple_eq(&tr->t, &s->cur))
		return true;
	/* Into a tunnel or out of one, in a new head: the inner packet. */
	if (tuple_eq(&tr->in, &s->cur_in))
		return true;
	nat_note(skb, tr, s);
	as = nat_live ? bpf_map_lookup_elem(&track_nat, &s->cur) : NULL;
	return as && tuple_eq(as, &tr->t);
}

enum { FIND_NO, FIND_YES, FIND_NAT };

/* Is skb, which the filters do not want as it is, one being followed?
 * FIND_YES, how in *via; or FIND_NAT: its flow was seen across a NAT,
 * and the filters must judge it as it looks on the other side (s->as).
 * A function of its own, and one that runs no filter: the verifier
 * counts its frame on top of the probe's (5.10 and 6.1 allow 512 bytes
 * for a chain of calls, and each frame is at least 32). */
static __noinline int track_find(struct sk_buff *skb, struct pkt *p, __u8 *via, bool note)
{
	__u64 key = (__u64)skb, head = (__u64)BPF_CORE_READ(skb, head), now = bpf_ktime_get_ns();
	struct track_scratch *s = scratch();
	struct tpk_tuple *as;
	struct tpk_track *tr;
	__u64 *seen;
	bool under;

	if (!s)
		return FIND_NO;
	tuple_of(p, &s->cur);
	under = tuple_inner(skb, p, &s->cur_in, s);
	if (track_live) {
		tr = bpf_map_lookup_elem(&track_skb, &key);
		if (tr && now - tr->ts < TRACK_AGE_NS && track_same(skb, tr, head, s)) {
			tr->ts = now;
			tr->head = head;
			tr->t = s->cur;
			tr->in = s->cur_in;
			*via = tr->via == TPK_VIA_CLONE ? TPK_VIA_CLONE : TPK_VIA_SKB;
			nat_note(skb, tr, s);
			flow_note(&tr->t, now);
			bpf_map_update_elem(&track_inner, &tr->in, &now, BPF_ANY);
			return FIND_YES;
		}
		if (is_clone(skb, head, &s->cur, now)) {
			*via = note ? track_note(skb, p, TPK_VIA_CLONE) : TPK_VIA_CLONE;
			return FIND_YES;
		}
	}
	if (freed_at && now - freed_at >= TRACK_AGE_NS)
		freed_at = 0;	/* nothing freed lately: the gate closes */
	seen = under ? bpf_map_lookup_elem(&track_inner, &s->cur_in) : NULL;
	if (seen && now - *seen < TRACK_AGE_NS) {
		*via = note ? track_note(skb, p, TPK_VIA_SKB) : TPK_VIA_SKB;
		return FIND_YES;
	}
	if (!nat_live)
		return FIND_NO;
	as = bpf_map_lookup_elem(&track_nat, &s->cur);
	if (!as)
		return FIND_NO;
	s->as = *as;
	return FIND_NAT;
}

/* The one question every probe asks: parse skb into p, and say whether
 * user space wants it, and why (*via). With note, a wanted skb is followed
 * from here on; without, it is only asked about: where the skb may be
 * freed already (at a table's return: since 6.8 a table that drops frees
 * the skb itself) or is being freed, a new entry would outlive it and
 * lend its address to the next skb. */
static __always_inline bool skb_wanted(struct sk_buff *skb, struct pkt *p, __u8 *via, bool note)
{
	bool follow = track_on && (track_live || nat_live || freed_at);
	struct track_scratch *s;

	if (parse_skb(skb, p, follow))
		return false;
	*via = TPK_VIA_FILTER;
	if (packet_wanted(skb, p)) {
		if (track_on && note)
			*via = track_note(skb, p, TPK_VIA_FILTER);
		return true;
	}
	if (!follow)
		return false;
	switch (track_find(skb, p, via, note)) {
	case FIND_YES:
		return true;
	case FIND_NAT:
		s = scratch();
		if (!s || !packet_wanted_as(skb, p, &s->as, &s->q))
			return false;
		*via = note ? track_note(skb, p, TPK_VIA_NAT) : TPK_VIA_NAT;
		return true;
	default:
		return false;
	}
}

/* skb is being freed: stop following it, and its data if it was the last
 * to hold it. */
static __always_inline void track_forget(struct sk_buff *skb)
{
	__u64 key = (__u64)skb, head;
	struct skb_shared_info *si;
	struct tpk_track *tr;

	if (!track_on || !track_live)
		return;
	tr = bpf_map_lookup_elem(&track_skb, &key);
	if (!tr)
		return;
	head = tr->head;
	if (!bpf_map_delete_elem(&track_skb, &key))
		__sync_fetch_and_sub(&track_live, 1);
	freed_at = bpf_ktime_get_ns();
	si = (struct skb_shared_info *)(BPF_CORE_READ(skb, head) + BPF_CORE_READ(skb, end));
	if ((BPF_CORE_READ(si, dataref.counter) & 0xffff) <= 1)
		bpf_map_delete_elem(&track_head, &head);
}

#endif
