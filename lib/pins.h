/* SPDX-License-Identifier: GPL-2.0 */
/* What the tools that leave state in bpffs share: one lock per state
 * folder, and the sums of per-CPU counters. */
#ifndef TPK_PINS_H
#define TPK_PINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Lock the bpffs folder dir against the same tool's other commands (in
 * any namespace: bpffs is shared), making it first with create. *fd is
 * the lock, held until closed; -1 when dir does not exist and create is
 * false (nothing there to protect). A folder removed by the holder before
 * we got the lock is found again. 0 or -errno (printed). */
int tpk_lock_dir(const char *dir, bool create, int *fd);

/* The value at key of a per-CPU map, a struct of n uint64_t fields,
 * summed over every possible CPU into out[0..n). 0 or -errno. */
int tpk_percpu_sum(int map_fd, const void *key, size_t n, uint64_t *out);

#endif
