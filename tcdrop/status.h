/* SPDX-License-Identifier: GPL-2.0 */
/* `tcdrop status`: a table for people, or one JSON document. */
#ifndef TCDROP_STATUS_H
#define TCDROP_STATUS_H

#include <stdbool.h>
#include <stdio.h>

#include "store.h"

/* Entries on ifindex (0: all). 0, or -errno when writing failed. */
int tcdrop_status_print(FILE *f, const struct tcdrop_entry *v, int n, int ifindex, bool json);

#endif
