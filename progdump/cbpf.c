// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pcap/pcap.h>

#include "cbpf.h"
#include "util.h"

int pd_cbpf_linktype(const char *name)
{
	uint64_t v;

	if (!tpk_parse_u64(name, 0, 65535, &v))
		return (int)v;
	return pcap_datalink_name_to_val(name);
}

int pd_cbpf_dump(const char *expr, const char *ifname, int linktype, int snaplen, bool optimize)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program prog;
	pcap_t *p;

	if (ifname) {
		/* tcpdump -i IF -d: a live handle makes libpcap emit Linux
		 * ancillary loads for vlan. tcpdump -d compiles with netmask
		 * 0 here too. */
		int act;

		p = pcap_create(ifname, ebuf);
		if (p && pcap_set_snaplen(p, snaplen) == 0 && (act = pcap_activate(p)) < 0) {
			tpk_err("can't open %s: %s", ifname, pcap_geterr(p));
			pcap_close(p);
			/* No such device is a bad argument; a refusal (not root) is
			 * the system saying no. */
			return act == PCAP_ERROR_NO_SUCH_DEVICE ? -TPK_EINPUT : -EIO;
		}
	} else {
		/* tcpdump -r FILE -d: the file's link type, netmask 0. */
		p = pcap_open_dead(linktype, snaplen);
	}
	if (!p) {
		tpk_err("can't open a pcap handle: %s", ebuf[0] ? ebuf : "out of memory");
		return -EIO;
	}
	if (pcap_compile(p, &prog, expr, optimize, 0) < 0) {
		tpk_err("bad filter '%s': %s", expr, pcap_geterr(p));
		pcap_close(p);
		return -TPK_EINPUT;
	}
	/* What tcpdump -d calls: byte for byte its output. */
	bpf_dump(&prog, 1);
	pcap_freecode(&prog);
	pcap_close(p);
	return 0;
}
