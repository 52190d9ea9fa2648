// SPDX-License-Identifier: GPL-2.0
/* tracepkt's netfilter side, linked with tracepkt.bpf.c: a table's verdict
 * read at the return of ipt_do_table / ip6t_do_table / nft_do_chain (fexit,
 * or kprobe + kretprobe), or inferred from netfilter-link probes placed
 * around each table (nfhook), plus drops seen at skb:kfree_skb.
 * User space autoloads one backend's programs. */
#include "tracepkt_pkt.bpf.h"

#define NF_DROP_	0
#define NF_ACCEPT_	1
#define NF_STOLEN_	2
#define NF_VERDICT_MASK_ 0xff
#define NF_VERDICT_QBITS_ 16
#define NFPROTO_IPV4_	2
#define NFPROTO_IPV6_	10
#define IP_CT_NEW_	2
#define NFCT_INFOMASK_	7

const volatile bool want_drops;		/* --drops */
/* icmpv6_rcv's text, where it frees every message it handled as dropped
 * (before 6.2); 0 elsewhere. */
const volatile __u64 icmp6_rcv_lo, icmp6_rcv_hi;

/* ip_tables and nf_tables are modules on most distributions, so their
 * types may be missing from the vmlinux.h we build with: local flavours,
 * relocated by name against the module's BTF at load time. */
struct xt_table___tpk {
	char name[32];
} __attribute__((preserve_access_index));

struct nft_table___tpk {
	char *name;
} __attribute__((preserve_access_index));

struct nft_chain___tpk {
	struct nft_table___tpk *table;
	char *name;
} __attribute__((preserve_access_index));

struct nft_pktinfo___tpk {
	struct sk_buff *skb;
	const struct nf_hook_state *state;
} __attribute__((preserve_access_index));

