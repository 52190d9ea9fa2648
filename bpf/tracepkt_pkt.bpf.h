/* SPDX-License-Identifier: GPL-2.0 */
/* What tracepkt's two BPF units share: the filters and maps, defined in
 * tracepkt.bpf.c and resolved in tracepkt_nf.bpf.c by libbpf's static
 * linker (bpftool gen object), and the helpers that parse a packet, match
 * it against the filters and fill an event. The helpers are inlined into
 * each unit: a BPF global function is verified on its own, and could not
 * take the kernel's pointers (skb, net_device) these take. */
#ifndef TRACEPKT_PKT_BPF_H
#define TRACEPKT_PKT_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "tracepkt.h"

#define ETH_HLEN		14
#define IPPROTO_ICMP_		1
#define IPPROTO_TCP_		6
#define IPPROTO_UDP_		17
#define IPPROTO_ICMPV6_		58
#define ICMP_ECHOREPLY_		0
#define ICMP_ECHO_		8
#define ICMPV6_ECHO_REQUEST_	128
#define ICMPV6_ECHO_REPLY_	129
#define IP_MF_			0x2000
#define IP_OFFSET_		0x1fff
#define NEXTHDR_HOP_		0
#define NEXTHDR_ROUTING_	43
#define NEXTHDR_FRAGMENT_	44
#define NEXTHDR_AUTH_		51
#define NEXTHDR_DEST_		60
#define IPV6_EXT_WALK		8	/* extension headers followed, at most */

/* Filters, fixed at load time. */
extern const volatile __u8 mode;
extern const volatile int filter_proto;
extern const volatile __u8 filter_host_ver;		/* 0: no host filter */
extern const volatile __u8 filter_host[16];
extern const volatile __u16 filter_port;		/* host order, 0: none */
extern const volatile __u64 filter_netns;		/* 0: none */
extern const volatile char filter_ifname[TPK_IFNAMSIZ];	/* "": none */
/* --all with a pcap-filter expression: it alone decides (pcap_match). */
extern const volatile bool filter_pcap;

/* Set when tracepkt runs in a pid namespace of its own (a container): the
 * ping's pid it knows is the one seen from there. */
extern const volatile __u64 pidns_dev;
extern const volatile __u64 pidns_ino;

/* Ping mode: user space names the ping process once it has forked it; the
 * first echo request that process sends tells us its ICMP id (raw sockets
 * use the pid, ICMP datagram sockets a port the kernel picks). */
extern __u32 target_tgid;
extern __u32 learned_id;	/* id + 1, 0 while unknown */

struct tpk_events_map {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 18);	/* user space may resize */
};
extern struct tpk_events_map events SEC(".maps");

/* Records the ring buffer had no room for: reported at exit. */
struct tpk_lost_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
};
extern struct tpk_lost_map lost SEC(".maps");

/* The current task's tgid as tracepkt sees pids; 0 when it is not in
 * tracepkt's pid namespace (softirq on another task's time, say). */
static __always_inline __u32 current_tgid(void)
{
	struct bpf_pidns_info ns = {};

	if (!pidns_ino)
		return bpf_get_current_pid_tgid() >> 32;
	if (bpf_get_ns_current_pid_tgid(pidns_dev, pidns_ino, &ns, sizeof(ns)))
		return 0;
	return ns.tgid;
}

/* The packet's headers, as far as we care. */
struct pkt {
	__u8 ipver, l4proto, icmp_type, icmp_code;
	__u16 icmp_id, icmp_seq, sport, dport;
	__u16 frag_off;		/* bytes */
	__u8 frag_more, pad;
	__u16 l4off;		/* the L4 header, from the IP header */
	__u16 net;		/* the IP header, from skb->head */
	__u32 frag_id;
	__u8 saddr[16], daddr[16];
};

/* A later fragment carries no L4 header: it is known by its first
 * fragment's, remembered here when that one was wanted. */
struct frag_key {
	__u8 saddr[16], daddr[16];
	__u32 id;
	__u8 ipver, l4proto, pad[2];
};

struct frag_l4 {
	__u8 icmp_type, icmp_code, pad[2];
	__u16 icmp_id, icmp_seq, sport, dport;
};

