// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "format.h"
#include "points.h"
#include "util.h"

#define UNK "~UNK~"

static const char *const hook_names[] = {
	"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING",
};

static const char *const verdict_names[] = {
	"DROP", "ACCEPT", "STOLEN", "QUEUE", "REPEAT", "STOP",
};

const char *tpk_hook_name(unsigned int hook)
{
	return hook < sizeof(hook_names) / sizeof(hook_names[0]) ? hook_names[hook] : UNK;
}

const char *tpk_verdict_name(int verdict)
{
	/* The Python tool stored the verdict in a u64: negatives were huge. */
	if (verdict < 0 || verdict >= (int)(sizeof(verdict_names) / sizeof(verdict_names[0])))
		return UNK;
	return verdict_names[verdict];
}

const char *tpk_direction(const struct tpk_event *e)
{
	static char num[8];
	const char *name;

	if (e->l4proto == IPPROTO_ICMP || e->l4proto == IPPROTO_ICMPV6) {
		if (e->icmp_type == 8 || e->icmp_type == 128)
			return "request";
		if (e->icmp_type == 0 || e->icmp_type == 129)
			return "reply";
	}
	name = tpk_proto_name(e->l4proto);
	if (name)
		return name;
	snprintf(num, sizeof(num), "%u", e->l4proto);
	return num;
}

static int family(const struct tpk_event *e)
{
	return e->ipver == 6 ? AF_INET6 : AF_INET;
}

static bool has_ports(const struct tpk_event *e)
{
	return e->l4proto == IPPROTO_TCP || e->l4proto == IPPROTO_UDP;
}

/* "ADDR" or "ADDR:PORT" ("[ADDR]:PORT" for IPv6). */
static void endpoint(const struct tpk_event *e, const __u8 *addr, __u16 port, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	tpk_addr_str(family(e), addr, a, sizeof(a));
	if (!has_ports(e))
		snprintf(buf, len, "%s", a);
	else if (e->ipver == 6)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
}

static int timestamp(char *buf, size_t len, const struct tpk_event *e, struct tpk_fmt_opts *o)
{
	if (!o || !o->timestamp)
		return 0;
	if (!o->ts_base)
		o->ts_base = e->ts_ns;
	return snprintf(buf, len, "%12.6f ", (double)(e->ts_ns - o->ts_base) / 1e9);
}

int tpk_fmt_header(char *buf, size_t len, const struct tpk_fmt_opts *o)
{
	int n = 0;

	if (o && o->timestamp)
		n = snprintf(buf, len, "%12s ", "TIME(s)");
	return n + snprintf(buf + n, len > (size_t)n ? len - n : 0, "%14s %16s %7s %-34s %s",
			    "NETWORK NS", "INTERFACE", "TYPE", "ADDRESSES", "IPTABLES");
}

/* The event's table: its own, or the one user space knows. */
static void table_of(const struct tpk_event *e, const struct tpk_fmt_opts *o,
		     struct tpk_fmt_table *t, char *tbuf, char *cbuf)
{
	if (o && o->table_of && o->table_of(e, t))
		return;
	snprintf(tbuf, TPK_TABLESIZ + 1, "%.*s", TPK_TABLESIZ, e->table);
	snprintf(cbuf, TPK_TABLESIZ + 1, "%.*s", TPK_TABLESIZ, e->chain);
	*t = (struct tpk_fmt_table){ .table = tbuf, .chain = cbuf, .ncand = 1 };
}

/* The IPTABLES column: " %7s.%-12s:%s" for a verdict, the same shape for a
 * drop ("drop.REASON"), empty for a device event. */
static void extra(const struct tpk_event *e, const struct tpk_fmt_opts *o, char *buf, size_t len)
{
	char tbuf[TPK_TABLESIZ + 1], cbuf[TPK_TABLESIZ + 1];
	struct tpk_fmt_table t;
	const char *reason = NULL;

	buf[0] = '\0';
	if (e->kind == TPK_EV_NF) {
		table_of(e, o, &t, tbuf, cbuf);
		snprintf(buf, len, " %7s.%-12s:%s", t.table, tpk_hook_name(e->hook),
			 tpk_verdict_name(e->verdict));
	} else if (e->kind == TPK_EV_DROP) {
		if (o && o->reason_name)
			reason = o->reason_name(e->drop_reason);
		if (reason)
			snprintf(buf, len, " %7s.%s", "drop", reason);
		else
			snprintf(buf, len, " %7s.%u", "drop", e->drop_reason);
	}
}

int tpk_fmt_line(char *buf, size_t len, const struct tpk_event *e, struct tpk_fmt_opts *o)
{
	char raw[TPK_IFNAMSIZ + 1], ifname[4 * TPK_IFNAMSIZ + 1];
	char src[INET6_ADDRSTRLEN + 8], dst[INET6_ADDRSTRLEN + 8];
	char flow[2 * sizeof(src) + 4], tail[256];
	int n;

	/* A device name may hold control bytes (only '/', ':' and spaces are
	 * refused): never raw to the terminal. */
	snprintf(raw, sizeof(raw), "%.*s", TPK_IFNAMSIZ, e->ifname);
	tpk_vis(raw, ifname, sizeof(ifname));
	endpoint(e, e->saddr, e->sport, src, sizeof(src));
	endpoint(e, e->daddr, e->dport, dst, sizeof(dst));
	snprintf(flow, sizeof(flow), "%s -> %s", src, dst);
	extra(e, o, tail, sizeof(tail));
	n = timestamp(buf, len, e, o);
	return n + snprintf(buf + n, len > (size_t)n ? len - n : 0, "[%12" PRIu64 "] %16s %7s %-34s%s",
			    (uint64_t)e->netns, ifname, tpk_direction(e), flow, tail);
}

