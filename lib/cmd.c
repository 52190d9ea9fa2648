// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "util.h"
#include "version.h"

void tpk_cmds_opt(struct tpk_cmds *c, unsigned int bit, const char *opt)
{
	for (int i = 0; i < TPK_CMD_GROUPS; i++)
		if ((bit & (1u << i)) && !c->given[i])
			c->given[i] = opt;
}

/* The commands that take option group bit (all when 0), "a, b or c"
 * with last before the final one. */
static void names(const struct tpk_cmds *c, unsigned int bit, const char *last,
		  char *buf, size_t len)
{
	int total = 0, k = 0;
	size_t n = 0;

	for (int i = 0; i < c->n; i++)
		total += !bit || (c->v[i].opts & bit);
	buf[0] = '\0';
	for (int i = 0; i < c->n && n < len; i++) {
		if (bit && !(c->v[i].opts & bit))
			continue;
		k++;
		n += snprintf(buf + n, len - n, "%s%s", k == 1 ? "" : k == total ? last : ", ",
			      c->v[i].name);
	}
}

void tpk_cmds_choose(struct tpk_cmds *c, struct argp_state *state, const char *name)
{
	const struct tpk_cmd *was = c->cmd;

	for (int i = 0; i < c->n; i++)
		if (!strcmp(name, c->v[i].name))
			c->cmd = &c->v[i];
	if (was && was != c->cmd)
		argp_failure(state, TPK_EXIT_USAGE, 0, "%s and %s exclude each other", was->name,
			     c->cmd->name);
}

void tpk_cmds_arg(struct tpk_cmds *c, struct argp_state *state, char *arg)
{
	char all[256];

	if (c->no_words) {
		/* The command may be chosen by an option that comes later. */
		if (c->nargs >= TPK_CMD_MAXARGS)
			argp_failure(state, TPK_EXIT_USAGE, 0, "too many arguments: '%s'", arg);
		c->args[c->nargs++] = arg;
		return;
	}
	if (!c->cmd) {
		for (int i = 0; i < c->n; i++)
			if (!strcmp(arg, c->v[i].name))
				c->cmd = &c->v[i];
		if (c->cmd)
			return;
		names(c, 0, " or ", all, sizeof(all));
		argp_failure(state, TPK_EXIT_USAGE, 0, "unknown command '%s' (%s)", arg, all);
	}
	if (c->nargs >= c->cmd->max_args || c->nargs >= TPK_CMD_MAXARGS)
		argp_failure(state, TPK_EXIT_USAGE, 0, "too many arguments: '%s'", arg);
	c->args[c->nargs++] = arg;
}

void tpk_cmds_end(struct tpk_cmds *c, struct argp_state *state)
{
	char with[256];

	if (!c->cmd && !c->dflt) {
		names(c, 0, " or ", with, sizeof(with));
		argp_failure(state, TPK_EXIT_USAGE, 0, "no command (%s)", with);
	}
	if (!c->cmd)
		c->cmd = c->dflt;
	if (c->nargs > c->cmd->max_args && !c->cmd->max_args && c->cmd->args_name[0])
		argp_failure(state, TPK_EXIT_USAGE, 0, "%s takes %s", c->cmd->name,
			     c->cmd->args_name);
	if (c->nargs > c->cmd->max_args)
		argp_failure(state, TPK_EXIT_USAGE, 0, "too many arguments: '%s'",
			     c->args[c->cmd->max_args]);
	if (c->nargs < c->cmd->min_args)
		argp_failure(state, TPK_EXIT_USAGE, 0, "%s needs %s", c->cmd->name,
			     c->cmd->args_name);
	for (int i = 0; i < TPK_CMD_GROUPS; i++) {
		if (!c->given[i] || (c->cmd->opts & (1u << i)))
			continue;
		names(c, 1u << i, " and ", with, sizeof(with));
		argp_failure(state, TPK_EXIT_USAGE, 0, "%s goes with %s", c->given[i], with);
	}
}

error_t tpk_cmds_parse(struct tpk_cmds *c, int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'j':
		tpk_cmds_opt(c, c->json_group, "--json");
		c->json = true;
		return 0;
	case 'v':
		c->verbose = true;
		return 0;
	case ARGP_KEY_ARG:
		tpk_cmds_arg(c, state, arg);
		return 0;
	case ARGP_KEY_END:
		tpk_cmds_end(c, state);
		if (c->end)
			c->end(state);
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

int tpk_cmds_main(struct tpk_cmds *c, const struct argp *argp, int argc, char **argv)
{
	tpk_stdout_guard();
	argp_program_version_hook = tpk_version_print;
	argp_err_exit_status = TPK_EXIT_USAGE;
	if (argp_parse(argp, argc, argv, 0, NULL, NULL))
		return TPK_EXIT_USAGE;
	tpk_json_errors = c->json;
	tpk_libbpf_setup(c->verbose);
	return tpk_cmds_run(c);
}

int tpk_cmds_run(struct tpk_cmds *c)
{
	int err = c->check ? c->check() : 0;

	if (err)
		return tpk_exit_status(err);
	if (!c->cmd->no_root && tpk_require_root(c->caps))
		return TPK_EXIT_FAIL;
	err = c->cmd->run(c->args, c->nargs);
	return c->cmd->own_status ? err : tpk_exit_status(err);
}

int tpk_exit_status(int err)
{
	return !err ? TPK_EXIT_OK : err == -TPK_EINPUT ? TPK_EXIT_USAGE : TPK_EXIT_FAIL;
}
