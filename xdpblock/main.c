// SPDX-License-Identifier: GPL-2.0
/* xdpblock: an XDP blocklist of source prefixes, with optional protocol and
 * destination ports, edited on the fly through maps pinned in bpffs. */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>

#include "links.h"
#include "output.h"
#include "rules.h"
#include "state.h"
#include "sys.h"
#include "defroute.h"
#include "util.h"
#include "version.h"

enum cmd {
	CMD_NONE,
	CMD_ATTACH,
	CMD_DETACH,
	CMD_ADD,
	CMD_REMOVE,
	CMD_LIST,
	CMD_FLUSH,
	CMD_STATUS,
};

static const struct {
	const char *name;
	enum cmd cmd;
	int min_args, max_args;	/* after the command word */
} cmds[] = {
	{ "attach", CMD_ATTACH, 1, 1 },
	{ "detach", CMD_DETACH, 1, 1 },
	{ "add", CMD_ADD, 0, 1 },
	{ "remove", CMD_REMOVE, 0, 1 },
	{ "list", CMD_LIST, 0, 0 },
	{ "flush", CMD_FLUSH, 0, 0 },
	{ "status", CMD_STATUS, 0, 0 },
};

static struct env {
	enum cmd cmd;
	const char *arg;	/* DEV or ADDR[/LEN] */
	const char *mode;
	uint32_t xdp_flags;
	const char *proto, *port, *file;
	bool json, verbose, force;
} env;

#define OPT_FORCE 0x100

void (*argp_program_version_hook)(FILE *, struct argp_state *) = tpk_version_print;
const char *argp_program_bug_address = "the project's issue tracker";

static const char doc[] =
"Block traffic by source address in XDP, updated on the fly.\n"
"\n"
"Commands:\n"
"  attach DEV [--mode native|skb]   run the blocklist on DEV's receive path\n"
"  detach DEV                       stop it on DEV (the rules stay)\n"
"  add ADDR[/LEN] [--proto P] [--port N[-M]]\n"
"  add --file FILE                  block a source prefix (one rule a line)\n"
"  remove ... | remove --file FILE  the same arguments as add\n"
"  list [--json]                    rules, with packets and bytes dropped\n"
"  flush                            remove every rule (and every pin, once\n"
"                                   nothing is attached)\n"
"  status [--json]                  attached devices, rule count, totals\n"
"\n"
"A rule matches packets from ADDR[/LEN]; with --proto only that IP protocol;\n"
"with --port only TCP/UDP (or the --proto given) to those destination ports.\n"
"The same rules apply on every device xdpblock is attached to; they live in\n"
"/sys/fs/bpf/xdpblock and survive the command, detach and re-attach.\n"
"Rule files: one rule a line, 'ADDR[/LEN] [proto P] [port N[-M]]', '#' comments.\n"
"XDPBLOCK_PINS=NAME in the environment keeps a separate blocklist in\n"
"/sys/fs/bpf/NAME.\n"
"\n"
"Examples:\n"
"  xdpblock attach eth0\n"
"  xdpblock add 198.18.0.2                 # all traffic from one host\n"
"  xdpblock add 198.18.0.0/24 --proto udp --port 53\n"
"  xdpblock add 2001:db8::/32 --port 8000-8999\n"
"  xdpblock add 0.0.0.0/0                  # drop every IPv4 packet\n"
"  xdpblock add --file blocklist.txt\n"
"  xdpblock list --json\n"
"  xdpblock detach eth0; xdpblock flush\n"
"  ip netns exec ctr xdpblock attach eth0\n"
"\n"
"Exit status: 0 ok, 1 runtime failure, 2 bad command line or input.\n"
"\n"
"Options:";