/* JSON string body: quotes, backslashes and control bytes escaped. */
static size_t json_str(char *out, size_t len, const char *s, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char c = s[i];
		char tmp[8];
		int k;

		if (c == '"' || c == '\\')
			k = snprintf(tmp, sizeof(tmp), "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			k = snprintf(tmp, sizeof(tmp), "\\u%04x", c);
		else
			k = snprintf(tmp, sizeof(tmp), "%c", c);
		if (n + k < len)
			memcpy(out + n, tmp, k);
		n += k;
	}
	if (len)
		out[n < len ? n : len - 1] = '\0';
	return n;
}

int tpk_fmt_json(char *buf, size_t len, const struct tpk_event *e, struct tpk_fmt_opts *o)
{
	static const char *const kinds[] = { "?", "dev", "nf", "drop" };
	static const char *const backends[] = { "none", "fexit", "kprobe", "nfhook" };
	char ifname[6 * TPK_IFNAMSIZ + 1], table[6 * 128 + 1], chain[6 * 128 + 1];
	char tbuf[TPK_TABLESIZ + 1], cbuf[TPK_TABLESIZ + 1];
	struct tpk_fmt_table t;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	const char *proto = tpk_proto_name(e->l4proto);
	size_t n = 0;

#define OUT(...) (n += snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, __VA_ARGS__))
	json_str(ifname, sizeof(ifname), e->ifname, TPK_IFNAMSIZ);
	tpk_addr_str(family(e), e->saddr, src, sizeof(src));
	tpk_addr_str(family(e), e->daddr, dst, sizeof(dst));
	if (o && !o->ts_base)
		o->ts_base = e->ts_ns;
	OUT("{\"ts_ns\":%" PRIu64, (uint64_t)e->ts_ns);
	if (o && o->timestamp)
		OUT(",\"ts_rel_s\":%.6f", (double)(e->ts_ns - o->ts_base) / 1e9);
	OUT(",\"kind\":\"%s\"", e->kind < 4 ? kinds[e->kind] : "?");
	if (e->kind == TPK_EV_DEV)
		OUT(",\"point\":\"%s\"", tpk_point_name(e->point));
	OUT(",\"netns\":%" PRIu64 ",\"ifindex\":%u,\"ifname\":\"%s\"", (uint64_t)e->netns,
	    e->ifindex, ifname);
	OUT(",\"type\":\"%s\",\"ipver\":%u", tpk_direction(e), e->ipver);
	if (proto)
		OUT(",\"proto\":\"%s\"", proto);
	else
		OUT(",\"proto\":%u", e->l4proto);
	OUT(",\"saddr\":\"%s\",\"daddr\":\"%s\"", src, dst);
	if (has_ports(e))
		OUT(",\"sport\":%u,\"dport\":%u", e->sport, e->dport);
	if (e->l4proto == IPPROTO_ICMP || e->l4proto == IPPROTO_ICMPV6)
		OUT(",\"icmp_type\":%u,\"icmp_code\":%u,\"icmp_id\":%u,\"icmp_seq\":%u",
		    e->icmp_type, e->icmp_code, e->icmp_id, e->icmp_seq);
	if (e->frag_off || e->frag_more)
		OUT(",\"frag_off\":%u,\"frag_more\":%s", e->frag_off, e->frag_more ? "true" : "false");
	if (e->kind == TPK_EV_NF) {
		table_of(e, o, &t, tbuf, cbuf);
		json_str(table, sizeof(table), t.table, 128);
		json_str(chain, sizeof(chain), t.chain, 128);
		OUT(",\"table\":\"%s\",\"hook\":\"%s\",\"verdict\":\"%s\",\"verdict_code\":%d",
		    table, tpk_hook_name(e->hook), tpk_verdict_name(e->verdict), e->verdict);
		if (chain[0])
			OUT(",\"chain\":\"%s\"", chain);
		if (t.ncand > 1) {
			/* The names, each once: the probes sat around all of them. */
			OUT(",\"ambiguous\":true,\"candidates\":[");
			for (const char *c = table; *c;) {
				size_t k = strcspn(c, "|");

				OUT("%s\"%.*s\"", c == table ? "" : ",", (int)k, c);
				c += k + (c[k] == '|');
			}
			OUT("]");
		}
		OUT(",\"backend\":\"%s\"", e->nf_backend < 4 ? backends[e->nf_backend] : "?");
	}
	if (e->kind == TPK_EV_DROP) {
		const char *r = o && o->reason_name ? o->reason_name(e->drop_reason) : NULL;

		OUT(",\"drop_reason_code\":%u", e->drop_reason);
		if (r)
			OUT(",\"drop_reason\":\"%s\"", r);
	}
	OUT(",\"pid\":%u,\"cpu\":%u,\"skb\":\"0x%" PRIx64 "\"}", e->pid, e->cpu, (uint64_t)e->skb);
#undef OUT
	return n;
}
