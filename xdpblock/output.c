// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "json.h"
#include "output.h"
#include "util.h"

static void prefix_str(const struct xb_row *r, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	tpk_addr_str(r->family, r->key.addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, r->key.prefixlen);
}

static void proto_str(const struct xdpb_match *m, char *buf, size_t len)
{
	const char *name = tpk_proto_name(m->proto);

	if (!(m->flags & XDPB_M_PROTO))
		snprintf(buf, len, "any");
	else if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%u", m->proto);
}

/* "53" for either port, "dport:53" or "sport:53" for one: one word, so
 * that the table splits on blanks. */
static void port_str(const struct xdpb_match *m, char *buf, size_t len)
{
	unsigned int dir = m->flags & XB_PORT_EITHER;
	int n = 0;

	if (!dir) {
		snprintf(buf, len, "any");
		return;
	}
	if (dir != XB_PORT_EITHER)
		n = snprintf(buf, len, "%s:", xb_port_word(dir));
	if (m->port_lo == m->port_hi)
		snprintf(buf + n, len - n, "%u", m->port_lo);
	else
		snprintf(buf + n, len - n, "%u-%u", m->port_lo, m->port_hi);
}

static const char *port_match_name(unsigned int flags)
{
	switch (flags & XB_PORT_EITHER) {
	case XB_PORT_DST: return "dst";
	case XB_PORT_SRC: return "src";
	default: return "either";
	}
}

static void rules_json(FILE *f, const struct xb_row *rows, size_t n)
{
	char pfx[INET6_ADDRSTRLEN + 8], proto[8];
	struct tpk_json j;

	tpk_json_init(&j, f, false);
	tpk_json_object(&j);
	tpk_json_key(&j, "rules");
	tpk_json_array(&j);
	for (size_t i = 0; i < n; i++) {
		const struct xb_row *r = &rows[i];
		bool port = r->m.flags & XB_PORT_EITHER;

		prefix_str(r, pfx, sizeof(pfx));
		proto_str(&r->m, proto, sizeof(proto));
		tpk_json_object(&j);
		tpk_json_kuint(&j, "id", r->m.id);
		tpk_json_kstring(&j, "family", r->family == AF_INET ? "ipv4" : "ipv6");
		tpk_json_kstring(&j, "prefix", pfx);
		tpk_json_key(&j, "proto");
		if (r->m.flags & XDPB_M_PROTO)
			tpk_json_string(&j, proto);
		else
			tpk_json_null(&j);
		tpk_json_key(&j, "port_min");
		port ? tpk_json_uint(&j, r->m.port_lo) : tpk_json_null(&j);
		tpk_json_key(&j, "port_max");
		port ? tpk_json_uint(&j, r->m.port_hi) : tpk_json_null(&j);
		tpk_json_key(&j, "port_match");
		port ? tpk_json_string(&j, port_match_name(r->m.flags)) : tpk_json_null(&j);
		tpk_json_kuint(&j, "packets", r->c.packets);
		tpk_json_kuint(&j, "bytes", r->c.bytes);
		tpk_json_object_end(&j);
	}
	tpk_json_array_end(&j);
	tpk_json_object_end(&j);
	tpk_json_finish(&j);
}

void xb_print_rules(FILE *f, const struct xb_row *rows, size_t n, bool json)
{
	char pfx[INET6_ADDRSTRLEN + 8], proto[8], port[24];

	if (json) {
		rules_json(f, rows, n);
		return;
	}
	fprintf(f, "%-6s %-43s %-6s %-17s %12s %14s\n",
		"ID", "PREFIX", "PROTO", "PORT", "PACKETS", "BYTES");
	for (size_t i = 0; i < n; i++) {
		const struct xb_row *r = &rows[i];

		prefix_str(r, pfx, sizeof(pfx));
		proto_str(&r->m, proto, sizeof(proto));
		port_str(&r->m, port, sizeof(port));
		fprintf(f, "%-6u %-43s %-6s %-17s %12llu %14llu\n",
			r->m.id, pfx, proto, port, (unsigned long long)r->c.packets, (unsigned long long)r->c.bytes);
	}
}

