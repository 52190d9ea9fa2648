// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "filter.h"

static bool has_ports(int proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP;
}

static bool v6_only(int proto)
{
	return proto == IPPROTO_ICMPV6;
}

static void set_prefix(const struct tpk_prefix *p, __u8 *ver, __u8 *len, __u8 *bytes)
{
	*ver = p->addr.family == AF_INET ? 4 : 6;
	*len = p->len;
	memcpy(bytes, p->addr.bytes, 16);
}

const char *tcdrop_port_opt(enum tcdrop_port_dir dir, bool dashes)
{
	const char *s = dir == TCDROP_PORT_SRC ? "--sport" : dir == TCDROP_PORT_DST ? "--dport" : "--port";

	return dashes ? s : s + 2;
}

const char *tcdrop_cfg_build(const struct tcdrop_opts *o, struct tcdrop_cfg *cfg)
{
	int fam = 0;

	memset(cfg, 0, sizeof(*cfg));
	if (o->src_set && o->dst_set && o->src.addr.family != o->dst.addr.family)
		return "--src and --dst are of different address families";
	if (o->src_set)
		fam = o->src.addr.family;
	else if (o->dst_set)
		fam = o->dst.addr.family;
	if (o->proto >= 0) {
		/* icmp is either family's ICMP; icmpv6 is IPv6's only. */
		if (fam == AF_INET && v6_only(o->proto))
			return "--proto does not exist in the address family of --src/--dst";
		if (o->port_set && !has_ports(o->proto)) {
			static char why[64];

			snprintf(why, sizeof(why), "%s needs --proto tcp, udp, sctp or none",
				 tcdrop_port_opt(o->port_dir, true));
			return why;
		}
		cfg->proto_on = 1;
		cfg->proto = o->proto;
	}
	if (o->src_set)
		set_prefix(&o->src, &cfg->src_ver, &cfg->src_len, cfg->src);
	if (o->dst_set)
		set_prefix(&o->dst, &cfg->dst_ver, &cfg->dst_len, cfg->dst);
	if (o->port_set) {
		cfg->port_lo = o->port.lo;
		cfg->port_hi = o->port.hi;
		cfg->port_dir = o->port_dir;
	}
	return NULL;
}

static void prefix_str(__u8 ver, __u8 len, const __u8 *bytes, char *buf, size_t size)
{
	struct tpk_prefix p = { .addr.family = ver == 4 ? AF_INET : AF_INET6, .len = len };

	memcpy(p.addr.bytes, bytes, 16);
	tpk_prefix_str(&p, buf, size);
}

void tcdrop_cfg_str(const struct tcdrop_cfg *cfg, char *buf, size_t len)
{
	char pfx[64];
	size_t n = 0;

#define ADD(...) (n += snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__))
	if (len)
		buf[0] = '\0';
	if (!cfg->proto_on && !cfg->src_ver && !cfg->dst_ver && !cfg->port_lo) {
		ADD("all");
		return;
	}
	if (cfg->proto_on) {
		const char *name = tpk_proto_name(cfg->proto);

		if (name)
			ADD("%s", name);
		else
			ADD("proto %u", cfg->proto);
	}
	if (cfg->src_ver) {
		prefix_str(cfg->src_ver, cfg->src_len, cfg->src, pfx, sizeof(pfx));
		ADD("%sfrom %s", n ? " " : "", pfx);
	}
	if (cfg->dst_ver) {
		prefix_str(cfg->dst_ver, cfg->dst_len, cfg->dst, pfx, sizeof(pfx));
		ADD("%sto %s", n ? " " : "", pfx);
	}
	if (cfg->port_lo == cfg->port_hi && cfg->port_lo)
		ADD("%s%s %u", n ? " " : "", tcdrop_port_opt(cfg->port_dir, false), cfg->port_lo);
	else if (cfg->port_lo)
		ADD("%s%s %u-%u", n ? " " : "", tcdrop_port_opt(cfg->port_dir, false), cfg->port_lo,
		    cfg->port_hi);
#undef ADD
}
