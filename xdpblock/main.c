// SPDX-License-Identifier: GPL-2.0
/* xdpblock: an XDP blocklist of source prefixes, with optional protocol and
 * destination ports, edited on the fly through maps pinned in bpffs. */
#include <argp.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_link.h>

#include "cmd.h"
#include "commands.h"
#include "rules.h"
#include "state.h"
#include "util.h"

/* Option groups: which options go with which commands. */
enum {
	G_ATTACH = 1 << 0,	/* --mode, --force */
	G_RULES = 1 << 1,	/* --proto, --port, --file */
	G_JSON = 1 << 2,
};

static int cmd_attach(char **args, int n);
static int cmd_detach(char **args, int n);
static int cmd_add(char **args, int n);
static int cmd_remove(char **args, int n);
static int cmd_list(char **args, int n);
static int cmd_flush(char **args, int n);
static int cmd_status(char **args, int n);

static const struct tpk_cmd cmd_table[] = {
	{ "attach", cmd_attach, 1, 1, "DEV", G_ATTACH, false, false },
	{ "detach", cmd_detach, 1, 1, "DEV", 0, false, false },
	{ "add", cmd_add, 0, 1, "ADDR[/LEN] or --file", G_RULES, false, false },
	{ "remove", cmd_remove, 0, 1, "ADDR[/LEN] or --file", G_RULES, false, false },
	{ "list", cmd_list, 0, 0, "", G_JSON, false, false },
	{ "flush", cmd_flush, 0, 0, "", 0, false, false },
	{ "status", cmd_status, 0, 0, "", G_JSON, false, false },
};

/* XDPBLOCK_PINS names a folder: a bad one is bad input, whoever runs it. */
static int pins_name_ok(void)
{
	return xb_state_name(&(const char *){ NULL });
}

static void check_end(struct argp_state *state);

static struct tpk_cmds cmds = {
	.v = cmd_table, .n = ARRAY_SIZE(cmd_table), .json_group = G_JSON,
	.check = pins_name_ok, .end = check_end,
};

static struct xb_cli env;

enum { OPT_FORCE = 0x100, OPT_DPORT, OPT_SPORT };

static const char doc[] =
"Block traffic by source address in XDP, updated on the fly.\n"
"\n"
"Commands:\n"
"  attach DEV [--mode native|skb]   run the blocklist on DEV's receive path\n"
"  detach DEV                       stop it on DEV (the rules stay)\n"
"  add ADDR[/LEN] [--proto P] [--port|--dport|--sport N[-M]]\n"
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
"Rule files: one rule a line, 'ADDR[/LEN] [proto P] [port|dport|sport N[-M]]',\n"
"'#' comments. A port is the source or the destination port.\n"
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
	{ "proto", 'p', "PROTO", 0, "add/remove: tcp, udp, sctp, icmp (the prefix family's), icmpv6 or 0-255 (any: every one, the default)", 0 },
	{ "port", 'P', "N[-M]", 0, "add/remove: source or destination port or range (TCP and UDP without --proto)", 0 },
	{ "dport", OPT_DPORT, "N[-M]", 0, "add/remove: destination port or range", 0 },
	{ "sport", OPT_SPORT, "N[-M]", 0, "add/remove: source port or range", 0 },
	{ "file", 'f', "FILE", 0, "add/remove: rules from FILE, one a line ('-': stdin)", 0 },
	{ "json", 'j', NULL, 0, "list/status: one JSON document (errors too)", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's messages", 0 },
	{ 0 },
};

static void check_end(struct argp_state *state)
{
	const char *addr = cmds.nargs ? cmds.args[0] : NULL;

	if (!(cmds.cmd->opts & G_RULES))
		return;
	if (env.file && (addr || env.proto || env.port))
		argp_failure(state, TPK_EXIT_USAGE, 0, "--file takes the rules from the file: no ADDR, --proto or --port");
	if (!env.file && !addr)
		argp_failure(state, TPK_EXIT_USAGE, 0, "%s needs ADDR[/LEN] or --file", cmds.cmd->name);
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case OPT_FORCE:
		tpk_cmds_opt(&cmds, G_ATTACH, "--force");
		env.force = true;
		break;
	case 'm':
		tpk_cmds_opt(&cmds, G_ATTACH, "--mode");
		if (!strcmp(arg, "native"))
			env.xdp_flags = XDP_FLAGS_DRV_MODE;
		else if (!strcmp(arg, "skb"))
			env.xdp_flags = XDP_FLAGS_SKB_MODE;
		else
			argp_failure(state, TPK_EXIT_USAGE, 0, "invalid mode '%s' (native or skb)", arg);
		env.mode = arg;
		break;
	case 'p':
		tpk_cmds_opt(&cmds, G_RULES, "--proto");
		env.proto = arg;
		break;
	case 'P':
	case OPT_DPORT:
	case OPT_SPORT:
		tpk_cmds_opt(&cmds, G_RULES, key == 'P' ? "--port" : key == OPT_DPORT ? "--dport" : "--sport");
		if (env.port)
			argp_failure(state, TPK_EXIT_USAGE, 0, "one of --port, --dport and --sport");
		env.port = arg;
		env.port_dir = key == 'P' ? XB_PORT_EITHER : key == OPT_DPORT ? XB_PORT_DST : XB_PORT_SRC;
		break;
	case 'f':
		tpk_cmds_opt(&cmds, G_RULES, "--file");
		env.file = arg;
		break;
	default:
		return tpk_cmds_parse(&cmds, key, arg, state);
	}
	return 0;
}
/* The table's commands: what the command line asked, to the command. */
static int run(int (*cmd)(const struct xb_cli *c), char **args, int n)
{
	env.arg = n ? args[0] : NULL;
	env.json = cmds.json;
	return cmd(&env);
}

static int cmd_add(char **args, int n) { return run(xb_cmd_add, args, n); }
static int cmd_remove(char **args, int n) { return run(xb_cmd_remove, args, n); }
static int cmd_attach(char **args, int n) { return run(xb_cmd_attach, args, n); }
static int cmd_detach(char **args, int n) { return run(xb_cmd_detach, args, n); }
static int cmd_list(char **args, int n) { return run(xb_cmd_list, args, n); }
static int cmd_flush(char **args, int n) { return run(xb_cmd_flush, args, n); }
static int cmd_status(char **args, int n) { return run(xb_cmd_status, args, n); }

int main(int argc, char **argv)
{
	static const struct argp argp = { options, parse_opt, "COMMAND [ARG]", doc, NULL, NULL, NULL };

	tpk_progname = "xdpblock";
	return tpk_cmds_main(&cmds, &argp, argc, argv);
}