static __always_inline int nf_emit(struct sk_buff *skb, const struct nf_hook_state *state,
				   const char *table, bool table_is_ptr, const char *chain,
				   int verdict, __u8 backend)
{
	struct tpk_event *e;

	if ((filter_netns || filter_ifname[0]) && !hook_where(state))
		return 0;
	e = event_start(skb, BPF_CORE_READ(skb, dev), TPK_EV_NF, true, false);
	if (!e)
		return 0;
	e->hook = BPF_CORE_READ(state, hook);
	e->nf_pf = BPF_CORE_READ(state, pf);
	e->hook_netns = BPF_CORE_READ(state, net, ns.inum);
	e->verdict = verdict;
	e->nf_backend = backend;
	if (table_is_ptr) {
		bpf_probe_read_kernel_str(e->table, sizeof(e->table), table);
	} else {
		/* nft: table and chain names are pointers. */
		char *p = NULL;

		bpf_probe_read_kernel(&p, sizeof(p), table);
		if (p)
			bpf_probe_read_kernel_str(e->table, sizeof(e->table), p);
		p = NULL;
		bpf_probe_read_kernel(&p, sizeof(p), chain);
		if (p)
			bpf_probe_read_kernel_str(e->chain, sizeof(e->chain), p);
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* Since NF_DROP_REASON (6.8, and in stable kernels such as Debian's 6.1), a
 * table that drops frees the skb itself, with reason NETFILTER_DROP, and
 * returns NF_STOLEN with the errno above the verdict bits: that is a DROP.
 * A plain STOLEN carries no errno. */
static __always_inline int nf_verdict(unsigned int ret)
{
	int code = ret & NF_VERDICT_MASK_;

	if (code == NF_STOLEN_ && (ret >> NF_VERDICT_QBITS_))
		return NF_DROP_;
	return code;
}

static __always_inline int on_xt(struct sk_buff *skb, const struct nf_hook_state *state,
				 struct xt_table___tpk *table, unsigned int ret, __u8 backend)
{
	return nf_emit(skb, state, table->name, true, NULL, nf_verdict(ret), backend);
}

static __always_inline int on_nft(struct nft_pktinfo___tpk *pkt, struct nft_chain___tpk *chain,
				  unsigned int ret, __u8 backend)
{
	struct nft_table___tpk *table = BPF_CORE_READ(chain, table);

	return nf_emit(BPF_CORE_READ(pkt, skb), BPF_CORE_READ(pkt, state),
		       (const char *)&table->name, false, (const char *)&chain->name,
		       nf_verdict(ret), backend);
}

/* fexit: arguments and return value in one place. Since 5.16 the xtables
 * entry points take (priv = table, skb, state); before, (skb, state, table).
 * User space reads the kernel's BTF to pick one. */
SEC("fexit/ipt_do_table")
int BPF_PROG(fexit_ipt_new, void *priv, struct sk_buff *skb, const struct nf_hook_state *state,
	     unsigned int ret)
{
	return on_xt(skb, state, priv, ret, TPK_NF_FEXIT);
}

SEC("fexit/ipt_do_table")
int BPF_PROG(fexit_ipt_old, struct sk_buff *skb, const struct nf_hook_state *state, void *table,
	     unsigned int ret)
{
	return on_xt(skb, state, table, ret, TPK_NF_FEXIT);
}

SEC("fexit/ip6t_do_table")
int BPF_PROG(fexit_ip6t_new, void *priv, struct sk_buff *skb, const struct nf_hook_state *state,
	     unsigned int ret)
{
	return on_xt(skb, state, priv, ret, TPK_NF_FEXIT);
}

SEC("fexit/ip6t_do_table")
int BPF_PROG(fexit_ip6t_old, struct sk_buff *skb, const struct nf_hook_state *state, void *table,
	     unsigned int ret)
{
	return on_xt(skb, state, table, ret, TPK_NF_FEXIT);
}

SEC("fexit/nft_do_chain")
int BPF_PROG(fexit_nft, void *pkt, void *priv, unsigned int ret)
{
	return on_nft(pkt, priv, ret, TPK_NF_FEXIT);
}

/* kprobe + kretprobe: the entry stashes the arguments per thread. */
struct nf_args {
	__u64 a[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);		/* tid << 2 | which function */
	__type(value, struct nf_args);
} nf_stash SEC(".maps");

enum { FN_IPT, FN_IP6T, FN_NFT };

static __always_inline int stash(__u64 fn, __u64 a0, __u64 a1, __u64 a2)
{
	__u64 key = bpf_get_current_pid_tgid() << 2 | fn;
	struct nf_args args = { .a = { a0, a1, a2 } };

	bpf_map_update_elem(&nf_stash, &key, &args, BPF_ANY);
	return 0;
}

static __always_inline struct nf_args *unstash(__u64 fn, struct nf_args *out)
{
	__u64 key = bpf_get_current_pid_tgid() << 2 | fn;
	struct nf_args *args = bpf_map_lookup_elem(&nf_stash, &key);

	if (!args)
		return NULL;
	*out = *args;
	bpf_map_delete_elem(&nf_stash, &key);
	return out;
}

SEC("kprobe/ipt_do_table")
int BPF_KPROBE(kp_ipt, void *a0, void *a1, void *a2)
{
	return stash(FN_IPT, (__u64)a0, (__u64)a1, (__u64)a2);
}

SEC("kprobe/ip6t_do_table")
int BPF_KPROBE(kp_ip6t, void *a0, void *a1, void *a2)
{
	return stash(FN_IP6T, (__u64)a0, (__u64)a1, (__u64)a2);
}

SEC("kprobe/nft_do_chain")
int BPF_KPROBE(kp_nft, void *a0, void *a1)
{
	return stash(FN_NFT, (__u64)a0, (__u64)a1, 0);
}

static __always_inline int kret_xt(__u64 fn, bool new_abi, unsigned int ret)
{
	struct nf_args a;

	if (!unstash(fn, &a))
		return 0;
	if (new_abi)
		return on_xt((void *)a.a[1], (void *)a.a[2], (void *)a.a[0], ret, TPK_NF_KPROBE);
	return on_xt((void *)a.a[0], (void *)a.a[1], (void *)a.a[2], ret, TPK_NF_KPROBE);
}

SEC("kretprobe/ipt_do_table")
int BPF_KRETPROBE(krp_ipt_new, unsigned int ret)
{
	return kret_xt(FN_IPT, true, ret);
}

SEC("kretprobe/ipt_do_table")
int BPF_KRETPROBE(krp_ipt_old, unsigned int ret)
{
	return kret_xt(FN_IPT, false, ret);
}

SEC("kretprobe/ip6t_do_table")
int BPF_KRETPROBE(krp_ip6t_new, unsigned int ret)
{
	return kret_xt(FN_IP6T, true, ret);
}

SEC("kretprobe/ip6t_do_table")
int BPF_KRETPROBE(krp_ip6t_old, unsigned int ret)
{
	return kret_xt(FN_IP6T, false, ret);
}

SEC("kretprobe/nft_do_chain")
int BPF_KRETPROBE(krp_nft, unsigned int ret)
{
	struct nf_args a;

	if (!unstash(FN_NFT, &a))
		return 0;
	return on_nft((void *)a.a[0], (void *)a.a[1], ret, TPK_NF_KPROBE);
}

/* nfhook: netfilter-link probes around the tables of each hook. A packet
 * seen at position k came out of table k-1 accepted; one freed with
 * NETFILTER_DROP while between positions k and k+1 was dropped by table k.
 * Probes cannot know where they sit (a netfilter link has no cookie): the
 * first of a hook starts the count, the others add one, and a packet meets
 * every probe of a hook in order until a table takes it. */
struct nf_pending {
	__u64 netns;
	__u8 pf, hook;
	__u16 pos;		/* the table it is in */
	__u8 skip;		/* a nat table that lets it by unevaluated */
	__u8 via;		/* enum tpk_via */
	__u8 pad[2];
	/* The packet as the table saw it coming in: a nat table's own line
	 * shows the addresses before its translation, as at the return of
	 * ipt_do_table. */
	struct pkt pkt;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);		/* skb address */
	__type(value, struct nf_pending);
} nf_pending SEC(".maps");

/* Filled by user space: the tables of each (netns, pf, hook). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct tpk_nf_layout_key);
	__type(value, struct tpk_nf_layout);
} nf_layout SEC(".maps");

static __always_inline bool ct_is_new(struct sk_buff *skb)
{
	if (!bpf_core_field_exists(skb->_nfct))
		return true;
	return (BPF_CORE_READ(skb, _nfct) & NFCT_INFOMASK_) == IP_CT_NEW_;
}

static __always_inline void nfhook_emit(struct sk_buff *skb, const struct nf_pending *p,
					int verdict)
{
	struct tpk_event *e = event_fill(skb, BPF_CORE_READ(skb, dev), TPK_EV_NF, &p->pkt, true);

	if (!e)
		return;
	e->via = p->via;
	e->hook = p->hook;
	e->nf_pf = p->pf;
	e->nf_pos = p->pos;
	e->hook_netns = p->netns;
	e->verdict = verdict;
	e->nf_backend = TPK_NF_NFHOOK;
	e->nf_inferred = 1;
	bpf_ringbuf_submit(e, 0);
}

static __always_inline bool nat_at(const struct tpk_nf_layout *layout, __u32 pos)
{
	return (layout->nat_mask[(pos / 64) & (TPK_NF_MAXPOS / 64 - 1)] >> (pos % 64)) & 1;
}

static __always_inline int on_nfhook(struct bpf_nf_ctx *ctx, bool first)
{
	const struct nf_hook_state *state = ctx->state;
	struct sk_buff *skb = ctx->skb;
	struct tpk_nf_layout_key key = {};
	struct tpk_nf_layout *layout;
	struct nf_pending *prev;
	struct nf_pending next = {};
	__u64 skbkey = (__u64)skb;
	__u32 pos;

	key.netns = BPF_CORE_READ(state, net, ns.inum);
	key.pf = BPF_CORE_READ(state, pf);
	key.hook = BPF_CORE_READ(state, hook);
	layout = bpf_map_lookup_elem(&nf_layout, &key);
	if (!layout)
		return NF_ACCEPT_;

	prev = bpf_map_lookup_elem(&nf_pending, &skbkey);
	if (first) {
		/* Whatever an skb at this address left behind is stale. */
		if (prev)
			bpf_map_delete_elem(&nf_pending, &skbkey);
		if ((filter_netns || filter_ifname[0]) && !hook_where(state))
			return NF_ACCEPT_;
		if (!skb_wanted(skb, &next.pkt, &next.via, true))
			return NF_ACCEPT_;
		pos = 0;
	} else {
		/* Read in place: a copy would cost this program's stack the
		 * room track_find's frame needs. */
		if (!prev || prev->netns != key.netns || prev->pf != key.pf || prev->hook != key.hook)
			return NF_ACCEPT_;
		if (!prev->skip)
			nfhook_emit(skb, prev, NF_ACCEPT_);
		pos = prev->pos + 1;
		if (pos >= layout->ntables || pos >= TPK_NF_MAXPOS) {
			/* Past the last table. */
			bpf_map_delete_elem(&nf_pending, &skbkey);
			return NF_ACCEPT_;
		}
		next.via = prev->via;
		if (parse_skb(skb, &next.pkt, true))
			next.pkt = prev->pkt;
	}
	if (pos >= layout->ntables)
		return NF_ACCEPT_;
	next.netns = key.netns;
	next.pf = key.pf;
	next.hook = key.hook;
	next.pos = pos;
	/* A nat table only sees a connection's first packet. */
	next.skip = nat_at(layout, pos) && !ct_is_new(skb);
	bpf_map_update_elem(&nf_pending, &skbkey, &next, BPF_ANY);
	return NF_ACCEPT_;
}

