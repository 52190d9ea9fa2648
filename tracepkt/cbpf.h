/* SPDX-License-Identifier: GPL-2.0 */
/* A classic BPF filter (what libpcap compiles a pcap-filter expression
 * to) translated to eBPF, to run in the kernel as a subprogram
 *     int filter(const void *pkt, __u32 len)
 * where pkt is a map value of TPK_CBPF_PKT_MAX bytes holding the packet's
 * first len of them. It returns the classic program's return value: 0 for
 * no match. */
#ifndef TRACEPKT_CBPF_H
#define TRACEPKT_CBPF_H

#include <stddef.h>
#include <linux/bpf.h>
#include <linux/filter.h>

/* How many of a packet's bytes the filter sees (bpf/tracepkt.h's copy). */
#define TPK_CBPF_PKT_MAX 256

/* Translate n classic instructions into at most max eBPF ones. The count
 * written, or with one line in why -EINVAL (an instruction the kernel's
 * own checker would refuse too: a jump out of the program, scratch memory
 * that does not exist) or -E2BIG (more than max). A load beyond
 * TPK_CBPF_PKT_MAX bytes, as one beyond the packet, rejects the packet. */
int tpk_cbpf_translate(const struct sock_filter *in, int n, struct bpf_insn *out, int max,
		       char *why, size_t whylen);

#endif