struct tpk_frags_map {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct frag_key);
	__type(value, struct frag_l4);
};
extern struct tpk_frags_map frags SEC(".maps");

static __always_inline void frag_key_of(const struct pkt *p, struct frag_key *k)
{
	__builtin_memcpy(k->saddr, p->saddr, 16);
	__builtin_memcpy(k->daddr, p->daddr, 16);
	k->id = p->frag_id;
	k->ipver = p->ipver;
	k->l4proto = p->l4proto;
}

static __always_inline bool is_echo(const struct pkt *p)
{
	if (p->l4proto == IPPROTO_ICMP_ && p->ipver == 4)
		return p->icmp_type == ICMP_ECHO_ || p->icmp_type == ICMP_ECHOREPLY_;
	if (p->l4proto == IPPROTO_ICMPV6_ && p->ipver == 6)
		return p->icmp_type == ICMPV6_ECHO_REQUEST_ || p->icmp_type == ICMPV6_ECHO_REPLY_;
	return false;
}

static __always_inline bool is_request(const struct pkt *p)
{
	return p->icmp_type == ICMP_ECHO_ || p->icmp_type == ICMPV6_ECHO_REQUEST_;
}

/* Is this IP protocol one the filters can want? Checked before reading
 * any further, so other traffic costs as little as possible. */
static __always_inline bool proto_wanted(__u8 ipver, __u8 l4proto)
{
	bool icmp = (ipver == 4 && l4proto == IPPROTO_ICMP_) ||
		    (ipver == 6 && l4proto == IPPROTO_ICMPV6_);

	if (mode == TPK_MODE_PING || filter_proto == TPK_PROTO_ECHO)
		return icmp;
	if (filter_proto == TPK_PROTO_ANY)
		return true;
	/* "icmp" means ICMPv6 too: what users ask is "the pings". */
	if (filter_proto == IPPROTO_ICMP_)
		return icmp;
	return l4proto == filter_proto;
}

/* Past IPv6 extension headers (a bounded walk) to the L4 header; a
 * fragment header says which fragment this is. */
static __always_inline unsigned char *ipv6_skip_ext(unsigned char *l4, __u8 *nexthdr, struct pkt *p)
{
	struct {
		__u8 nexthdr, len;
		__be16 frag_off;
		__be32 id;
	} x;

	for (int i = 0; i < IPV6_EXT_WALK; i++) {
		__u8 nh = *nexthdr;

		if (nh != NEXTHDR_HOP_ && nh != NEXTHDR_ROUTING_ && nh != NEXTHDR_DEST_ &&
		    nh != NEXTHDR_FRAGMENT_ && nh != NEXTHDR_AUTH_)
			return l4;
		if (bpf_probe_read_kernel(&x, sizeof(x), l4))
			return NULL;
		if (nh == NEXTHDR_FRAGMENT_) {
			__u16 f = bpf_ntohs(x.frag_off);

			p->frag_off = f & ~7;
			p->frag_more = f & 1;
			p->frag_id = bpf_ntohl(x.id);
			l4 += 8;
		} else if (nh == NEXTHDR_AUTH_) {
			l4 += (x.len + 2) * 4;
		} else {
			l4 += (x.len + 1) * 8;
		}
		*nexthdr = x.nexthdr;
	}
	return NULL;	/* more headers than we follow */
}

/* A later fragment's L4 fields: its first fragment's, if that was wanted. */
static __always_inline int frag_recall(struct pkt *p)
{
	struct frag_key k = {};
	struct frag_l4 *l4;

	frag_key_of(p, &k);
	l4 = bpf_map_lookup_elem(&frags, &k);
	if (!l4)
		return -1;
	p->icmp_type = l4->icmp_type;
	p->icmp_code = l4->icmp_code;
	p->icmp_id = l4->icmp_id;
	p->icmp_seq = l4->icmp_seq;
	p->sport = l4->sport;
	p->dport = l4->dport;
	return 0;
}

static __always_inline void frag_remember(const struct pkt *p)
{
	struct frag_key k = {};
	struct frag_l4 l4 = {
		.icmp_type = p->icmp_type, .icmp_code = p->icmp_code,
		.icmp_id = p->icmp_id, .icmp_seq = p->icmp_seq,
		.sport = p->sport, .dport = p->dport,
	};

	frag_key_of(p, &k);
	bpf_map_update_elem(&frags, &k, &l4, BPF_ANY);
}

