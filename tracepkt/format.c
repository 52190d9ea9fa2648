// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "backend.h"
#include "format.h"
#include "json.h"
#include "points.h"
#include "util.h"

#define UNK "~UNK~"

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
	if (o && o->table_of && o->table_of(o->ctx, e, t))
		return;
	snprintf(tbuf, TPK_TABLESIZ + 1, "%.*s", TPK_TABLESIZ, e->table);
	snprintf(cbuf, TPK_TABLESIZ + 1, "%.*s", TPK_TABLESIZ, e->chain);
	*t = (struct tpk_fmt_table){ .table = tbuf, .chain = cbuf, .ncand = 1 };
}

/* The programs of a LOST event, or 0 (for any other event too). */
static int lost_progs(const struct tpk_event *e, const struct tpk_fmt_opts *o, struct tpk_devprogs *d)
{
	d->n = 0;
	if (e->kind != TPK_EV_LOST || !o || !o->progs_of)
		return 0;
	return o->progs_of(o->ctx, e, d);
}

/* "lost.xdp:NAME#ID,tc.ingress:NAME#ID" */
static void lost_list(const struct tpk_devprogs *d, char *buf, size_t len)
{
	size_t n = snprintf(buf, len, " %7s.", "lost");

	for (int i = 0; i < d->n && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s:%s#%u", i ? "," : "", d->p[i].attach,
			      d->p[i].name[0] ? d->p[i].name : "?", d->p[i].id);
}

/* The IPTABLES column: " %7s.%-12s:%s" for a verdict, the same shape for a
 * drop ("drop.REASON") and a loss ("lost.PROGRAMS"), empty for a device
 * event. */
