/* SPDX-License-Identifier: GPL-2.0 */
/* tcdrop's commands, as main.c's table runs them. */
#ifndef TCDROP_COMMANDS_H
#define TCDROP_COMMANDS_H

#include <stdbool.h>

#include "filter.h"

#define TCDROP_DIR_IN	(1 << TCDROP_INGRESS)
#define TCDROP_DIR_OUT	(1 << TCDROP_EGRESS)

/* What the command line asked. */
struct tcdrop_cli {
	const char *dev;
	unsigned int dirs;	/* TCDROP_DIR_* bits, 0: the command's default */
	bool legacy, force, json;
	struct tcdrop_opts opts;
};

/* Each prints its errors: 0, -TPK_EINPUT or -errno. */
int tcdrop_cmd_attach(const struct tcdrop_cli *c);
int tcdrop_cmd_detach(const struct tcdrop_cli *c);
int tcdrop_cmd_status(const struct tcdrop_cli *c);

#endif