/* Read the IP and L4 headers from skb->head, as the Python tool does: the
 * network header offset, or the MAC header plus Ethernet when it is unset.
 * Fails for a packet whose protocol the filters do not want, unless any
 * (a followed packet may have become any protocol: a tunnel's, say). */
static __always_inline int parse_skb(struct sk_buff *skb, struct pkt *p, bool any)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 mac = BPF_CORE_READ(skb, mac_header);
	__u16 net = BPF_CORE_READ(skb, network_header);
	union {
		struct iphdr v4;
		struct ipv6hdr v6;	/* the larger: one read covers both */
	} h;
	unsigned char *ip, *l4;

	if (net == 0 || net == (__u16)~0U) {
		if (mac == (__u16)~0U)
			return -1;
		net = mac + ETH_HLEN;
	}
	ip = head + net;
	if (bpf_probe_read_kernel(&h, sizeof(h), ip))
		return -1;
	p->ipver = h.v4.version;
	if (p->ipver == 4) {
		__u16 f = bpf_ntohs(h.v4.frag_off);

		p->l4proto = h.v4.protocol;
		__builtin_memcpy(p->saddr, &h.v4.saddr, 4);
		__builtin_memcpy(p->daddr, &h.v4.daddr, 4);
		p->frag_off = (f & IP_OFFSET_) * 8;
		p->frag_more = !!(f & IP_MF_);
		p->frag_id = bpf_ntohs(h.v4.id);
		l4 = ip + h.v4.ihl * 4;
	} else if (p->ipver == 6) {
		__u8 nh = h.v6.nexthdr;

		__builtin_memcpy(p->saddr, &h.v6.saddr, 16);
		__builtin_memcpy(p->daddr, &h.v6.daddr, 16);
		l4 = ipv6_skip_ext(ip + sizeof(h.v6), &nh, p);
		if (!l4)
			return -1;
		p->l4proto = nh;
	} else {
		return -1;
	}
	if (!any && !proto_wanted(p->ipver, p->l4proto))
		return -1;
	p->l4off = l4 - ip;
	p->net = net;
	if (p->frag_off)
		return filter_pcap ? 0 : frag_recall(p);

	if (p->l4proto == IPPROTO_ICMP_ || p->l4proto == IPPROTO_ICMPV6_) {
		struct icmphdr ich;

		if (bpf_probe_read_kernel(&ich, sizeof(ich), l4))
			return -1;
		p->icmp_type = ich.type;
		p->icmp_code = ich.code;
		p->icmp_id = bpf_ntohs(ich.un.echo.id);
		p->icmp_seq = bpf_ntohs(ich.un.echo.sequence);
	} else if (p->l4proto == IPPROTO_TCP_ || p->l4proto == IPPROTO_UDP_) {
		__be16 ports[2];

		if (bpf_probe_read_kernel(ports, sizeof(ports), l4))
			return -1;
		p->sport = bpf_ntohs(ports[0]);
		p->dport = bpf_ntohs(ports[1]);
	}
	return 0;
}

static __always_inline bool host_match(const __u8 *a)
{
	int n = filter_host_ver == 4 ? 4 : 16;

	for (int i = 0; i < 16; i++) {
		if (i >= n)
			break;
		if (a[i] != filter_host[i])
			return false;
	}
	return true;
}

/* Does user space want this packet? May learn the ping's ICMP id. */
static __always_inline bool packet_wanted_(const struct pkt *p)
{
	if (mode == TPK_MODE_PING) {
		__u32 id;

		if (!is_echo(p))
			return false;
		id = learned_id;
		if (!id) {
			/* Everything on the local output path up to the device
			 * queue runs in the sender's context. */
			if (!is_request(p) || !target_tgid ||
			    current_tgid() != target_tgid)
				return false;
			id = (__u32)p->icmp_id + 1;
			learned_id = id;
		}
		return p->icmp_id + 1 == id;
	}

	if (!proto_wanted(p->ipver, p->l4proto))
		return false;
	if (filter_proto == TPK_PROTO_ECHO && !is_echo(p))
		return false;
	if (filter_host_ver) {
		if (filter_host_ver != p->ipver)
			return false;
		if (!host_match(p->saddr) && !host_match(p->daddr))
			return false;
	}
	if (filter_port && p->sport != filter_port && p->dport != filter_port)
		return false;
	return true;
}

