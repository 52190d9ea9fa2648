// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "points.h"
#include "util.h"
#include "tracepkt.skel.h"

const struct tpk_point_info tpk_points[TPK_PT_MAX] = {
	[TPK_PT_NETIF_RX]		 = { "netif_rx", true },
	[TPK_PT_NET_DEV_QUEUE]		 = { "net_dev_queue", true },
	[TPK_PT_NAPI_GRO_RECEIVE_ENTRY]	 = { "napi_gro_receive_entry", true },
	[TPK_PT_NETIF_RECEIVE_SKB_ENTRY] = { "netif_receive_skb_entry", true },
	[TPK_PT_NETIF_RECEIVE_SKB]	 = { "netif_receive_skb", false },
	[TPK_PT_NET_DEV_START_XMIT]	 = { "net_dev_start_xmit", false },
	[TPK_PT_NET_DEV_XMIT]		 = { "net_dev_xmit", false },
	[TPK_PT_NETIF_RX_ENTRY]		 = { "netif_rx_entry", false },
};

void tpk_points_default(bool enabled[TPK_PT_MAX])
{
	for (int i = 0; i < TPK_PT_MAX; i++)
		enabled[i] = tpk_points[i].dflt;
}

const char *tpk_point_name(unsigned int point)
{
	return point < TPK_PT_MAX ? tpk_points[point].name : "?";
}

static int point_find(const char *name)
{
	for (int i = 0; i < TPK_PT_MAX; i++)
		if (!strcmp(name, tpk_points[i].name))
			return i;
	return -1;
}

int tpk_points_parse(const char *list, bool enabled[TPK_PT_MAX], const char **bad)
{
	static char badbuf[64];
	bool set[TPK_PT_MAX];
	bool fresh = false;
	char buf[512], *tok, *save;

	/* An empty name (",,", a comma at either end) is a typo, not "none". */
	if (strlen(list) >= sizeof(buf) || !*list || *list == ',' || list[strlen(list) - 1] == ',' ||
	    strstr(list, ",,")) {
		*bad = list;
		return -EINVAL;
	}
	memcpy(set, enabled, sizeof(set));
	/* Any bare name means "exactly these", whatever its position. */
	for (const char *t = list; t; t = strchr(t, ',')) {
		if (*t == ',')
			t++;
		if (*t != '+' && *t != '-')
			fresh = true;
	}
	if (fresh)
		memset(set, 0, sizeof(set));
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char sign = (*tok == '+' || *tok == '-') ? *tok : 0;
		int i = point_find(sign ? tok + 1 : tok);

		if (i < 0) {
			snprintf(badbuf, sizeof(badbuf), "%s", tok);
			*bad = badbuf;
			return -ENOENT;
		}
		set[i] = sign != '-';
	}
	memcpy(enabled, set, sizeof(set));
	return 0;
}

void tpk_points_probe(struct tpk_kpoints *k, const struct btf *vmlinux, bool raw_tp)
{
	char name[128];

	k->btf = vmlinux != NULL && !raw_tp;
	for (int i = 0; k->btf && i < TPK_PT_MAX; i++) {
		snprintf(name, sizeof(name), "btf_trace_%s", tpk_points[i].name);
		k->have[i] = btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF) > 0;
	}
}

static struct bpf_program *point_prog(struct tracepkt_bpf *skel, const char *kind, int i)
{
	char name[128];

	snprintf(name, sizeof(name), "%s_%s", kind, tpk_points[i].name);
	return bpf_object__find_program_by_name(skel->obj, name);
}

/* A tracepoint asked for by name is an error when missing; a default one
 * is skipped (older kernels lack some of the four). */
static int point_missing(int i, const struct tpk_points_want *w)
{
	if (w->listed && !tpk_points[i].dflt) {
		tpk_err("tracepoint %s does not exist on this kernel", tpk_points[i].name);
		return -ENOENT;
	}
	if (w->verbose)
		tpk_note("tracepoint %s does not exist on this kernel, skipped",
			tpk_points[i].name);
	return 0;
}

int tpk_points_select(struct tracepkt_bpf *skel, const struct tpk_kpoints *k,
		      const struct tpk_points_want *w)
{
	int on = 0;

	for (int i = 0; i < TPK_PT_MAX; i++) {
		struct bpf_program *btf_prog = point_prog(skel, "btf", i);
		struct bpf_program *raw_prog = point_prog(skel, "raw", i);
		bool have = k->have[i];

		if (!btf_prog || !raw_prog)
			return -ENOENT;
		if (w->on[i] && k->btf && !have && point_missing(i, w))
			return -ENOENT;
		bpf_program__set_autoload(btf_prog, w->on[i] && have);
		/* Without vmlinux BTF nothing tells us; raw_tp will say at attach. */
		bpf_program__set_autoload(raw_prog, w->on[i] && !k->btf);
		on += w->on[i] && (have || !k->btf);
	}
	if (!on) {
		tpk_err("no device tracepoint selected");
		return -EINVAL;
	}
	return 0;
}
