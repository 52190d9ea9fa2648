// SPDX-License-Identifier: GPL-2.0
/* Test corpus for progdump: small programs that between them use maps
 * (fd and value references), helpers, bpf-to-bpf calls, callbacks, tail
 * calls, kfuncs, atomics, JMP32 and 32-bit ALU, loads and stores of every
 * size. Built and loaded only by tests/integration/progdump*.t. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} jumps SEC(".maps");

__u64 total = 0;
__u32 last_len = 0;
volatile const __u32 limit = 1500;

/* bpftool shows these under "metadata". */
volatile const char bpf_metadata_name[] = "progdump corpus";
volatile const int bpf_metadata_answer = -42;
volatile const bool bpf_metadata_flag = true;
volatile const __u16 bpf_metadata_ports[3] = { 53, 443, 8080 };

extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags,
			       struct bpf_dynptr *ptr__uninit) __ksym;

static __noinline int classify(__u32 len, __u32 proto)
{
	int r = 0;

	if (len > limit)
		r |= 1;
	if ((__s32)len < 64)
		r |= 2;
	if (proto == bpf_htons(0x86dd))
		r ^= 4;
	return r * 3 + (len % 7) - (len / 5);
}

static int loop_cb(__u32 i, void *ctx)
{
	__u64 *acc = ctx;

	*acc += i << 2;
	*acc >>= 1;
	return *acc > 1000 ? 1 : 0;
}

SEC("tc")
int corpus_tc(struct __sk_buff *skb)
{
	__u32 key = skb->len & 3, len = skb->len;
	__u64 *val, one = 1, acc = skb->mark;
	struct bpf_dynptr ptr;
	__s64 s;
	__u8 b;
	__u16 h;

	val = bpf_map_lookup_elem(&counters, &key);
	if (val) {
		__sync_fetch_and_add(val, 1);
		__sync_fetch_and_or(val, 0x10);
		__sync_fetch_and_and(val, ~0ULL);
		__sync_fetch_and_xor(val, 0);
		__u64 old = __sync_fetch_and_add(val, 2);
		old += __sync_lock_test_and_set(val, old);
		__sync_val_compare_and_swap(val, old, one);
	}
	bpf_map_update_elem(&seen, &key, &one, BPF_ANY);
	__sync_fetch_and_add(&total, len);
	last_len = len;
	bpf_loop(4, loop_cb, &acc, 0);
	if (bpf_dynptr_from_skb(skb, 0, &ptr))
		return 0;
	b = (__u8)skb->protocol;
	h = (__u16)skb->protocol;
	s = (__s64)skb->priority;
	s = s * -3;
	s = s >> 2;
	if (s < -5 || b == 7 || h != 9)
		acc = ~acc;
	bpf_tail_call(skb, &jumps, key);
	return classify(len, skb->protocol) + (int)acc;
}

SEC("xdp")
int corpus_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return XDP_PASS + bpf_metadata_answer + bpf_metadata_flag + bpf_metadata_ports[1] +
		       bpf_metadata_name[0] - bpf_metadata_name[1];
	/* Odd characters on a source line test escaping in `visual`. */
	if (eth->h_proto == bpf_htons(0x0800) || (ctx->ingress_ifindex | 1) < 3) /* "v4" \ 'q' {} */
		return XDP_PASS;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