struct tpk_pcap_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tpk_pcap_pkt);
};
extern struct tpk_pcap_map pcap_pkt SEC(".maps");

/* The expression's filter: user space puts its translation here at load
 * (tracepkt/inject.c), in place of this body. As built it matches every
 * packet. The empty asm keeps the three arguments the translation reads,
 * and makes the result one the compiler cannot know (else it would fold
 * the call's result into its callers). */
static __noinline int tpk_pcap_run(const void *data, __u32 caplen, __u32 wirelen)
{
	int r = 1;

	asm volatile("" : "+r"(r) : "r"(data), "r"(caplen), "r"(wirelen));
	return r;
}

/* A packet's addresses and ports as a NAT sees them: what tracepkt_track
 * remembers of a translated flow. ICMP echo keeps its id in sport. */
struct tpk_tuple {
	__u8 saddr[16], daddr[16];
	__u16 sport, dport;	/* host order */
	__u8 ipver, proto, pad[2];
};

static __always_inline void tuple_of(const struct pkt *p, struct tpk_tuple *t)
{
	__builtin_memcpy(t->saddr, p->saddr, 16);
	__builtin_memcpy(t->daddr, p->daddr, 16);
	t->ipver = p->ipver;
	t->proto = p->l4proto;
	t->sport = t->dport = 0;
	if (p->l4proto == IPPROTO_TCP_ || p->l4proto == IPPROTO_UDP_) {
		t->sport = p->sport;
		t->dport = p->dport;
	} else if (is_echo(p)) {
		t->sport = p->icmp_id;
	}
}

/* The packet seen as tuple t: addresses and ports replaced. */
static __always_inline void pkt_as(struct pkt *p, const struct tpk_tuple *t)
{
	__builtin_memcpy(p->saddr, t->saddr, 16);
	__builtin_memcpy(p->daddr, t->daddr, 16);
	if (p->l4proto == IPPROTO_TCP_ || p->l4proto == IPPROTO_UDP_) {
		p->sport = t->sport;
		p->dport = t->dport;
	} else if (is_echo(p)) {
		p->icmp_id = t->sport;
	}
}

/* The same in the expression's copy, whose IP header is at ETH_HLEN. */
static __always_inline void copy_as(struct tpk_pcap_pkt *b, const struct pkt *p,
				    const struct tpk_tuple *t, __u32 l3)
{
	__u32 l4 = l3 + p->l4off;
	__be16 ports[2] = { bpf_htons(t->sport), bpf_htons(t->dport) };

	l3 &= 0x1f;	/* 14, or 18 past a VLAN tag: bounds the verifier sees */
	if (p->ipver == 4) {
		__builtin_memcpy(b->data + l3 + 12, t->saddr, 4);
		__builtin_memcpy(b->data + l3 + 16, t->daddr, 4);
	} else {
		__builtin_memcpy(b->data + l3 + 8, t->saddr, 16);
		__builtin_memcpy(b->data + l3 + 24, t->daddr, 16);
	}
	if (l4 > TPK_PCAP_MAX - 8 || l4 + 8 > b->caplen)
		return;
	l4 &= 0xff;
	if (p->l4proto == IPPROTO_TCP_ || p->l4proto == IPPROTO_UDP_)
		__builtin_memcpy(b->data + l4, ports, 4);
	else if (is_echo(p))
		__builtin_memcpy(b->data + l4 + 4, ports, 2);
}

/* Run the expression on the packet as tcpdump -i on an Ethernet device
 * sees it: from its own Ethernet header where it has one, else from an
 * Ethernet header made of skb->protocol in front of its IP header. With
 * as, on the packet as it looks on the other side of a NAT. */
/* 5.10 to 6.1 mark an accelerated VLAN tag with a bit; later kernels
 * clear vlan_all instead. */
struct sk_buff___vlanbit {
	__u8 vlan_present:1;
} __attribute__((preserve_access_index));

