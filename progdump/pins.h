/* SPDX-License-Identifier: GPL-2.0 */
/* Where programs are pinned in every mounted bpffs (bpftool -f). */
#ifndef PD_PINS_H
#define PD_PINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pd_pin {
	uint32_t id;
	char *path;
	struct pd_pin *next;
};

/* Buckets grow and re-chain exactly like libbpf's hashmap, because bpftool
 * prints a program's paths in that table's chain order. */
struct pd_pins {
	struct pd_pin **buckets;
	size_t cap_bits, size;
};

/* Walks every bpf mount of /proc/mounts. Returns 0 or -errno. */
int pd_pins_load(struct pd_pins *t);
void pd_pins_free(struct pd_pins *t);
static inline bool pd_pins_empty(const struct pd_pins *t)
{
	return !t->size;
}
/* Paths of id in bpftool's order: call with *it = NULL first; NULL at end. */
const char *pd_pins_next(const struct pd_pins *t, uint32_t id, const struct pd_pin **it);

#endif