/* Position 0, before a hook's first table. */
SEC("netfilter")
int nf_first(struct bpf_nf_ctx *ctx)
{
	return on_nfhook(ctx, true);
}

/* Every later position: attached once per table. */
SEC("netfilter")
int nf_next(struct bpf_nf_ctx *ctx)
{
	return on_nfhook(ctx, false);
}

/* skb:kfree_skb: the verdict of an nfhook table that dropped the packet,
 * and with --drops, any drop of a traced packet with its reason. */
static __always_inline bool reason_is_drop(__u32 reason)
{
	/* Before 5.17, kfree_skb says nothing more: it is the drop path. */
	if (reason == TPK_DROP_REASON_NONE || !bpf_core_type_exists(enum skb_drop_reason))
		return true;
	if (bpf_core_enum_value_exists(enum skb_drop_reason, SKB_CONSUMED) &&
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_CONSUMED))
		return false;
	if (bpf_core_enum_value_exists(enum skb_drop_reason, SKB_NOT_DROPPED_YET) &&
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_NOT_DROPPED_YET))
		return false;
	return true;
}

/* A raw socket that wants an ICMP echo reply gets a clone of it; the
 * original then goes on to ping_rcv, which frees it as NO_SOCKET when no
 * ping socket wants it (before drop reasons, with a plain kfree_skb), though
 * the reply was delivered. The clone marks the original for good. */
