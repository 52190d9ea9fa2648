/* SPDX-License-Identifier: GPL-2.0 */
/* Names from the running kernel: /proc/kallsyms addresses and the helper
 * IDs of its BTF `enum bpf_func_id`. */
#ifndef PD_NAMES_H
#define PD_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pd_ksym {
	unsigned long addr;
	const char *name;		/* points into text */
};

/* Each table is read on first use: a program without calls needs
 * neither, and reading all of /proc/kallsyms costs seconds on a slow
 * (emulated) machine. */
struct pd_names {
	bool have_syms, have_helpers;
	char *text;			/* /proc/kallsyms, NULs at name ends */
	struct pd_ksym *syms;
	size_t nr_syms;
	unsigned long call_base;	/* __bpf_call_base: helper imm origin */
	char **helpers;			/* indexed by helper ID */
	size_t nr_helpers;
};

/* Both loads are best effort: a missing table only makes names fall back
 * to addresses or numbers. */
void pd_names_init(struct pd_names *n);
void pd_names_free(struct pd_names *n);
const char *pd_ksym_find(struct pd_names *n, unsigned long addr);
unsigned long pd_call_base(struct pd_names *n);
const char *pd_helper_name(struct pd_names *n, int32_t id);

#endif
