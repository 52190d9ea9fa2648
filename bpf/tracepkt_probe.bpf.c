// SPDX-License-Identifier: GPL-2.0
/* `tracepkt --probe` (tracepkt/probe.c): one do-nothing program per kernel
 * feature the tools rely on. Each is loaded and attached on its own, so one
 * refusal never hides another feature; user space picks the attach targets
 * of the fexit and kprobe programs at run time. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* Written so that the verifier must accept reading the reason argument. */
__u64 last_reason;

SEC("tracepoint/net/netif_rx")
int probe_tracepoint(void *ctx)
{
	return 0;
}

SEC("tp_btf/netif_rx")
int probe_tp_btf(__u64 *ctx)
{
	return 0;
}

SEC("fexit")
int probe_fexit(__u64 *ctx)
{
	return 0;
}

SEC("kprobe")
int probe_kprobe(void *ctx)
{
	return 0;
}

SEC("netfilter")
int probe_netfilter(struct bpf_nf_ctx *ctx)
{
	return 1; /* NF_ACCEPT */
}

SEC("tcx/ingress")
int probe_tcx(struct __sk_buff *skb)
{
	return -1; /* TCX_NEXT */
}

/* skb:kfree_skb(skb, location, reason, ...): the third argument exists
 * since 5.17; the verifier refuses ctx[2] where it does not. */
SEC("tp_btf/kfree_skb")
int probe_drop_reason(__u64 *ctx)
{
	last_reason = ctx[2];
	return 0;
}
