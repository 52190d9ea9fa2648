/* SPDX-License-Identifier: GPL-2.0 */
/* A pcap-filter expression as tracepkt runs it in the kernel: compiled by
 * libpcap as tcpdump compiles it for an Ethernet device, then translated
 * to eBPF (cbpf.h). */
#ifndef TRACEPKT_PCAPFILTER_H
#define TRACEPKT_PCAPFILTER_H

#include <stddef.h>

struct bpf_insn;

/* The expression's eBPF, at most max instructions: the count, or after
 * one line in why -TPK_EINPUT (libpcap's message: a bad expression) or
 * tpk_cbpf_translate's error. */
int tpk_pcap_filter(const char *expr, struct bpf_insn *out, int max, char *why, size_t whylen);

#endif
