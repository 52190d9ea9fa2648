/* SPDX-License-Identifier: GPL-2.0 */
/* What `list` and `status` print, as text or as one JSON document. */
#ifndef XDPBLOCK_OUTPUT_H
#define XDPBLOCK_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "links.h"
#include "state.h"

void xb_print_rules(FILE *f, const struct xb_row *rows, size_t n, bool json);

struct xb_status {
	const char *dir;
	bool exists;
	const struct xb_link *links;
	size_t n_links;
	size_t rules_v4, rules_v6;
	struct xdpb_counter totals[XDPB_T_MAX];
};

void xb_print_status(FILE *f, const struct xb_status *st, bool json);

#endif
