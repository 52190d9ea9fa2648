/* SPDX-License-Identifier: GPL-2.0 */
/* progdump's commands, as main.c's table runs them. */
#ifndef PROGDUMP_COMMANDS_H
#define PROGDUMP_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>

/* What the command line asked, besides the command's words. */
struct pd_cli {
	bool json, pretty, no_optimize, bpffs;
	int linktype;
	const char *ifname;
	uint64_t snaplen;
};

/* Each prints its errors: 0, -TPK_EINPUT or -errno. */
int pd_cmd_list(const struct pd_cli *c, char **args, int nargs);
int pd_cmd_show(const struct pd_cli *c, char **args, int nargs);
int pd_cmd_dump(const struct pd_cli *c, char **args, int nargs);
int pd_cmd_cbpf(const struct pd_cli *c, char **args, int nargs);

#endif
