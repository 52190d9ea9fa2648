// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>

#include "names.h"

/* bpftool orders kallsyms with a comparator that truncates the address
 * difference to int, and looks names up with bsearch through the same
 * comparator. Sorting and searching the same way with the same libc picks
 * the same symbol wherever several share an address. */
static int ksym_cmp(const void *a, const void *b)
{
	return ((const struct pd_ksym *)a)->addr - ((const struct pd_ksym *)b)->addr;
}

static void load_kallsyms(struct pd_names *n)
{
	char line[512], name[256];
	size_t cap = 0;
	void *addr;
	FILE *f;

	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct pd_ksym *grown;

		if (sscanf(line, "%p %*c %255s", &addr, name) != 2)
			break;
		if (!addr)
			continue;
		if (n->nr_syms == cap) {
			cap = cap ? cap * 2 : 65536;
			grown = realloc(n->syms, cap * sizeof(*grown));
			if (!grown)
				break;
			n->syms = grown;
		}
		n->syms[n->nr_syms].addr = (unsigned long)addr;
		n->syms[n->nr_syms].name = strdup(name);
		if (!n->syms[n->nr_syms].name)
			break;
		if (!strcmp(name, "__bpf_call_base"))
			n->call_base = (unsigned long)addr;
		n->nr_syms++;
	}
	fclose(f);
	if (n->nr_syms)
		qsort(n->syms, n->nr_syms, sizeof(*n->syms), ksym_cmp);
}

static void load_helpers(struct pd_names *n)
{
	static const char prefix[] = "BPF_FUNC_";
	const struct btf_enum *e;
	const struct btf_type *t;
	struct btf *btf;
	int id, i;

	btf = btf__load_vmlinux_btf();
	if (!btf)
		return;
	id = btf__find_by_name_kind(btf, "bpf_func_id", BTF_KIND_ENUM);
	if (id < 0)
		goto out;
	t = btf__type_by_id(btf, id);
	e = btf_enum(t);
	for (i = 0; i < btf_vlen(t); i++) {
		const char *s = btf__name_by_offset(btf, e[i].name_off);
		uint32_t v = e[i].val;

		if (!s || strncmp(s, prefix, sizeof(prefix) - 1) || v > 65535)
			continue;
		if (v >= n->nr_helpers) {
			char **grown = realloc(n->helpers, (v + 1) * sizeof(*grown));

			if (!grown)
				break;
			memset(grown + n->nr_helpers, 0, (v + 1 - n->nr_helpers) * sizeof(*grown));
			n->helpers = grown;
			n->nr_helpers = v + 1;
		}
		free(n->helpers[v]);
		if (asprintf(&n->helpers[v], "bpf_%s", s + sizeof(prefix) - 1) < 0)
			n->helpers[v] = NULL;
	}
out:
	btf__free(btf);
}

void pd_names_load(struct pd_names *n)
{
	memset(n, 0, sizeof(*n));
	load_kallsyms(n);
	load_helpers(n);
}

void pd_names_free(struct pd_names *n)
{
	size_t i;

	for (i = 0; i < n->nr_syms; i++)
		free(n->syms[i].name);
	for (i = 0; i < n->nr_helpers; i++)
		free(n->helpers[i]);
	free(n->syms);
	free(n->helpers);
	memset(n, 0, sizeof(*n));
}

const char *pd_ksym_find(const struct pd_names *n, unsigned long addr)
{
	struct pd_ksym key = { .addr = addr }, *hit;

	if (!n->nr_syms)
		return NULL;
	hit = bsearch(&key, n->syms, n->nr_syms, sizeof(*n->syms), ksym_cmp);
	return hit ? hit->name : NULL;
}

const char *pd_helper_name(const struct pd_names *n, int32_t id)
{
	if (id < 0 || (size_t)id >= n->nr_helpers)
		return NULL;
	return n->helpers[id];
}
