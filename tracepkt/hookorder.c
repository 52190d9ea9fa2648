// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>

#include "hookorder.h"

int tpk_nf_entries_push(struct tpk_nf_entries *l, const struct tpk_nf_hook_entry *e)
{
	if (l->n == l->cap) {
		int cap = l->cap ? 2 * l->cap : 64;
		struct tpk_nf_hook_entry *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *e;
	return 0;
}

static int by_prio(const void *a, const void *b)
{
	const struct tpk_nf_hook_entry *x = a, *y = b;

	/* Names break ties: candidates are listed the same way every run. */
	if (x->prio != y->prio)
		return (x->prio > y->prio) - (x->prio < y->prio);
	return strcmp(x->table, y->table);
}

/* Add name to a '|'-separated list unless it is there already. */
static void name_add(char *list, size_t len, const char *name)
{
	size_t nl = strlen(name), at = 0;

	while (list[at]) {
		size_t end = strcspn(list + at, "|");

		if (end == nl && !strncmp(list + at, name, nl))
			return;
		at += end + (list[at + end] == '|');
	}
	at = strlen(list);
	snprintf(list + at, len - at, "%s%s", at ? "|" : "", name);
}

int tpk_nf_tables_at(const struct tpk_nf_hook_entry *all, int n, int pf, int hook,
		     struct tpk_nf_table **out)
{
	struct tpk_nf_hook_entry *here = calloc(n ? n : 1, sizeof(*here));
	struct tpk_nf_table *t = calloc(n ? n : 1, sizeof(*t));
	int m = 0, k = 0;

	*out = NULL;
	if (!here || !t) {
		free(here);
		free(t);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++)
		if (all[i].hook == hook && (all[i].family == pf || all[i].family == NFPROTO_INET))
			here[m++] = all[i];
	qsort(here, m, sizeof(here[0]), by_prio);
	for (int i = 0; i < m; i++) {
		/* Tables one apart or at one priority cannot be told apart by
		 * probes between them: they share a position, and its line
		 * names them all. */
		if (k == 0 || here[i].prio - t[k - 1].prio >= 2) {
			t[k].prio = here[i].prio;
			t[k].nat = here[i].nat;
			t[k].pf = pf;
			t[k].hook = hook;
			k++;
		} else {
			t[k - 1].nat = t[k - 1].nat && here[i].nat;
		}
		t[k - 1].ncand++;
		name_add(t[k - 1].table, sizeof(t[k - 1].table), here[i].table);
		if (here[i].chain[0])
			name_add(t[k - 1].chain, sizeof(t[k - 1].chain), here[i].chain);
	}
	free(here);
	*out = t;
	return k;
}