/* A VLAN tag the device took out of the frame (skb->vlan_tci), as
 * "proto, tci" in network order into tag; false when there is none. */
static __always_inline bool vlan_tag(struct sk_buff *skb, __be16 tag[2])
{
	struct sk_buff___vlanbit *old = (void *)skb;

	tag[0] = BPF_CORE_READ(skb, vlan_proto);
	tag[1] = bpf_htons(BPF_CORE_READ(skb, vlan_tci));
	if (bpf_core_field_exists(old->vlan_present))
		return BPF_CORE_READ_BITFIELD_PROBED(old, vlan_present);
	return tag[0] != 0;
}

static __always_inline bool pcap_match(struct sk_buff *skb, const struct pkt *p,
				       const struct tpk_tuple *as)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u32 data = BPF_CORE_READ(skb, data) - head, tail = BPF_CORE_READ(skb, tail);
	__u16 mac = BPF_CORE_READ(skb, mac_header), net = BPF_CORE_READ(skb, network_header);
	__u32 zero = 0, start, off = 0, n;
	struct tpk_pcap_pkt *b = bpf_map_lookup_elem(&pcap_pkt, &zero);

	if (!b)
		return false;
	if (net == 0 || net == (__u16)~0U) {
		if (mac == (__u16)~0U)
			return false;
		net = mac + ETH_HLEN;
	}
	if (mac != (__u16)~0U && mac + ETH_HLEN == net) {
		__be16 tag[2];

		start = mac;
		/* Put back the tag the device holds apart, as libpcap does
		 * for tcpdump -i: "vlan 100" matches the same frames. */
		if (vlan_tag(skb, tag)) {
			if (bpf_probe_read_kernel(b->data, 12, head + mac))
				return false;
			__builtin_memcpy(b->data + 12, tag, 4);
			start = mac + 12;
			off = 16;
		}
	} else {
		__be16 proto = BPF_CORE_READ(skb, protocol);

		__builtin_memset(b->data, 0, 12);
		__builtin_memcpy(b->data + 12, &proto, 2);
		start = net;
		off = ETH_HLEN;
	}
	/* The linear part only: what follows is in pages. */
	n = tail > start ? tail - start : 0;
	if (n > TPK_PCAP_MAX - off)
		n = TPK_PCAP_MAX - off;
	n &= 0x1ff;	/* bounds the verifier can see */
	if (n > TPK_PCAP_MAX - off)
		return false;
	if (bpf_probe_read_kernel(b->data + off, n, head + start))
		return false;
	b->caplen = off + n;
	/* skb->len counts from skb->data. */
	b->wirelen = BPF_CORE_READ(skb, len) + data - start + off;
	if (as) {
		__u32 l3 = off == 16 ? ETH_HLEN + 4 : ETH_HLEN;

		if (b->caplen < l3 + (p->ipver == 4 ? 20 : 40))
			return false;
		copy_as(b, p, as, l3);
	}
	return tpk_pcap_run(b->data, b->caplen, b->wirelen) != 0;
}

/* ... and remember a wanted first fragment for the later ones. */
static __always_inline bool packet_wanted(struct sk_buff *skb, const struct pkt *p)
{
	if (filter_pcap && mode == TPK_MODE_ALL)
		return pcap_match(skb, p, NULL);
	if (!packet_wanted_(p))
		return false;
	if (p->frag_more && !p->frag_off)
		frag_remember(p);
	return true;
}

/* Would the filters want the packet if it looked like tuple as? (q: room
 * for that look, off the stack.) */
static __always_inline bool packet_wanted_as(struct sk_buff *skb, const struct pkt *p,
					     const struct tpk_tuple *as, struct pkt *q)
{
	if (filter_pcap && mode == TPK_MODE_ALL)
		return pcap_match(skb, p, as);
	/* Only the ping's own packets teach its id. */
	if (mode == TPK_MODE_PING && !learned_id)
		return false;
	*q = *p;
	pkt_as(q, as);
	return packet_wanted_(q);
}

#include "tracepkt_track.bpf.h"

static __always_inline bool ifname_match(const char *name)
{
	for (int i = 0; i < TPK_IFNAMSIZ; i++) {
		if (name[i] != filter_ifname[i])
			return false;
		if (!name[i])
			break;
	}
	return true;
}

