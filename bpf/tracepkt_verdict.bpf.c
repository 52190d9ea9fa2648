// SPDX-License-Identifier: GPL-2.0
/* tracepkt: the verdict of a tc or XDP program on a followed packet, by
 * fexit on that program. User space opens this object once per program,
 * sets the target and its id, and lends it tracepkt's ring buffer and
 * tracking maps (tracepkt/verdicts.c). A verdict is sent only for a packet
 * tracepkt follows: its skb (tc), or its flow, noted when it was last seen
 * (XDP, which may run on a copy of the skb); anything else costs a lookup
 * or two and reaches no ring buffer. */
#include "tracepkt_pkt.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* The ones tracepkt_pkt.bpf.h's helpers read, as tracepkt set them. */
const volatile __u64 filter_netns;
const volatile char filter_ifname[TPK_IFNAMSIZ];
const volatile __u64 pidns_dev;
const volatile __u64 pidns_ino;
const volatile __u32 prog_id;	/* the target's */

struct tpk_events_map events SEC(".maps");
struct tpk_lost_map lost SEC(".maps");
struct tpk_track_map track_skb SEC(".maps");
struct tpk_flow_map track_flow SEC(".maps");

#define ETH_P_8021Q_	0x8100
#define ETH_P_8021AD_	0x88A8

/* The IP header at l3 (of ethertype proto, network order) and the L4
 * fields after it, into p; -1 when it is not IP. Probe reads: the target's
 * pointers are the kernel's, and both program types get here. */
static __always_inline int parse_l3(const unsigned char *l3, __u16 proto, struct pkt *p)
{
	const unsigned char *l4;
	__u8 b[8];

	if (proto == bpf_htons(ETH_P_IP_)) {
		struct iphdr ip;

		if (bpf_probe_read_kernel(&ip, sizeof(ip), l3))
			return -1;
		p->ipver = 4;
		p->l4proto = ip.protocol;
		__builtin_memcpy(p->saddr, &ip.saddr, 4);
		__builtin_memcpy(p->daddr, &ip.daddr, 4);
		if (ip.frag_off & bpf_htons(IP_OFFSET_))
			return 0;	/* no L4 header in a later fragment */
		l4 = l3 + ip.ihl * 4;
	} else if (proto == bpf_htons(ETH_P_IPV6_)) {
		struct ipv6hdr ip6;

		if (bpf_probe_read_kernel(&ip6, sizeof(ip6), l3))
			return -1;
		p->ipver = 6;
		p->l4proto = ip6.nexthdr;
		__builtin_memcpy(p->saddr, &ip6.saddr, 16);
		__builtin_memcpy(p->daddr, &ip6.daddr, 16);
		l4 = l3 + sizeof(ip6);
	} else {
		return -1;
	}
	if (bpf_probe_read_kernel(b, sizeof(b), l4))
		return 0;
	if (p->l4proto == IPPROTO_TCP_ || p->l4proto == IPPROTO_UDP_) {
		p->sport = b[0] << 8 | b[1];
		p->dport = b[2] << 8 | b[3];
	} else if (p->l4proto == IPPROTO_ICMP_ || p->l4proto == IPPROTO_ICMPV6_) {
		p->icmp_type = b[0];
		p->icmp_code = b[1];
		p->icmp_id = b[4] << 8 | b[5];
		p->icmp_seq = b[6] << 8 | b[7];
	}
	return 0;
}

static __always_inline bool flow_followed(const struct pkt *p)
{
	struct tpk_tuple t = {};
	__u64 *seen;

	tuple_of(p, &t);
	seen = bpf_map_lookup_elem(&track_flow, &t);
	return seen && bpf_ktime_get_ns() - *seen < TRACK_AGE_NS;
}

static __always_inline int send(struct net_device *dev, const struct pkt *p, __u64 skb, __u8 at,
				int ret)
{
	struct tpk_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost();
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	if (!locate(dev, e)) {
		bpf_ringbuf_discard(e, 0);
		return 0;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->skb = skb;
	e->pid = current_tgid();
	e->cpu = bpf_get_smp_processor_id();
	e->kind = TPK_EV_PROG;
	e->point = at;
	e->verdict = ret;
	e->prog_id = prog_id;
	e->via = TPK_VIA_SKB;
	event_pkt(e, p);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* A tc program (tcx or cls_bpf): its __sk_buff is the kernel's sk_buff. */
SEC("fexit")
int BPF_PROG(tc_verdict, struct sk_buff *skb, int ret)
{
	__u64 key = (__u64)skb;
	struct tpk_track *tr = bpf_map_lookup_elem(&track_skb, &key);
	bool followed = tr && bpf_ktime_get_ns() - tr->ts < TRACK_AGE_NS;
	struct pkt p = {};

	if (parse_l3(BPF_CORE_READ(skb, head) + BPF_CORE_READ(skb, network_header),
		     BPF_CORE_READ(skb, protocol), &p))
		return 0;
	if (!followed && !flow_followed(&p))
		return 0;
	return send(BPF_CORE_READ(skb, dev), &p, key,
		    BPF_CORE_READ_BITFIELD_PROBED(skb, tc_at_ingress) ? TPK_AT_TC_INGRESS
								      : TPK_AT_TC_EGRESS,
		    ret);
}

/* An XDP program: its xdp_md is the kernel's xdp_buff, an Ethernet frame. */
SEC("fexit")
int BPF_PROG(xdp_verdict, struct xdp_buff *xdp, int ret)
{
	unsigned char *data = BPF_CORE_READ(xdp, data);
	struct pkt p = {};
	__u16 proto;
	int l3 = ETH_HLEN;

	if (bpf_probe_read_kernel(&proto, sizeof(proto), data + 12))
		return 0;
	if (proto == bpf_htons(ETH_P_8021Q_) || proto == bpf_htons(ETH_P_8021AD_)) {
		if (bpf_probe_read_kernel(&proto, sizeof(proto), data + 16))
			return 0;
		l3 += 4;
	}
	if (parse_l3(data + l3, proto, &p) || !flow_followed(&p))
		return 0;
	return send(BPF_CORE_READ(xdp, rxq, dev), &p, 0, TPK_AT_XDP, ret);
}

/* The target of tracepkt --probe's attempt (tpk_verdicts_probe). */
SEC("tc")
int verdict_probe_target(struct __sk_buff *skb)
{
	return -1; /* TC_ACT_UNSPEC */
}
