// SPDX-License-Identifier: GPL-2.0
/* The narrowing options into the kernel's struct tcdrop_cfg, and back to
 * the text status prints. */
#include <string.h>

#include "filter.h"
#include "tap.h"

static struct tcdrop_opts opts(const char *proto, const char *src, const char *dst, const char *port)
{
	struct tcdrop_opts o = { .proto = -1 };

	if (proto)
		tpk_proto_parse(proto, &o.proto);
	if (src)
		o.src_set = !tpk_prefix_parse(src, false, &o.src);
	if (dst)
		o.dst_set = !tpk_prefix_parse(dst, false, &o.dst);
	if (port)
		o.port_set = !tpk_port_range_parse(port, &o.port);
	return o;
}

static const char *str(struct tcdrop_opts o)
{
	static char buf[160];
	struct tcdrop_cfg c;
	const char *why = tcdrop_cfg_build(&o, &c);

	if (why)
		return why;
	tcdrop_cfg_str(&c, buf, sizeof(buf));
	return buf;
}

int main(void)
{
	struct tcdrop_cfg c, zero = { 0 };
	struct tcdrop_opts o;

	tap_plan(22);
	o = opts(NULL, NULL, NULL, NULL);
	tcdrop_cfg_build(&o, &c);
	tap_ok(!memcmp(&c, &zero, sizeof(c)), "no options: an all-zero cfg, as iproute2 loads it");
	tap_is_str(str(o), "all", "no options: all");
	tap_is_str(str(opts("udp", NULL, NULL, "53")), "udp port 53", "proto and port");
	tap_is_str(str(opts(NULL, "198.18.0.0/24", NULL, "1000-2000")),
		   "from 198.18.0.0/24 port 1000-2000", "prefix and port range");
	tap_is_str(str(opts("icmpv6", NULL, "2001:db8::/32", NULL)), "icmpv6 to 2001:db8::/32",
		   "IPv6 destination");
	tap_is_str(str(opts("50", NULL, NULL, NULL)), "proto 50", "unnamed protocol");
	tap_is_str(str(opts("47", NULL, NULL, NULL)), "gre", "a tunnel's protocol by its name");
	tap_is_str(str(opts(NULL, "::ffff:198.18.0.0/120", NULL, NULL)), "from 198.18.0.0/24",
		   "::ffff:a.b.c.d/120 is the IPv4 prefix a.b.c.d/24 (IPv4 on the wire)");
	tap_is_str(str(opts(NULL, NULL, "::ffff:198.18.0.7", NULL)), "to 198.18.0.7/32",
		   "::ffff:a.b.c.d is the IPv4 address a.b.c.d");
	tap_is_str(str(opts(NULL, "198.18.0.1", "2001:db8::1", NULL)),
		   "--src and --dst are of different address families", "mixed families refused");
	tap_is_str(str(opts("icmp", NULL, NULL, "80")), "--port needs --proto tcp, udp, sctp or none",
		   "port with icmp refused");
	tap_is_str(str(opts("icmp", "2001:db8::1", NULL, NULL)), "icmp from 2001:db8::1/128",
		   "icmp with IPv6: ICMP of the packet's family, ICMPv6 here");

	o = opts("tcp", "198.18.1.0/24", "198.18.2.7", "8080");
	tcdrop_cfg_build(&o, &c);
	tap_ok(c.proto_on && c.proto == 6, "proto set");
	tap_ok(c.src_ver == 4 && c.src_len == 24 && c.src[2] == 1, "src prefix set");
	tap_ok(c.dst_ver == 4 && c.dst_len == 32 && c.dst[3] == 7, "dst prefix set");
	tap_ok(c.port_lo == 8080 && c.port_hi == 8080, "single port is a range of one");
	tap_ok(!c.no_l2, "link-layer header assumed by default");
	tap_is_int(c.port_dir, TCDROP_PORT_EITHER, "--port: either port");

	o = opts("udp", NULL, NULL, "53");
	o.port_dir = TCDROP_PORT_DST;
	tap_is_str(str(o), "udp dport 53", "--dport shown as dport");
	tcdrop_cfg_build(&o, &c);
	tap_is_int(c.port_dir, TCDROP_PORT_DST, "--dport: the destination's");
	o = opts("tcp", NULL, NULL, "1-1023");
	o.port_dir = TCDROP_PORT_SRC;
	tap_is_str(str(o), "tcp sport 1-1023", "--sport range shown as sport");
	o.proto = IPPROTO_ICMP;
	tap_is_str(str(o), "--sport needs --proto tcp, udp, sctp or none", "--sport with icmp refused");
	return tap_exit();
}
