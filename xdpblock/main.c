// SPDX-License-Identifier: GPL-2.0
/* xdpblock: an XDP blocklist of source prefixes, with optional protocol and
 * destination ports, edited on the fly through maps pinned in bpffs. */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>

#include "cmd.h"
#include "links.h"
#include "output.h"
#include "rules.h"
#include "state.h"
#include "sys.h"
#include "defroute.h"
#include "util.h"

/* Option groups: which options go with which commands. */
enum {
	G_ATTACH = 1 << 0,	/* --mode, --force */
	G_RULES = 1 << 1,	/* --proto, --port, --file */
	G_JSON = 1 << 2,
};

static int cmd_attach(char **args, int n);
static int cmd_detach(char **args, int n);
static int cmd_rules(char **args, int n);
static int cmd_list(char **args, int n);
static int cmd_flush(char **args, int n);
static int cmd_status(char **args, int n);

static const struct tpk_cmd cmd_table[] = {
	{ "attach", cmd_attach, 1, 1, "DEV", G_ATTACH, false, false },
	{ "detach", cmd_detach, 1, 1, "DEV", 0, false, false },
	{ "add", cmd_rules, 0, 1, "ADDR[/LEN] or --file", G_RULES, false, false },
	{ "remove", cmd_rules, 0, 1, "ADDR[/LEN] or --file", G_RULES, false, false },
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

static struct env {
	const char *mode;
	uint32_t xdp_flags;
	const char *proto, *port, *file;
	enum xb_port_dir port_dir;
	bool force;
} env;

static bool is(const char *name)
{
	return !strcmp(cmds.cmd->name, name);
}

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

/* Rules of add/remove, all parsed before anything changes. */
static int read_rules(const char *addr, struct xb_rule **rules, size_t *n)
{
	char err[256];

	if (env.file)
		return xb_rules_read(env.file, rules, n);
	*rules = calloc(1, sizeof(**rules));
	if (!*rules)
		return -ENOMEM;
	if (xb_rule_make(addr, env.proto, env.port, env.port_dir, *rules, err, sizeof(err))) {
		tpk_err("%s", err);
		free(*rules);
		*rules = NULL;
		return -TPK_EINPUT;
	}
	*n = 1;
	return 0;
}

static int cmd_rules(char **args, int nargs)
{
	bool add = is("add");
	struct xb_state s;
	struct xb_rule *rules = NULL;
	size_t n = 0, added = 0, skipped = 0;
	char text[128];
	int err;

	err = read_rules(nargs ? args[0] : NULL, &rules, &n);
	if (err)
		return err;
	err = xb_state_open(&s, add ? XB_CREATE : XB_WRITE);
	if (!err && add)
		err = xb_state_add(&s, rules, n, &added, &skipped);
	else if (!err)
		err = xb_state_remove(&s, rules, n, &added, &skipped);
	xb_state_close(&s);
	if (!err && env.file && add)
		printf("added %zu rules (%zu already present)\n", added, skipped);
	else if (!err && env.file)
		printf("removed %zu rules (%zu repeated)\n", added, skipped);
	else if (!err && skipped && add) {
		xb_rule_str(&rules[0], text, sizeof(text));
		tpk_err("already blocked: %s", text);
	}
	if (!err && add && added)
		xb_port_note(rules, n);
	free(rules);
	return err;
}

static int cmd_attach(char **args, int nargs)
{
	enum xb_prog prog = XB_PROG_NONE;
	struct xb_state s;
	int err, ifindex;

	(void)nargs;
	/* Before anything is made in bpffs. */
	err = xb_prog_choose(&prog);
	if (err)
		return err;
	ifindex = tpk_ifindex(args[0]);
	if (ifindex < 0)
		return ifindex;
	if (!env.force && tpk_way_out_refuse(args[0], ifindex))
		return -TPK_EINPUT;
	err = xb_state_open(&s, XB_CREATE);
	if (!err && s.dir_fd >= 0)
		err = tpk_require_writable(s.dir);
	if (!err)
		err = xb_link_attach(&s, args[0], env.xdp_flags, prog);
	xb_state_close(&s);
	return err;
}

static int cmd_detach(char **args, int nargs)
{
	struct xb_state s;
	int err;

	(void)nargs;
	err = xb_state_open(&s, XB_WRITE);
	if (!err && s.dir_fd >= 0)
		err = tpk_require_writable(s.dir);
	if (!err)
		err = xb_link_detach(&s, args[0]);
	xb_state_close(&s);
	return err;
}

static int cmd_list(char **args, int nargs)
{
	struct xb_state s;
	struct xb_row *rows = NULL;
	size_t n = 0;
	int err;

	err = xb_state_open(&s, XB_READ);
	if (!err)
		err = xb_state_rows(&s, &rows, &n);
	(void)args, (void)nargs;
	xb_state_close(&s);
	if (!err)
		xb_print_rules(stdout, rows, n, cmds.json);
	free(rows);
	return err ? -EIO : 0;	/* printed; what it read was no input of the user's */
}

static int cmd_status(char **args, int nargs)
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
		xb_print_status(stdout, &st, cmds.json);
	}
	(void)args, (void)nargs;
	xb_state_close(&s);
	free(links);
	free(rows);
	return err ? -EIO : 0;
}

static int cmd_flush(char **args, int nargs)
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
	(void)args, (void)nargs;
	xb_state_close(&s);
	return err ? -EIO : 0;
}

int main(int argc, char **argv)
{
	static const struct argp argp = { options, parse_opt, "COMMAND [ARG]", doc, NULL, NULL, NULL };

	tpk_progname = "xdpblock";
	return tpk_cmds_main(&cmds, &argp, argc, argv);
}