static void extra(const struct tpk_event *e, const struct tpk_fmt_opts *o,
		  const struct tpk_devprogs *d, char *buf, size_t len)
{
	char tbuf[TPK_TABLESIZ + 1], cbuf[TPK_TABLESIZ + 1];
	struct tpk_fmt_table t;
	const char *reason = NULL;

	buf[0] = '\0';
	if (e->kind == TPK_EV_NF) {
		table_of(e, o, &t, tbuf, cbuf);
		snprintf(buf, len, " %7s.%-12s:%s", t.table, tpk_hook_name(e->hook),
			 tpk_verdict_name(e->verdict));
	} else if (e->kind == TPK_EV_LOST) {
		lost_list(d, buf, len);
	} else if (e->kind == TPK_EV_PROG) {
		const char *v = tpk_prog_verdict_name(e->point, e->verdict);

		if (v)
			snprintf(buf, len, " %7s:%s", tpk_prog_at_name(e->point), v);
		else
			snprintf(buf, len, " %7s:%d", tpk_prog_at_name(e->point), e->verdict);
	} else if (e->kind == TPK_EV_DROP) {
		if (o && o->reason_name)
			reason = o->reason_name(o->ctx, e->drop_reason);
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
	char flow[2 * sizeof(src) + 4], tail[512];
	struct tpk_devprogs d;
	int n;

	if (e->kind == TPK_EV_LOST && !lost_progs(e, o, &d))
		return -1;
	/* A device name may hold control bytes (only '/', ':' and spaces are
	 * refused): never raw to the terminal. */
	snprintf(raw, sizeof(raw), "%.*s", TPK_IFNAMSIZ, e->ifname);
	tpk_vis(raw, ifname, sizeof(ifname));
	endpoint(e, e->saddr, e->sport, src, sizeof(src));
	endpoint(e, e->daddr, e->dport, dst, sizeof(dst));
	snprintf(flow, sizeof(flow), "%s -> %s", src, dst);
	extra(e, o, &d, tail, sizeof(tail));
	n = timestamp(buf, len, e, o);
	return n + snprintf(buf + n, len > (size_t)n ? len - n : 0, "[%12" PRIu64 "] %16s %7s %-34s%s",
			    (uint64_t)e->netns, ifname, tpk_direction(e), flow, tail);
}

const char *tpk_prog_verdict_name(int at, int ret)
{
	static const char *const tc[] = { "OK", "RECLASSIFY", "SHOT", "PIPE", "STOLEN",
					  "QUEUED", "REPEAT", "REDIRECT", "TRAP" };
	static const char *const xdp[] = { "ABORTED", "DROP", "PASS", "TX", "REDIRECT" };

	if (at == TPK_AT_XDP)
		return ret >= 0 && ret < (int)ARRAY_SIZE(xdp) ? xdp[ret] : NULL;
	if (ret == -1)
		return "UNSPEC";	/* TCX_NEXT too */
	return ret >= 0 && ret < (int)ARRAY_SIZE(tc) ? tc[ret] : NULL;
}

const char *tpk_prog_at_name(int at)
{
	switch (at) {
	case TPK_AT_XDP: return "xdp";
	case TPK_AT_TC_INGRESS: return "tc.ingress";
	case TPK_AT_TC_EGRESS: return "tc.egress";
	default: return "?";
	}
}

/* JSON string body: quotes, backslashes and control bytes escaped. */
static void json_nf(struct tpk_json *j, const struct tpk_event *e, struct tpk_fmt_opts *o)
{
	char tbuf[TPK_TABLESIZ + 1], cbuf[TPK_TABLESIZ + 1];
	struct tpk_fmt_table t;

	table_of(e, o, &t, tbuf, cbuf);
	tpk_json_key(j, "table");
	tpk_json_stringn(j, t.table, 128);
	tpk_json_kstring(j, "hook", tpk_hook_name(e->hook));
	tpk_json_kstring(j, "verdict", tpk_verdict_name(e->verdict));
	tpk_json_kint(j, "verdict_code", e->verdict);
	if (t.chain[0]) {
		tpk_json_key(j, "chain");
		tpk_json_stringn(j, t.chain, 128);
	}
	if (t.ncand > 1) {
		/* The names, each once: the probes sat around all of them. */
		tpk_json_kbool(j, "ambiguous", true);
		tpk_json_key(j, "candidates");
		tpk_json_array(j);
		for (const char *c = t.table; *c;) {
			size_t k = strcspn(c, "|");

			tpk_json_stringn(j, c, k);
			c += k + (c[k] == '|');
		}
		tpk_json_array_end(j);
	}
	tpk_json_kstring(j, "backend", tpk_backend_event_name(e->nf_backend));
}

/* Why the event was sent: the filters matched here ("filter"), or the
 * packet is one they matched earlier: the same skb, a clone of it, or its
 * flow on the other side of a NAT. */
static void json_via(struct tpk_json *j, const struct tpk_event *e)
{
	static const char *const via[] = { "filter", "skb", "clone", "nat" };

	tpk_json_kstring(j, "via", e->via < 4 ? via[e->via] : "?");
	if (e->via == TPK_VIA_CLONE)
		tpk_json_kbool(j, "clone", true);
}

/* A tc or XDP program's verdict: where, what, and which program. */
static void json_prog(struct tpk_json *j, const struct tpk_event *e, const struct tpk_fmt_opts *o)
{
	const char *v = tpk_prog_verdict_name(e->point, e->verdict);
	const char *name = o && o->prog_name ? o->prog_name(o->ctx, e->prog_id) : NULL;

	tpk_json_kstring(j, "attach", tpk_prog_at_name(e->point));
	if (v)
		tpk_json_kstring(j, "verdict", v);
	tpk_json_kint(j, "verdict_code", e->verdict);
	tpk_json_key(j, "program");
	tpk_json_object(j);
	tpk_json_kuint(j, "id", e->prog_id);
	if (name)
		tpk_json_kstring(j, "name", name);
	tpk_json_object_end(j);
}

static void json_programs(struct tpk_json *j, const struct tpk_devprogs *d)
{
	tpk_json_key(j, "programs");
	tpk_json_array(j);
	for (int i = 0; i < d->n; i++) {
		tpk_json_object(j);
		tpk_json_kstring(j, "attach", d->p[i].attach);
		tpk_json_kuint(j, "id", d->p[i].id);
		tpk_json_key(j, "name");
		tpk_json_stringn(j, d->p[i].name, sizeof(d->p[i].name));
		tpk_json_object_end(j);
	}
	tpk_json_array_end(j);
}

int tpk_fmt_json(FILE *f, const struct tpk_event *e, struct tpk_fmt_opts *o)
{
	static const char *const kinds[] = { "?", "dev", "nf", "drop", "lost", "prog" };
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	const char *proto = tpk_proto_name(e->l4proto);
	struct tpk_devprogs d;
	struct tpk_json j;

	if (e->kind == TPK_EV_LOST && !lost_progs(e, o, &d))
		return -1;
	tpk_addr_str(family(e), e->saddr, src, sizeof(src));
	tpk_addr_str(family(e), e->daddr, dst, sizeof(dst));
	if (o && !o->ts_base)
		o->ts_base = e->ts_ns;
	tpk_json_init(&j, f, false);
	tpk_json_object(&j);
	tpk_json_kuint(&j, "ts_ns", e->ts_ns);
	if (o && o->timestamp) {
		tpk_json_key(&j, "ts_rel_s");
		tpk_json_raw(&j, "%.6f", (double)(e->ts_ns - o->ts_base) / 1e9);
	}
	tpk_json_kstring(&j, "kind", e->kind < 6 ? kinds[e->kind] : "?");
	if (e->kind == TPK_EV_DEV)
		tpk_json_kstring(&j, "point", tpk_point_name(e->point));
	tpk_json_kuint(&j, "netns", e->netns);
	tpk_json_kuint(&j, "ifindex", e->ifindex);
	tpk_json_key(&j, "ifname");
	tpk_json_stringn(&j, e->ifname, TPK_IFNAMSIZ);
	tpk_json_kstring(&j, "type", tpk_direction(e));
	tpk_json_kuint(&j, "ipver", e->ipver);
	if (proto)
		tpk_json_kstring(&j, "proto", proto);
	else
		tpk_json_kuint(&j, "proto", e->l4proto);
	tpk_json_kstring(&j, "saddr", src);
	tpk_json_kstring(&j, "daddr", dst);
	if (has_ports(e)) {
		tpk_json_kuint(&j, "sport", e->sport);
		tpk_json_kuint(&j, "dport", e->dport);
	}
	if (e->l4proto == IPPROTO_ICMP || e->l4proto == IPPROTO_ICMPV6) {
		tpk_json_kuint(&j, "icmp_type", e->icmp_type);
		tpk_json_kuint(&j, "icmp_code", e->icmp_code);
		tpk_json_kuint(&j, "icmp_id", e->icmp_id);
		tpk_json_kuint(&j, "icmp_seq", e->icmp_seq);
	}
	if (e->frag_off || e->frag_more) {
		tpk_json_kuint(&j, "frag_off", e->frag_off);
		tpk_json_kbool(&j, "frag_more", e->frag_more);
	}
	if (e->kind == TPK_EV_NF)
		json_nf(&j, e, o);
	if (e->kind == TPK_EV_PROG)
		json_prog(&j, e, o);
	if (e->kind == TPK_EV_DROP || e->kind == TPK_EV_LOST) {
		const char *r = o && o->reason_name ? o->reason_name(o->ctx, e->drop_reason) : NULL;

		tpk_json_kuint(&j, "drop_reason_code", e->drop_reason);
		if (r)
			tpk_json_kstring(&j, "drop_reason", r);
	}
	if (e->kind == TPK_EV_LOST)
		json_programs(&j, &d);
	tpk_json_kuint(&j, "pid", e->pid);
	tpk_json_kuint(&j, "cpu", e->cpu);
	tpk_json_key(&j, "skb");
	tpk_json_raw(&j, "\"0x%" PRIx64 "\"", (uint64_t)e->skb);
	json_via(&j, e);
	tpk_json_object_end(&j);
	tpk_json_finish(&j);
	return 0;
}