static const char *const total_names[XDPB_T_MAX] = {
	[XDPB_T_PASSED] = "passed",
	[XDPB_T_DROPPED] = "dropped",
	[XDPB_T_OTHER] = "other",
};

static void status_json(FILE *f, const struct xb_status *st)
{
	struct tpk_json j;

	tpk_json_init(&j, f, false);
	tpk_json_object(&j);
	tpk_json_kstring(&j, "pin_dir", st->dir);
	tpk_json_kbool(&j, "pinned", st->exists);
	tpk_json_key(&j, "attached");
	tpk_json_array(&j);
	for (size_t i = 0; i < st->n_links; i++) {
		const struct xb_link *l = &st->links[i];

		tpk_json_object(&j);
		tpk_json_kstring(&j, "ifname", l->ifname);
		tpk_json_kuint(&j, "netns", l->netns);
		tpk_json_kuint(&j, "ifindex", l->ifindex);
		tpk_json_kbool(&j, "live", l->ifindex);
		tpk_json_key(&j, "mode");
		l->mode ? tpk_json_string(&j, l->mode) : tpk_json_null(&j);
		tpk_json_kuint(&j, "link_id", l->link_id);
		tpk_json_kuint(&j, "prog_id", l->prog_id);
		tpk_json_object_end(&j);
	}
	tpk_json_array_end(&j);
	tpk_json_kuint(&j, "rules", st->rules_v4 + st->rules_v6);
	tpk_json_kuint(&j, "rules_ipv4", st->rules_v4);
	tpk_json_kuint(&j, "rules_ipv6", st->rules_v6);
	for (int i = 0; i < XDPB_T_MAX; i++) {
		tpk_json_key(&j, total_names[i]);
		tpk_json_object(&j);
		tpk_json_kuint(&j, "packets", st->totals[i].packets);
		tpk_json_kuint(&j, "bytes", st->totals[i].bytes);
		tpk_json_object_end(&j);
	}
	tpk_json_object_end(&j);
	tpk_json_finish(&j);
}

void xb_print_status(FILE *f, const struct xb_status *st, bool json)
{
	if (json) {
		status_json(f, st);
		return;
	}
	fprintf(f, "pins:     %s%s\n", st->dir, st->exists ? "" : " (none)");
	if (!st->n_links)
		fprintf(f, "attached: nowhere\n");
	for (size_t i = 0; i < st->n_links; i++) {
		const struct xb_link *l = &st->links[i];
		char vis[4 * sizeof(l->ifname)];

		fprintf(f, "%s", i ? "          " : "attached: ");
		if (!l->ifindex) {
			fprintf(f, "%s (netns %llu, device gone; flush or attach clears it)\n",
				tpk_vis(l->ifname, vis, sizeof(vis)), (unsigned long long)l->netns);
			continue;
		}
		fprintf(f, "%s (netns %llu, ifindex %u, %s, link %u, prog %u)\n",
			tpk_vis(l->ifname, vis, sizeof(vis)), (unsigned long long)l->netns, l->ifindex, l->mode ? l->mode : "mode unknown here",
			l->link_id, l->prog_id);
	}
	fprintf(f, "rules:    %zu (IPv4 %zu, IPv6 %zu)\n",
		st->rules_v4 + st->rules_v6, st->rules_v4, st->rules_v6);
	for (int i = 0; i < XDPB_T_MAX; i++)
		fprintf(f, "%s:%*s%llu packets, %llu bytes%s\n", total_names[i],
			(int)(9 - strlen(total_names[i])), "", st->totals[i].packets,
			(unsigned long long)st->totals[i].bytes, i == XDPB_T_OTHER ? " (not IP or cut short: passed)" : "");
}
