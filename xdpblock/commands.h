/* SPDX-License-Identifier: GPL-2.0 */
/* xdpblock's commands, as main.c's table runs them. */
#ifndef XDPBLOCK_COMMANDS_H
#define XDPBLOCK_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>

#include "rules.h"

/* What the command line asked. */
struct xb_cli {
	const char *arg;	/* the command's argument: ADDR[/LEN] or DEV, or NULL */
	const char *mode;
	uint32_t xdp_flags;
	const char *proto, *port, *file;
	enum xb_port_dir port_dir;
	bool force, json;
};

/* Each prints its errors: 0, -TPK_EINPUT or -errno. */
int xb_cmd_add(const struct xb_cli *c);
int xb_cmd_remove(const struct xb_cli *c);
int xb_cmd_attach(const struct xb_cli *c);
int xb_cmd_detach(const struct xb_cli *c);
int xb_cmd_list(const struct xb_cli *c);
int xb_cmd_flush(const struct xb_cli *c);
int xb_cmd_status(const struct xb_cli *c);

#endif