static __always_inline bool raw_delivered(struct sk_buff *skb, const struct pkt *p, __u32 reason)
{
	if (!is_echo(p) || is_request(p))
		return false;
	if (reason != TPK_DROP_REASON_NONE) {
		bool nosock;

		if (!bpf_core_type_exists(enum skb_drop_reason))
			return false;
		nosock = bpf_core_enum_value_exists(enum skb_drop_reason, SKB_DROP_REASON_NO_SOCKET) &&
			 reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NO_SOCKET);
		if (!nosock &&
		    reason != bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NOT_SPECIFIED))
			return false;
	}
	return BPF_CORE_READ_BITFIELD_PROBED(skb, cloned);
}

/* The device of the skb's route (skb_dst()->dev), NULL without one. */
static __always_inline struct net_device *route_dev(struct sk_buff *skb)
{
	unsigned long refdst = BPF_CORE_READ(skb, _skb_refdst) & ~1UL;	/* SKB_DST_NOREF */
	struct dst_entry *dst = (struct dst_entry *)refdst;

	return dst ? BPF_CORE_READ(dst, dev) : NULL;
}

/* There, an echo request it answered ends in kfree_skb like any drop:
 * NOT_SPECIFIED, or no reason before 5.17. Real drops there have reasons. */
static __always_inline bool icmp6_handled(const struct pkt *p, __u32 reason, __u64 location)
{
	if (!icmp6_rcv_lo || p->ipver != 6 || p->l4proto != IPPROTO_ICMPV6_)
		return false;
	if (location < icmp6_rcv_lo || location >= icmp6_rcv_hi)
		return false;
	if (reason == TPK_DROP_REASON_NONE)
		return true;
	return bpf_core_type_exists(enum skb_drop_reason) &&
	       reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NOT_SPECIFIED);
}

