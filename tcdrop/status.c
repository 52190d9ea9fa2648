// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "filter.h"
#include "json.h"
#include "status.h"
#include "util.h"

int tcdrop_status_collect(const struct tcdrop_entry *v, int n, int ifindex,
			  struct tcdrop_row **rows)
{
	struct tcdrop_row *r = calloc(n ? n : 1, sizeof(*r));
	int k = 0;

	*rows = r;
	if (!r)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		const struct tcdrop_info *info = &v[i].info;

		if (ifindex && info->ifindex != (__u32)ifindex)
			continue;
		r[k].e = &v[i];
		/* Renamed since attach? The kernel's name now. */
		if (!if_indextoname(info->ifindex, r[k].name))
			snprintf(r[k].name, sizeof(r[k].name), "%s", info->ifname);
		r[k].state = tcdrop_state_name(tcdrop_entry_state(&v[i]));
		tcdrop_cfg_str(&info->cfg, r[k].filter, sizeof(r[k].filter));
		tcdrop_entry_counts(&v[i], r[k].c);
		k++;
	}
	return k;
}

static const char *dir_name(const struct tcdrop_info *i)
{
	return i->dir == TCDROP_EGRESS ? "egress" : "ingress";
}

static const char *mech_name(const struct tcdrop_info *i)
{
	return i->mech == TCDROP_TCX ? "tcx" : "legacy";
}

/* Under `ip netns exec` pins are reached through "/proc/PID/root": show
 * the path as the user knows it. */
static const char *pin_path(const char *p)
{
	const char *r;

	if (strncmp(p, "/proc/", 6) || !(r = strstr(p, "/root/")))
		return p;
	return r + 5;
}

static void render_table(FILE *f, const struct tcdrop_row *rows, int n)
{
	char vis[4 * IF_NAMESIZE];

	fprintf(f, "%-15s %7s %-7s %-6s %-8s %12s %14s %12s  %s\n", "DEVICE", "IFINDEX",
		"DIR", "MECH", "STATE", "DROPPED", "DROPPED_BYTES", "SEEN", "FILTER");
	for (int k = 0; k < n; k++) {
		const struct tcdrop_info *i = &rows[k].e->info;
		const struct tcdrop_count *c = rows[k].c;

		fprintf(f, "%-15s %7u %-7s %-6s %-8s %12" PRIu64 " %14" PRIu64 " %12" PRIu64 "  %s\n",
			tpk_vis(rows[k].name, vis, sizeof(vis)), i->ifindex, dir_name(i),
			mech_name(i), rows[k].state, (uint64_t)c[TCDROP_DROPPED].packets,
			(uint64_t)c[TCDROP_DROPPED].bytes, (uint64_t)c[TCDROP_SEEN].packets,
			rows[k].filter);
	}
}

static void render_json(FILE *f, const struct tcdrop_row *rows, int n)
{
	struct tpk_json j;

	tpk_json_init(&j, f, false);
	tpk_json_object(&j);
	tpk_json_key(&j, "attachments");
	tpk_json_array(&j);
	for (int k = 0; k < n; k++) {
		const struct tcdrop_info *i = &rows[k].e->info;
		const struct tcdrop_count *c = rows[k].c;

		tpk_json_object(&j);
		tpk_json_kstring(&j, "device", rows[k].name);
		tpk_json_kuint(&j, "ifindex", i->ifindex);
		tpk_json_kuint(&j, "netns", i->netns);
		tpk_json_kstring(&j, "direction", dir_name(i));
		tpk_json_kstring(&j, "mechanism", mech_name(i));
		tpk_json_kstring(&j, "state", rows[k].state);
		tpk_json_kuint(&j, "prog_id", i->prog_id);
		if (i->mech == TCDROP_LEGACY) {
			tpk_json_kuint(&j, "tc_pref", TCDROP_TC_PRIO);
			tpk_json_kuint(&j, "tc_handle", TCDROP_TC_HANDLE);
			tpk_json_kbool(&j, "own_qdisc", i->own_qdisc);
		}
		tpk_json_kuint(&j, "attached", i->attached);
		tpk_json_kstring(&j, "filter", rows[k].filter);
		tpk_json_kuint(&j, "dropped_packets", c[TCDROP_DROPPED].packets);
		tpk_json_kuint(&j, "dropped_bytes", c[TCDROP_DROPPED].bytes);
		tpk_json_kuint(&j, "seen_packets", c[TCDROP_SEEN].packets);
		tpk_json_kuint(&j, "seen_bytes", c[TCDROP_SEEN].bytes);
		tpk_json_kstring(&j, "pin", pin_path(rows[k].e->path));
		tpk_json_object_end(&j);
	}
	tpk_json_array_end(&j);
	tpk_json_object_end(&j);
	tpk_json_finish(&j);
}

int tcdrop_status_render(FILE *f, const struct tcdrop_row *rows, int n, bool json)
{
	if (json)
		render_json(f, rows, n);
	else
		render_table(f, rows, n);
	return fflush(f) || ferror(f) ? -EIO : 0;
}