static const struct argp_option options[] = {
	{ "mode", 'm', "MODE", 0, "attach: native or skb (default: native if the driver has it)", 0 },
	{ "force", OPT_FORCE, NULL, 0, "attach: even to a device that carries the namespace's way out "
	  "(a default route): a rule for 0.0.0.0/0 there cuts the host off", 0 },
	{ "proto", 'p', "PROTO", 0, "add/remove: tcp, udp, sctp, icmp, icmpv6 or 0-255 (any: every one, the default)", 0 },
	{ "port", 'P', "N[-M]", 0, "add/remove: destination port or range (TCP and UDP without --proto)", 0 },
	{ "file", 'f', "FILE", 0, "add/remove: rules from FILE, one a line ('-': stdin)", 0 },
	{ "json", 'j', NULL, 0, "list/status: one JSON document", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's messages", 0 },
	{ 0 },
};

static void check_end(struct argp_state *state)
{
	bool rules = env.cmd == CMD_ADD || env.cmd == CMD_REMOVE;

	if (env.cmd == CMD_NONE)
		argp_failure(state, TPK_EXIT_USAGE, 0,
			     "no command (attach, detach, add, remove, list, flush, status)");
	if ((env.mode || env.force) && env.cmd != CMD_ATTACH)
		argp_failure(state, TPK_EXIT_USAGE, 0, "--mode and --force go with attach");
	if ((env.proto || env.port || env.file) && !rules)
		argp_failure(state, TPK_EXIT_USAGE, 0, "--proto, --port and --file go with add and remove");
	if (env.json && env.cmd != CMD_LIST && env.cmd != CMD_STATUS)
		argp_failure(state, TPK_EXIT_USAGE, 0, "--json goes with list and status");
	if (rules && env.file && (env.arg || env.proto || env.port))
		argp_failure(state, TPK_EXIT_USAGE, 0, "--file takes the rules from the file: no ADDR, --proto or --port");
	if (rules && !env.file && !env.arg)
		argp_failure(state, TPK_EXIT_USAGE, 0, "%s needs ADDR[/LEN] or --file",
			     env.cmd == CMD_ADD ? "add" : "remove");
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case OPT_FORCE:
		env.force = true;
		break;
	case 'm':
		if (!strcmp(arg, "native"))
			env.xdp_flags = XDP_FLAGS_DRV_MODE;
		else if (!strcmp(arg, "skb"))
			env.xdp_flags = XDP_FLAGS_SKB_MODE;
		else
			argp_failure(state, TPK_EXIT_USAGE, 0, "invalid mode '%s' (native or skb)", arg);
		env.mode = arg;
		break;
	case 'p':
		env.proto = arg;
		break;
	case 'P':
		env.port = arg;
		break;
	case 'f':
		env.file = arg;
		break;
	case 'j':
		env.json = true;
		break;
	case 'v':
		env.verbose = true;
		break;
	case ARGP_KEY_ARG:
		if (state->arg_num == 0) {
			for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
				if (!strcmp(arg, cmds[i].name))
					env.cmd = cmds[i].cmd;
			if (env.cmd == CMD_NONE)
				argp_failure(state, TPK_EXIT_USAGE, 0,
					     "unknown command '%s' (attach, detach, add, remove, list, flush, status)",
					     arg);
			break;
		}
		for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
			if (cmds[i].cmd == env.cmd && (int)state->arg_num > cmds[i].max_args)
				argp_failure(state, TPK_EXIT_USAGE, 0, "too many arguments: '%s'", arg);
		env.arg = arg;
		break;
	case ARGP_KEY_END:
		for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
			if (cmds[i].cmd == env.cmd && (int)state->arg_num - 1 < cmds[i].min_args)
				argp_failure(state, TPK_EXIT_USAGE, 0, "%s needs DEV", cmds[i].name);
		check_end(state);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* Rules of add/remove, all parsed before anything changes. */
static int read_rules(struct xb_rule **rules, size_t *n)
{
	char err[256];

	if (env.file)
		return xb_rules_read(env.file, rules, n);
	*rules = calloc(1, sizeof(**rules));
	if (!*rules)
		return -ENOMEM;
	if (xb_rule_make(env.arg, env.proto, env.port, *rules, err, sizeof(err))) {
		tpk_err("%s", err);
		free(*rules);
		*rules = NULL;
		return -EINVAL;
	}
	*n = 1;
	return 0;
}

static int cmd_rules(void)
{
	struct xb_state s;
	struct xb_rule *rules = NULL;
	size_t n = 0, added = 0, skipped = 0;
	char text[128];
	int err;

	err = read_rules(&rules, &n);
	if (err)
		return err == -EINVAL ? TPK_EXIT_USAGE : TPK_EXIT_FAIL;
	err = xb_state_open(&s, env.cmd == CMD_ADD ? XB_CREATE : XB_WRITE);
	if (!err && env.cmd == CMD_ADD)
		err = xb_state_add(&s, rules, n, &added, &skipped);
	else if (!err)
		err = xb_state_remove(&s, rules, n, &added, &skipped);
	xb_state_close(&s);
	if (!err && env.file && env.cmd == CMD_ADD)
		printf("added %zu rules (%zu already present)\n", added, skipped);
	else if (!err && env.file)
		printf("removed %zu rules (%zu repeated)\n", added, skipped);
	else if (!err && skipped && env.cmd == CMD_ADD) {
		xb_rule_str(&rules[0], text, sizeof(text));
		tpk_err("already blocked: %s", text);
	}
	free(rules);
	/* A rule file naming a missing rule or overfilling a prefix is bad input. */
	if (err == -ENOENT || err == -ENOSPC)
		return TPK_EXIT_USAGE;
	return err ? TPK_EXIT_FAIL : TPK_EXIT_OK;
}

static int cmd_attach_detach(void)
{
	enum xb_prog prog = XB_PROG_NONE;
	struct xb_state s;
	int err, ifindex;

	/* Before anything is made in bpffs. */
	if (env.cmd == CMD_ATTACH && xb_prog_choose(&prog))
		return TPK_EXIT_USAGE;
	if (env.cmd == CMD_ATTACH && (ifindex = tpk_ifindex(env.arg)) < 0)
		return TPK_EXIT_USAGE;
	if (env.cmd == CMD_ATTACH && !env.force && tpk_way_out_refuse(env.arg, ifindex))
		return TPK_EXIT_USAGE;
	err = xb_state_open(&s, env.cmd == CMD_ATTACH ? XB_CREATE : XB_WRITE);
	if (!err && s.dir_fd >= 0)
		err = tpk_require_writable(s.dir);
	if (!err && env.cmd == CMD_ATTACH)
		err = xb_link_attach(&s, env.arg, env.xdp_flags, prog);
	else if (!err)
		err = xb_link_detach(&s, env.arg);
	xb_state_close(&s);
	/* No such device, attach twice, detach of nothing: the input is wrong. */
	if (err == -ENODEV || err == -EEXIST || err == -ENOENT)
		return TPK_EXIT_USAGE;
	return err ? TPK_EXIT_FAIL : TPK_EXIT_OK;
}

static int cmd_list(void)
{
	struct xb_state s;
	struct xb_row *rows = NULL;
	size_t n = 0;
	int err;

	err = xb_state_open(&s, XB_READ);
	if (!err)
		err = xb_state_rows(&s, &rows, &n);
	xb_state_close(&s);
	if (err)
		return TPK_EXIT_FAIL;
	xb_print_rules(stdout, rows, n, env.json);
	free(rows);
	return TPK_EXIT_OK;
}

static int cmd_status(void)
{
	struct xb_status st = { 0 };
	struct xb_link *links = NULL;
	struct xb_row *rows = NULL;
	struct xb_state s;
	size_t n = 0;
	int err;

	err = xb_state_open(&s, XB_READ);
	if (!err)
		err = xb_links(&s, &links, &st.n_links);
	if (!err)
		err = xb_state_rows(&s, &rows, &n);
	if (!err) {
		st.dir = s.dir;
		st.exists = xb_state_has_maps(&s);
		st.links = links;
		for (size_t i = 0; i < n; i++)
			*(rows[i].family == AF_INET ? &st.rules_v4 : &st.rules_v6) += 1;
		xb_state_totals(&s, st.totals);
		xb_print_status(stdout, &st, env.json);
	}
	xb_state_close(&s);
	free(links);
	free(rows);
	return err ? TPK_EXIT_FAIL : TPK_EXIT_OK;
}

static int cmd_flush(void)
{
	struct xb_state s;
	int live, err;

	err = xb_state_open(&s, XB_WRITE);
	if (!err && s.dir_fd >= 0)
		err = tpk_require_writable(s.dir);
	if (!err && s.dir_fd >= 0) {
		live = xb_links_prune(&s);
		err = live < 0 ? live : xb_state_flush(&s, live == 0);
	}
	xb_state_close(&s);
	return err ? TPK_EXIT_FAIL : TPK_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct argp argp = { options, parse_opt, "COMMAND [ARG]", doc, NULL, NULL, NULL };

	tpk_progname = "xdpblock";
	tpk_stdout_guard();
	argp_err_exit_status = TPK_EXIT_USAGE;
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return TPK_EXIT_USAGE;
	if (xb_state_name(&(const char *){ NULL }))
		return TPK_EXIT_USAGE;
	if (tpk_require_root())
		return TPK_EXIT_FAIL;
	tpk_libbpf_setup(env.verbose);

	switch (env.cmd) {
	case CMD_ATTACH:
	case CMD_DETACH:
		return cmd_attach_detach();
	case CMD_ADD:
	case CMD_REMOVE:
		return cmd_rules();
	case CMD_LIST:
		return cmd_list();
	case CMD_STATUS:
		return cmd_status();
	case CMD_FLUSH:
		return cmd_flush();
	case CMD_NONE:
		break;
	}
	return TPK_EXIT_USAGE;
}
