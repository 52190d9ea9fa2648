// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <string.h>

#include "attach.h"
#include "filter.h"
#include "status.h"
#include "util.h"

/* The device's name now (it may have been renamed), else the one it had. */
static const char *dev_name(const struct tcdrop_info *i, char *buf)
{
	if (if_indextoname(i->ifindex, buf))
		return buf;
	return i->ifname;
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

int tcdrop_status_print(FILE *f, const struct tcdrop_entry *v, int n, int ifindex, bool json)
{
	struct tcdrop_count c[TCDROP_NCOUNTERS];
	char name[IF_NAMESIZE], vis[4 * IF_NAMESIZE], what[160];
	bool first = true;

	if (json)
		fprintf(f, "{\"attachments\":[");
	else
		fprintf(f, "%-15s %7s %-7s %-6s %-8s %12s %14s %12s  %s\n", "DEVICE", "IFINDEX",
			"DIR", "MECH", "STATE", "DROPPED", "DROPPED_BYTES", "SEEN", "FILTER");
	for (int k = 0; k < n; k++) {
		const struct tcdrop_info *i = &v[k].info;
		const char *dir = i->dir == TCDROP_EGRESS ? "egress" : "ingress";
		const char *mech = i->mech == TCDROP_TCX ? "tcx" : "legacy";
		const char *state = tcdrop_state_name(tcdrop_entry_state(&v[k]));

		if (ifindex && i->ifindex != (__u32)ifindex)
			continue;
		tcdrop_entry_counts(&v[k], c);
		tcdrop_cfg_str(&i->cfg, what, sizeof(what));
		if (!json) {
			fprintf(f, "%-15s %7u %-7s %-6s %-8s %12" PRIu64 " %14" PRIu64 " %12" PRIu64
				"  %s\n", tpk_vis(dev_name(i, name), vis, sizeof(vis)), i->ifindex, dir, mech, state,
				(uint64_t)c[TCDROP_DROPPED].packets,
				(uint64_t)c[TCDROP_DROPPED].bytes,
				(uint64_t)c[TCDROP_SEEN].packets, what);
			continue;
		}
		fprintf(f, "%s{\"device\":", first ? "" : ",");
		tpk_json_str(f, dev_name(i, name));
		fprintf(f, ",\"ifindex\":%u,\"netns\":%" PRIu64 ",\"direction\":\"%s\","
			"\"mechanism\":\"%s\",\"state\":\"%s\",\"prog_id\":%u,",
			i->ifindex, (uint64_t)i->netns, dir, mech, state, i->prog_id);
		if (i->mech == TCDROP_LEGACY)
			fprintf(f, "\"tc_pref\":%u,\"tc_handle\":%u,\"own_qdisc\":%s,",
				TCDROP_TC_PRIO, TCDROP_TC_HANDLE, i->own_qdisc ? "true" : "false");
		fprintf(f, "\"attached\":%" PRIu64 ",\"filter\":", (uint64_t)i->attached);
		tpk_json_str(f, what);
		fprintf(f, ",\"dropped_packets\":%" PRIu64 ",\"dropped_bytes\":%" PRIu64
			",\"seen_packets\":%" PRIu64 ",\"seen_bytes\":%" PRIu64 ",\"pin\":",
			(uint64_t)c[TCDROP_DROPPED].packets, (uint64_t)c[TCDROP_DROPPED].bytes,
			(uint64_t)c[TCDROP_SEEN].packets, (uint64_t)c[TCDROP_SEEN].bytes);
		tpk_json_str(f, pin_path(v[k].path));
		fputc('}', f);
		first = false;
	}
	if (json)
		fprintf(f, "]}\n");
	return fflush(f) || ferror(f) ? -EIO : 0;
}