/* Where the packet is: device name, index and namespace. */
/* --netns and --ifname: is dev (NULL: no device) where they look? */
static __always_inline bool dev_wanted(struct net_device *dev)
{
	char name[TPK_IFNAMSIZ] = {};
	__u64 netns = 0;

	if (dev && bpf_core_field_exists(dev->nd_net.net))
		netns = BPF_CORE_READ(dev, nd_net.net, ns.inum);
	if (filter_netns && netns != filter_netns)
		return false;
	if (!filter_ifname[0])
		return true;
	if (dev)
		bpf_probe_read_kernel_str(name, sizeof(name), dev->name);
	return ifname_match(name);
}

static __always_inline bool locate(struct net_device *dev, struct tpk_event *e)
{
	if (dev) {
		bpf_probe_read_kernel_str(e->ifname, sizeof(e->ifname), dev->name);
		e->ifindex = BPF_CORE_READ(dev, ifindex);
		if (bpf_core_field_exists(dev->nd_net.net))
			e->netns = BPF_CORE_READ(dev, nd_net.net, ns.inum);
	}
	if (filter_netns && e->netns != filter_netns)
		return false;
	if (filter_ifname[0] && !ifname_match(e->ifname))
		return false;
	return true;
}

static __always_inline void count_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &zero);

	if (n)
		*n += 1;
}

/* --netns and --ifname for a netfilter line: the hook's namespace, and the
 * device the packet came in by or leaves by (at OUTPUT, skb->dev is not set
 * yet, the hook's out is). */
static __always_inline bool ifname_at(struct net_device *dev)
{
	char name[TPK_IFNAMSIZ] = {};

	if (!dev)
		return false;
	bpf_probe_read_kernel_str(name, sizeof(name), dev->name);
	return ifname_match(name);
}

static __always_inline bool hook_where(const struct nf_hook_state *state)
{
	if (filter_netns && BPF_CORE_READ(state, net, ns.inum) != filter_netns)
		return false;
	if (filter_ifname[0] && !ifname_at(BPF_CORE_READ(state, in)) &&
	    !ifname_at(BPF_CORE_READ(state, out)))
		return false;
	return true;
}

/* Reserve a record for a parsed packet, or NULL. With placed, the caller
 * has applied --netns and --ifname itself (netfilter lines: by the hook). */
/* The packet's headers, as the event carries them. */
static __always_inline void event_pkt(struct tpk_event *e, const struct pkt *p)
{
	e->ipver = p->ipver;
	e->l4proto = p->l4proto;
	e->icmp_type = p->icmp_type;
	e->icmp_code = p->icmp_code;
	e->icmp_id = p->icmp_id;
	e->icmp_seq = p->icmp_seq;
	e->sport = p->sport;
	e->dport = p->dport;
	e->frag_off = p->frag_off;
	e->frag_more = p->frag_more;
	__builtin_memcpy(e->saddr, p->saddr, 16);
	__builtin_memcpy(e->daddr, p->daddr, 16);
}

static __always_inline struct tpk_event *event_fill(struct sk_buff *skb, struct net_device *dev,
						    __u8 kind, const struct pkt *pk, bool placed)
{
	const struct pkt *p = pk;
	struct tpk_event *e;

	if (!placed && (filter_netns || filter_ifname[0]) && !dev_wanted(dev))
		return NULL;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_lost();
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	locate(dev, e);
	e->ts_ns = bpf_ktime_get_ns();
	e->skb = (__u64)skb;
	e->pid = current_tgid();
	e->cpu = bpf_get_smp_processor_id();
	e->kind = kind;
	event_pkt(e, p);
	return e;
}

/* Reserve a record for a packet user space wants, or NULL. note: as for
 * skb_wanted (false at a table's return). */
static __always_inline struct tpk_event *event_start(struct sk_buff *skb, struct net_device *dev,
						     __u8 kind, bool placed, bool note)
{
	struct tpk_event *e;
	struct pkt p = {};
	__u8 via = TPK_VIA_FILTER;

	if (!skb_wanted(skb, &p, &via, note))
		return NULL;
	e = event_fill(skb, dev, kind, &p, placed);
	if (e)
		e->via = via;
	return e;
}

#endif