/* --netns and --ifname for a drop line: where it was. */
static __always_inline bool drop_where(struct sk_buff *skb, struct net_device *dev)
{
	if (!filter_netns && !filter_ifname[0])
		return true;
	/* Dropped on its way out, before it had a device (OUTPUT): by the
	 * device its route leads to. */
	return dev_wanted(dev ? dev : route_dev(skb));
}

static __always_inline void drop_emit(struct sk_buff *skb, struct net_device *dev,
				      const struct pkt *p, __u8 kind, __u32 reason, __u8 via)
{
	struct tpk_event *e = event_fill(skb, dev, kind, p, true);

	if (!e)
		return;
	e->drop_reason = reason;
	e->via = via;
	bpf_ringbuf_submit(e, 0);
}

static __always_inline void on_drop(struct sk_buff *skb, __u32 reason, __u64 location)
{
	__u64 skbkey = (__u64)skb;
	struct nf_pending *pending = bpf_map_lookup_elem(&nf_pending, &skbkey);
	struct net_device *dev;
	struct pkt p = {};
	__u8 via = TPK_VIA_FILTER;

	/* Read in place, not copied: this program's stack must leave room
	 * for the pcap filter's frame (the verifier counts 32 bytes for it
	 * even when it never runs, and 6.1's refuses 512 + 32). */
	if (pending) {
		if (!pending->skip) {
			bool nfdrop = bpf_core_enum_value_exists(enum skb_drop_reason,
								 SKB_DROP_REASON_NETFILTER_DROP) &&
				      reason == bpf_core_enum_value(enum skb_drop_reason,
								    SKB_DROP_REASON_NETFILTER_DROP);

			/* Freed for another reason inside a table: we cannot
			 * tell its verdict, and say so (~UNK~). */
			nfhook_emit(skb, pending, nfdrop ? NF_DROP_ : -1);
		}
		bpf_map_delete_elem(&nf_pending, &skbkey);
	}
	/* A wanted packet dropped (one followed, or one the filters match:
	 * veth's XDP path drops a copy of the skb it was given): user space
	 * says so if a tc or XDP program was attached where it ended, --drops
	 * or not. */
	if (!reason_is_drop(reason))
		return;
	if (!skb_wanted(skb, &p, &via, false) || raw_delivered(skb, &p, reason) ||
	    icmp6_handled(&p, reason, location))
		return;
	dev = BPF_CORE_READ(skb, dev);
	if (want_drops && drop_where(skb, dev))
		drop_emit(skb, dev, &p, TPK_EV_DROP, reason, via);
	drop_emit(skb, dev, &p, TPK_EV_LOST, reason, via);
}

static __always_inline int on_free(struct sk_buff *skb, __u32 reason, __u64 location)
{
	on_drop(skb, reason, location);
	track_forget(skb);
	return 0;
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(btf_kfree_skb, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	return on_free(skb, reason, (__u64)location);
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(btf_kfree_skb_noreason, struct sk_buff *skb, void *location)
{
	return on_free(skb, TPK_DROP_REASON_NONE, (__u64)location);
}

SEC("raw_tp/kfree_skb")
int BPF_PROG(raw_kfree_skb, struct sk_buff *skb, void *location, int reason)
{
	return on_free(skb, reason, (__u64)location);
}
