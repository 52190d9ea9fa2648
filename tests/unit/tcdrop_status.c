// SPDX-License-Identifier: GPL-2.0
/* status output for entries whose device no longer exists: the table and
 * the JSON document, byte for byte. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "status.h"
#include "tap.h"

static char *print(const struct tcdrop_entry *v, int n, int ifindex, bool json)
{
	static char *buf;
	struct tcdrop_row *rows;
	size_t len;
	FILE *f;

	free(buf);
	f = open_memstream(&buf, &len);
	n = tcdrop_status_collect(v, n, ifindex, &rows);
	tcdrop_status_render(f, rows, n, json);
	free(rows);
	fclose(f);
	return buf;
}

int main(void)
{
	struct tcdrop_entry v[2] = { 0 };

	for (int i = 0; i < 2; i++) {
		v[i].info.magic = TCDROP_MAGIC;
		v[i].info.ifindex = 999999 + i;	/* no such device */
		v[i].info.netns = 4026531840u;
		v[i].info.attached = 1700000000;
		v[i].info.prog_id = 42 + i;
		snprintf(v[i].info.ifname, sizeof(v[i].info.ifname), "ve\"th%d", i);
	}
	snprintf(v[0].path, sizeof(v[0].path), "/proc/1/root/sys/fs/bpf/tcdrop/x/a");
	snprintf(v[1].path, sizeof(v[1].path), "/sys/fs/bpf/tcdrop/x/b");
	v[0].info.mech = TCDROP_TCX;
	v[1].info.mech = TCDROP_LEGACY;
	v[1].info.dir = TCDROP_EGRESS;
	v[1].info.own_qdisc = 1;
	v[1].info.cfg.proto_on = 1;
	v[1].info.cfg.proto = 17;
	v[1].info.cfg.port_lo = v[1].info.cfg.port_hi = 53;

	tap_plan(4);
	tap_is_str(print(v, 2, 0, false),
		   "DEVICE          IFINDEX DIR     MECH   STATE         DROPPED  DROPPED_BYTES         SEEN  FILTER\n"
		   "ve\"th0           999999 ingress tcx    gone                0              0            0  all\n"
		   "ve\"th1          1000000 egress  legacy gone                0              0            0  udp port 53\n",
		   "table");
	tap_is_str(print(v, 2, 0, true),
		   "{\"attachments\":["
		   "{\"device\":\"ve\\\"th0\",\"ifindex\":999999,\"netns\":4026531840,\"direction\":\"ingress\","
		   "\"mechanism\":\"tcx\",\"state\":\"gone\",\"prog_id\":42,\"attached\":1700000000,"
		   "\"filter\":\"all\",\"dropped_packets\":0,\"dropped_bytes\":0,\"seen_packets\":0,"
		   "\"seen_bytes\":0,\"pin\":\"/sys/fs/bpf/tcdrop/x/a\"},"
		   "{\"device\":\"ve\\\"th1\",\"ifindex\":1000000,\"netns\":4026531840,\"direction\":\"egress\","
		   "\"mechanism\":\"legacy\",\"state\":\"gone\",\"prog_id\":43,\"tc_pref\":1997,"
		   "\"tc_handle\":1997,\"own_qdisc\":true,\"attached\":1700000000,\"filter\":\"udp port 53\","
		   "\"dropped_packets\":0,\"dropped_bytes\":0,\"seen_packets\":0,\"seen_bytes\":0,"
		   "\"pin\":\"/sys/fs/bpf/tcdrop/x/b\"}]}\n",
		   "JSON, escaped, pins shown as outside ip netns exec");
	tap_is_str(print(v, 2, 1000000, true) + 16, "{\"device\":\"ve\\\"th1\",\"ifindex\":1000000,"
		   "\"netns\":4026531840,\"direction\":\"egress\",\"mechanism\":\"legacy\",\"state\":\"gone\","
		   "\"prog_id\":43,\"tc_pref\":1997,\"tc_handle\":1997,\"own_qdisc\":true,"
		   "\"attached\":1700000000,\"filter\":\"udp port 53\",\"dropped_packets\":0,"
		   "\"dropped_bytes\":0,\"seen_packets\":0,\"seen_bytes\":0,"
		   "\"pin\":\"/sys/fs/bpf/tcdrop/x/b\"}]}\n", "one device only");
	tap_is_str(print(v, 0, 0, true), "{\"attachments\":[]}\n", "nothing attached");
	return tap_exit();
}
