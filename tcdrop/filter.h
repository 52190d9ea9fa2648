/* SPDX-License-Identifier: GPL-2.0 */
/* The narrowing options, as the kernel side's struct tcdrop_cfg. */
#ifndef TCDROP_FILTER_H
#define TCDROP_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "tcdrop.h"

struct tcdrop_opts {
	int proto;			/* -1: any */
	bool src_set, dst_set, port_set;
	struct tpk_prefix src, dst;
	struct tpk_port_range port;
	enum tcdrop_port_dir port_dir;	/* --port, --sport or --dport */
};

/* "--port", "--sport" or "--dport"; "port", "sport" or "dport" without
 * the dashes (what status prints). */
const char *tcdrop_port_opt(enum tcdrop_port_dir dir, bool dashes);

/* Fill cfg from the options. Returns NULL, or the one-line reason the
 * combination cannot match anything (mixed families, port without ports). */
const char *tcdrop_cfg_build(const struct tcdrop_opts *o, struct tcdrop_cfg *cfg);
/* "all", or e.g. "udp from 198.18.0.0/24 port 53": what is dropped. */
void tcdrop_cfg_str(const struct tcdrop_cfg *cfg, char *buf, size_t len);

#endif
