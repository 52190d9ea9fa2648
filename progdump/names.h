/* SPDX-License-Identifier: GPL-2.0 */
/* Names from the running kernel: /proc/kallsyms addresses and the helper
 * IDs of its BTF `enum bpf_func_id`. */
#ifndef PD_NAMES_H
#define PD_NAMES_H

#include <stddef.h>
#include <stdint.h>

struct pd_ksym {
	unsigned long addr;
	char *name;
};

struct pd_names {
	struct pd_ksym *syms;
	size_t nr_syms;
	unsigned long call_base;	/* __bpf_call_base: helper imm origin */
	char **helpers;			/* indexed by helper ID */
	size_t nr_helpers;
};

/* Both loads are best effort: a missing table only makes names fall back
 * to addresses or numbers. */
void pd_names_load(struct pd_names *n);
void pd_names_free(struct pd_names *n);
const char *pd_ksym_find(const struct pd_names *n, unsigned long addr);
const char *pd_helper_name(const struct pd_names *n, int32_t id);

#endif
