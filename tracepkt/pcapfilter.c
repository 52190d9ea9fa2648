// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libpcap's classic instruction shares its name with the kernel's eBPF
 * one: it is called pcap_bpf_insn here (the layout is the kernel's struct
 * sock_filter). */
#define bpf_insn pcap_bpf_insn
#include <pcap/pcap.h>
#undef bpf_insn

#include "util.h"
#include "cbpf.h"
#include "pcapfilter.h"

_Static_assert(sizeof(struct pcap_bpf_insn) == sizeof(struct sock_filter),
	       "libpcap's classic BPF is the kernel's");

int tpk_pcap_filter(const char *expr, struct bpf_insn *out, int max, char *why, size_t whylen)
{
	/* tcpdump -i on an Ethernet device: snaplen 262144, no netmask. A dead
	 * handle: a live one would use the kernel's ancillary loads (VLAN
	 * tags), which only a socket filter has. */
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 262144);
	struct bpf_program prog;
	int n;

	if (!p) {
		snprintf(why, whylen, "cannot open a pcap handle");
		return -ENOMEM;
	}
	if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(why, whylen, "%s", pcap_geterr(p));
		pcap_close(p);
		return -TPK_EINPUT;
	}
	n = tpk_cbpf_translate((const struct sock_filter *)prog.bf_insns, (int)prog.bf_len, out, max,
			       why, whylen);
	pcap_freecode(&prog);
	pcap_close(p);
	return n;
}
