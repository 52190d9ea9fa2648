// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <linux/netfilter.h>

#include "util.h"
#include "xtables.h"

/* The hooks and priorities legacy xtables tables register. */
static const struct {
	const char *name;
	int32_t prio[NF_INET_NUMHOOKS];	/* 1: not at this hook */
} xt_tables[] = {
	/*		PREROUTING INPUT FORWARD OUTPUT POSTROUTING */
	{ "raw",	{ -300, 1, 1, -300, 1 } },
	{ "mangle",	{ -150, -150, -150, -150, -150 } },
	{ "nat",	{ -100, 100, 1, -100, 100 } },
	{ "filter",	{ 1, 0, 0, 0, 1 } },
	{ "security",	{ 1, 50, 50, 50, 1 } },
};

int tpk_xt_tables(int pf, struct tpk_nf_entries *l)
{
	const char *path = pf == NFPROTO_IPV6 ? "/proc/net/ip6_tables_names"
					      : "/proc/net/ip_tables_names";
	struct tpk_nf_hook_entry e;
	char name[64];
	int err = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;	/* no ip_tables: no legacy tables */
	while (!err && fscanf(f, "%63s", name) == 1) {
		for (size_t t = 0; t < ARRAY_SIZE(xt_tables); t++) {
			if (strcmp(name, xt_tables[t].name))
				continue;
			for (int hook = 0; !err && hook < NF_INET_NUMHOOKS; hook++) {
				if (xt_tables[t].prio[hook] == 1)
					continue;
				memset(&e, 0, sizeof(e));
				e.family = pf;
				e.hook = hook;
				e.prio = xt_tables[t].prio[hook];
				e.nat = !strcmp(name, "nat");
				snprintf(e.table, sizeof(e.table), "%s", xt_tables[t].name);
				err = tpk_nf_entries_push(l, &e);
			}
		}
	}
	fclose(f);
	return err;
}
