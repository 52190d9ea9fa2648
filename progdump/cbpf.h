/* SPDX-License-Identifier: GPL-2.0 */
/* Classic BPF: a pcap filter compiled by libpcap, printed as `tcpdump -d`. */
#ifndef PD_CBPF_H
#define PD_CBPF_H

#include <stdbool.h>

/* DLT_EN10MB, what tcpdump gets from an Ethernet or loopback device. */
#define PD_LINKTYPE_DEFAULT 1

/* A DLT name ("EN10MB", "RAW") or number; -1 when unknown. */
int pd_cbpf_linktype(const char *name);

/* Compile expr for a live interface (ifname) or else for linktype (a DLT_
 * value) and print it. 0, or after one error line -TPK_EINPUT (a bad
 * filter, no such interface) or -errno. */
int pd_cbpf_dump(const char *expr, const char *ifname, int linktype, int snaplen, bool optimize);

#endif
