/* SPDX-License-Identifier: GPL-2.0 */
/* A tool's commands as one table, read with argp: the command word, its
 * arguments, which options go with it, and one exit-status policy. A tool
 * fills a struct tpk_cmds, calls tpk_cmds_opt/arg/end from its argp parser
 * and tpk_cmds_run from main. */
#ifndef TPK_CMD_H
#define TPK_CMD_H

#include <argp.h>
#include <stdbool.h>

#define TPK_CMD_MAXARGS 64
#define TPK_CMD_GROUPS 16

struct tpk_cmd {
	const char *name;
	/* 0, -TPK_EINPUT or -errno, the error already printed. */
	int (*run)(char **args, int nargs);
	int min_args, max_args;		/* after the command word */
	/* "DEV": "attach needs DEV"; with max_args 0, what it takes instead
	 * ("no TARGET (use --host)": "--all takes no TARGET (use --host)"). */
	const char *args_name;
	unsigned int opts;		/* the option groups (bits) that go with it */
	bool no_root;
	bool own_status;		/* run returns the exit status itself */
};

struct tpk_cmds {
	const struct tpk_cmd *v;
	int n;
	const struct tpk_cmd *dflt;	/* when no word is given at all, or NULL */
	const char *caps;		/* for tpk_require_root, or NULL */
	unsigned int json_group;	/* the option group of -j/--json */
	int (*check)(void);		/* before root: 0 or -errno (printed) */
	/* At the end of the command line, after tpk_cmds_end: the tool's
	 * own checks of what goes together, or NULL. */
	void (*end)(struct argp_state *state);
	/* No command words: an option chooses the command (tpk_cmds_choose),
	 * else dflt, and every word is an argument of it. */
	bool no_words;
	/* Filled while parsing: */
	const struct tpk_cmd *cmd;
	char *args[TPK_CMD_MAXARGS];
	int nargs;
	const char *given[TPK_CMD_GROUPS];	/* first option given per group */
	bool json, verbose;
};

/* The part of a tool's argp parser every command-table tool shares: -j
 * (--json), -v (--verbose), the command words and the end (tpk_cmds_end,
 * then end). ARGP_ERR_UNKNOWN for any other key: the tool's parser calls
 * it for the keys it does not take. */
error_t tpk_cmds_parse(struct tpk_cmds *c, int key, char *arg, struct argp_state *state);
/* main() of such a tool, after tpk_progname is set: parse, then errors as
 * JSON under --json, libbpf's messages under -v, and run the command. */
int tpk_cmds_main(struct tpk_cmds *c, const struct argp *argp, int argc, char **argv);

/* An option of group bit (1 << i) was given, spelled opt ("--json"). */
void tpk_cmds_opt(struct tpk_cmds *c, unsigned int bit, const char *opt);
/* The option spelled name chose command name (no_words tools); two such
 * options exclude each other. */
void tpk_cmds_choose(struct tpk_cmds *c, struct argp_state *state, const char *name);
/* ARGP_KEY_ARG: the command word, then its arguments. */
void tpk_cmds_arg(struct tpk_cmds *c, struct argp_state *state, char *arg);
/* ARGP_KEY_END: a command, its arguments, and options that go with it
 * ("--json goes with list and status"); else exit 2 with one line. */
void tpk_cmds_end(struct tpk_cmds *c, struct argp_state *state);
/* Root unless the command needs none, then run it: its exit status. */
int tpk_cmds_run(struct tpk_cmds *c);

/* The one policy: 0 is 0, -TPK_EINPUT is 2, any other failure is 1. */
int tpk_exit_status(int err);

#endif
