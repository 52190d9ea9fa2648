// SPDX-License-Identifier: GPL-2.0
#include <string.h>

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

static void port_str(const struct xdpb_match *m, char *buf, size_t len)
{
	if (!(m->flags & XDPB_M_PORT))
		snprintf(buf, len, "any");
	else if (m->port_lo == m->port_hi)
		snprintf(buf, len, "%u", m->port_lo);
	else
		snprintf(buf, len, "%u-%u", m->port_lo, m->port_hi);
}

void xb_print_rules(FILE *f, const struct xb_row *rows, size_t n, bool json)
{
	char pfx[INET6_ADDRSTRLEN + 8], proto[8], port[16];

	if (!json)
		fprintf(f, "%-6s %-43s %-6s %-11s %12s %14s\n",
			"ID", "PREFIX", "PROTO", "PORT", "PACKETS", "BYTES");
	else
		fprintf(f, "{\"rules\":[");
	for (size_t i = 0; i < n; i++) {
		const struct xb_row *r = &rows[i];

		prefix_str(r, pfx, sizeof(pfx));
		proto_str(&r->m, proto, sizeof(proto));
		port_str(&r->m, port, sizeof(port));
		if (!json) {
			fprintf(f, "%-6u %-43s %-6s %-11s %12llu %14llu\n",
				r->m.id, pfx, proto, port, (unsigned long long)r->c.packets, (unsigned long long)r->c.bytes);
			continue;
		}
		fprintf(f, "%s{\"id\":%u,\"family\":\"%s\",\"prefix\":\"%s\",\"proto\":",
			i ? "," : "", r->m.id, r->family == AF_INET ? "ipv4" : "ipv6", pfx);
		if (r->m.flags & XDPB_M_PROTO)
			fprintf(f, "\"%s\"", proto);
		else
			fprintf(f, "null");
		if (r->m.flags & XDPB_M_PORT)
			fprintf(f, ",\"port_min\":%u,\"port_max\":%u", r->m.port_lo, r->m.port_hi);
		else
			fprintf(f, ",\"port_min\":null,\"port_max\":null");
		fprintf(f, ",\"packets\":%llu,\"bytes\":%llu}",
			(unsigned long long)r->c.packets, (unsigned long long)r->c.bytes);
	}
	if (json)
		fprintf(f, "]}\n");
}

static const char *const total_names[XDPB_T_MAX] = {
	[XDPB_T_PASSED] = "passed",
	[XDPB_T_DROPPED] = "dropped",
	[XDPB_T_OTHER] = "other",
};

static void status_json(FILE *f, const struct xb_status *st)
{
	fprintf(f, "{\"pin_dir\":");
	tpk_json_str(f, st->dir);
	fprintf(f, ",\"pinned\":%s,\"attached\":[", st->exists ? "true" : "false");
	for (size_t i = 0; i < st->n_links; i++) {
		const struct xb_link *l = &st->links[i];

		fprintf(f, "%s{\"ifname\":", i ? "," : "");
		tpk_json_str(f, l->ifname);
		fprintf(f, ",\"netns\":%llu,\"ifindex\":%u,\"live\":%s,\"mode\":",
			(unsigned long long)l->netns, l->ifindex, l->ifindex ? "true" : "false");
		if (l->mode)
			tpk_json_str(f, l->mode);
		else
			fprintf(f, "null");
		fprintf(f, ",\"link_id\":%u,\"prog_id\":%u}", l->link_id, l->prog_id);
	}
	fprintf(f, "],\"rules\":%zu,\"rules_ipv4\":%zu,\"rules_ipv6\":%zu",
		st->rules_v4 + st->rules_v6, st->rules_v4, st->rules_v6);
	for (int i = 0; i < XDPB_T_MAX; i++)
		fprintf(f, ",\"%s\":{\"packets\":%llu,\"bytes\":%llu}",
			total_names[i], (unsigned long long)st->totals[i].packets, (unsigned long long)st->totals[i].bytes);
	fprintf(f, "}\n");
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
