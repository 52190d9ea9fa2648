// SPDX-License-Identifier: GPL-2.0
/* tracepkt: follow packets across devices, namespaces and netfilter tables.
 *
 * Every probe parses the packet, decides in the kernel whether user space
 * wants it, and only then reserves a ring-buffer record: a packet that does
 * not match costs a few reads and nothing else. */
#include "tracepkt_pkt.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* What they are: tracepkt_pkt.bpf.h. */
const volatile __u8 mode = TPK_MODE_PING;
const volatile int filter_proto = TPK_PROTO_ECHO;
const volatile __u8 filter_host_ver;
const volatile __u8 filter_host[16];
const volatile __u16 filter_port;
const volatile __u64 filter_netns;
const volatile char filter_ifname[TPK_IFNAMSIZ];
const volatile __u64 pidns_dev;
const volatile __u64 pidns_ino;
const volatile bool filter_pcap;
const volatile bool track_on = true;
bool note_flows;
__u64 track_live;
__u64 freed_at;
__u64 nat_live;
__u32 target_tgid;
__u32 learned_id;

struct tpk_events_map events SEC(".maps");
struct tpk_lost_map lost SEC(".maps");
struct tpk_frags_map frags SEC(".maps");
struct tpk_pcap_map pcap_pkt SEC(".maps");
struct tpk_track_map track_skb SEC(".maps");
struct tpk_track_map track_head SEC(".maps");
struct tpk_nat_map track_nat SEC(".maps");
struct tpk_flow_map track_flow SEC(".maps");
struct tpk_inner_map track_inner SEC(".maps");
struct tpk_track_scratch_map track_scratch SEC(".maps");

static __always_inline int on_dev(struct sk_buff *skb, struct net_device *dev, __u8 point)
{
	struct tpk_event *e = event_start(skb, dev, TPK_EV_DEV, false, true);

	if (!e)
		return 0;
	e->point = point;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* Each device tracepoint twice: tp_btf where the kernel's BTF describes it,
 * raw_tp otherwise; user space autoloads one. Neither needs tracefs, which
 * `ip netns exec` hides. */
#define DEV_POINT(name, id)						\
SEC("tp_btf/" #name)							\
int BPF_PROG(btf_##name, struct sk_buff *skb)				\
{									\
	return on_dev(skb, BPF_CORE_READ(skb, dev), id);		\
}									\
SEC("raw_tp/" #name)							\
int BPF_PROG(raw_##name, struct sk_buff *skb)				\
{									\
	return on_dev(skb, BPF_CORE_READ(skb, dev), id);		\
}

/* The transmit tracepoints name the device: by then a veth has already
 * handed the skb to its peer, so skb->dev would be the wrong side. */
#define XMIT_POINT(name, id, ...)					\
SEC("tp_btf/" #name)							\
int BPF_PROG(btf_##name, struct sk_buff *skb, __VA_ARGS__)		\
{									\
	return on_dev(skb, dev, id);					\
}									\
SEC("raw_tp/" #name)							\
int BPF_PROG(raw_##name, struct sk_buff *skb, __VA_ARGS__)		\
{									\
	return on_dev(skb, dev, id);					\
}

DEV_POINT(netif_rx, TPK_PT_NETIF_RX)
DEV_POINT(net_dev_queue, TPK_PT_NET_DEV_QUEUE)
DEV_POINT(napi_gro_receive_entry, TPK_PT_NAPI_GRO_RECEIVE_ENTRY)
DEV_POINT(netif_receive_skb_entry, TPK_PT_NETIF_RECEIVE_SKB_ENTRY)
DEV_POINT(netif_receive_skb, TPK_PT_NETIF_RECEIVE_SKB)
XMIT_POINT(net_dev_start_xmit, TPK_PT_NET_DEV_START_XMIT, struct net_device *dev)
XMIT_POINT(net_dev_xmit, TPK_PT_NET_DEV_XMIT, int rc, struct net_device *dev)
DEV_POINT(netif_rx_entry, TPK_PT_NETIF_RX_ENTRY)

/* A followed packet's end: its skb's address may soon hold another. The
 * drops (kfree_skb) end in tracepkt_nf.bpf.c. */
SEC("tp_btf/consume_skb")
int BPF_PROG(btf_consume_skb, struct sk_buff *skb)
{
	track_forget(skb);
	return 0;
}

SEC("raw_tp/consume_skb")
int BPF_PROG(raw_consume_skb, struct sk_buff *skb)
{
	track_forget(skb);
	return 0;
}
