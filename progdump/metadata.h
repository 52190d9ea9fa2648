/* SPDX-License-Identifier: GPL-2.0 */
/* A program's bpf_metadata_* variables from its .rodata map, printed as
 * bpftool's "metadata:" section or "metadata" JSON object. */
#ifndef PD_METADATA_H
#define PD_METADATA_H

#include <linux/types.h>
#include "json.h"

/* json == NULL prints text. Prints nothing without such variables. */
void pd_metadata_show(const __u32 *map_ids, __u32 nr_map_ids, struct tpk_json *json);

#endif
