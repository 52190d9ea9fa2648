/* SPDX-License-Identifier: GPL-2.0 */
/* `tcdrop status`: the rows are read from the kernel and the pins first,
 * then rendered as a table for people or as one JSON document. */
#ifndef TCDROP_STATUS_H
#define TCDROP_STATUS_H

#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>

#include "store.h"

struct tcdrop_row {
	const struct tcdrop_entry *e;
	char name[IF_NAMESIZE];		/* the device's name now, else the one it had */
	const char *state;		/* tcdrop_state_name() */
	char filter[160];		/* tcdrop_cfg_str() */
	struct tcdrop_count c[TCDROP_NCOUNTERS];
};

/* The rows of the entries on ifindex (0: all); *rows is malloc'ed (it
 * points into v). Count, or -ENOMEM. */
int tcdrop_status_collect(const struct tcdrop_entry *v, int n, int ifindex,
			  struct tcdrop_row **rows);
/* No kernel I/O. 0, or -EIO when writing failed. */
int tcdrop_status_render(FILE *f, const struct tcdrop_row *rows, int n, bool json);

#endif
