// SPDX-License-Identifier: GPL-2.0
/* tcdrop: drop traffic on a device with a tc BPF classifier, count what it
 * dropped, and take it away again touching nothing else. What
 * `tc qdisc add dev X clsact; tc filter add dev X ingress bpf da obj
 * prog.o` does by hand, as one command, safe to type on a live machine. */
#include <argp.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "cmd.h"
#include "util.h"
#include "commands.h"
#include "filter.h"

/* Option groups: which options go with which commands. */
enum {
	G_DIRS = 1 << 0,	/* --ingress, --egress, --both */
	G_ATTACH = 1 << 1,	/* --proto, --src, --dst, --port, --legacy, --force */
	G_JSON = 1 << 2,
};

static int cmd_attach(char **args, int n);
static int cmd_detach(char **args, int n);
static int cmd_status(char **args, int n);

static const struct tpk_cmd cmd_table[] = {
	{ "attach", cmd_attach, 1, 1, "DEV", G_DIRS | G_ATTACH, false, false },
	{ "detach", cmd_detach, 1, 1, "DEV", G_DIRS, false, false },
	{ "status", cmd_status, 0, 1, "", G_JSON, false, false },
};

static void check_end(struct argp_state *state);

static struct tpk_cmds cmds = {
	.v = cmd_table, .n = ARRAY_SIZE(cmd_table), .json_group = G_JSON, .end = check_end,
};

static struct tcdrop_cli env = {
	.opts.proto = -1,
};

static const char doc[] =
"Drop packets on a network device with a tc BPF classifier, count them, and\n"
"remove it again without touching anything else on the device.\n"
"\n"
"  attach DEV   drop on DEV (ingress by default); stays after tcdrop exits\n"
"  detach DEV   remove tcdrop from DEV (every direction it is on by default)\n"
"  status [DEV] what is attached in this network namespace, and its counters\n"
"\n"
"Attachments use a tcx link pinned under /sys/fs/bpf/tcdrop/ on kernels with\n"
"tcx, else (or with --legacy) a clsact qdisc plus a cls_bpf filter\n"
"(pref 1997, handle 0x7cd). A device carrying the namespace's default route\n"
"is refused without --force.\n"
"\n"
"Examples:\n"
"  tcdrop attach docker0                    # drop all ingress on docker0\n"
"  tcdrop attach veth1 --both --proto udp --port 53\n"
"  tcdrop attach br0 --egress --proto tcp --dport 443   # only to port 443\n"
"  tcdrop attach eth0 --egress --dst 198.18.0.0/24 --force\n"
"  tcdrop attach veth1 --legacy             # clsact + cls_bpf, like tc\n"
"  tcdrop status --json\n"
"  tcdrop detach docker0\n"
"  ip netns exec ctr tcdrop attach eth0 --src 2001:db8::/32\n"
"\n"
"Exit status: 0 ok, 1 the kernel or the system said no, 2 bad command line.\n"
"\n"
"Options:";

enum {
	OPT_LEGACY = 0x100,
	OPT_FORCE,
	OPT_INGRESS,
	OPT_SPORT,
	OPT_DPORT,
};

static const struct argp_option options[] = {
	{ "ingress", OPT_INGRESS, NULL, 0, "Packets DEV receives (attach's default)", 0 },
	/* Old spellings, kept one release: -i and -f mean other things in
	 * the sibling tools (--ifname, --interface; --file). */
	{ NULL, 'i', NULL, OPTION_HIDDEN, NULL, 0 },
	{ NULL, 'f', NULL, OPTION_HIDDEN, NULL, 0 },
	{ "egress", 'e', NULL, 0, "Packets DEV sends", 0 },
	{ "both", 'b', NULL, 0, "Ingress and egress", 0 },
	{ "proto", 'p', "PROTO", 0, "attach: only this IP protocol (icmp: either family's, tcp, udp, icmpv6, sctp, a number; any: every one, the default)", 1 },
	{ "src", 's', "PREFIX", 0, "attach: only packets from ADDR[/LEN]", 1 },
	{ "dst", 'd', "PREFIX", 0, "attach: only packets to ADDR[/LEN]", 1 },
	{ "port", 'P', "PORT[-PORT]", 0, "attach: only TCP/UDP/SCTP packets from or to these ports", 1 },
	{ "sport", OPT_SPORT, "PORT[-PORT]", 0, "attach: only TCP/UDP/SCTP packets from these ports", 1 },
	{ "dport", OPT_DPORT, "PORT[-PORT]", 0, "attach: only TCP/UDP/SCTP packets to these ports", 1 },
	{ "legacy", OPT_LEGACY, NULL, 0, "attach: clsact + cls_bpf filter even when tcx exists", 2 },
	{ "force", OPT_FORCE, NULL, 0, "attach: even on the device of the default route", 2 },
	{ "json", 'j', NULL, 0, "status: one JSON document (errors too)", 3 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's messages", 3 },
	{ 0 },
};

/* The device's name, and a filter that can match something. */
static void check_end(struct argp_state *state)
{
	struct tcdrop_cfg cfg;
	const char *why;

	env.dev = cmds.nargs ? cmds.args[0] : NULL;
	if (env.dev && (!*env.dev || strlen(env.dev) >= IF_NAMESIZE || strchr(env.dev, '/')))
		argp_failure(state, TPK_EXIT_USAGE, 0, "invalid device name '%s'", env.dev);
	why = tcdrop_cfg_build(&env.opts, &cfg);
	if (why)
		argp_failure(state, TPK_EXIT_USAGE, 0, "%s", why);
}

/* A narrowing option given twice is a mistake, not "the last one wins":
 * the filter would not be what the command line seems to say. */
static void once(struct argp_state *state, int key, const char *name)
{
	static bool seen[128];

	if (key < 0 || key >= (int)sizeof(seen))
		return;
	if (seen[key])
		argp_failure(state, TPK_EXIT_USAGE, 0, "%s given twice", name);
	seen[key] = true;
}

/* --port, --sport, --dport: one port range per attachment. */
static void parse_port(struct argp_state *state, int key, const char *arg)
{
	struct tcdrop_opts *o = &env.opts;
	enum tcdrop_port_dir dir = key == OPT_SPORT ? TCDROP_PORT_SRC :
				   key == OPT_DPORT ? TCDROP_PORT_DST : TCDROP_PORT_EITHER;
	const char *name = tcdrop_port_opt(dir, true);

	tpk_cmds_opt(&cmds, G_ATTACH, name);
	if (o->port_set && o->port_dir == dir)
		argp_failure(state, TPK_EXIT_USAGE, 0, "%s given twice", name);
	if (o->port_set)
		argp_failure(state, TPK_EXIT_USAGE, 0, "%s and %s exclude each other (one port range)",
			     tcdrop_port_opt(o->port_dir, true), name);
	if (tpk_port_range_parse(arg, &o->port))
		argp_failure(state, TPK_EXIT_USAGE, 0, "invalid port '%s' (N or N-M, 1-65535)", arg);
	o->port_set = true;
	o->port_dir = dir;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct tcdrop_opts *o = &env.opts;

	switch (key) {
	case 'p': once(state, key, "--proto"); break;
	case 's': once(state, key, "--src"); break;
	case 'd': once(state, key, "--dst"); break;
	}
	if (key == 'i' || key == 'f')
		tpk_note("-%c is going away: say %s", key, key == 'i' ? "--ingress" : "--force");
	switch (key) {
	case 'i':
	case OPT_INGRESS:
		tpk_cmds_opt(&cmds, G_DIRS, "--ingress");
		env.dirs |= TCDROP_DIR_IN;
		break;
	case 'e':
		tpk_cmds_opt(&cmds, G_DIRS, "--egress");
		env.dirs |= TCDROP_DIR_OUT;
		break;
	case 'b':
		tpk_cmds_opt(&cmds, G_DIRS, "--both");
		env.dirs |= TCDROP_DIR_IN | TCDROP_DIR_OUT;
		break;
	case 'p':
		tpk_cmds_opt(&cmds, G_ATTACH, "--proto");
		if (tpk_proto_parse(arg, &o->proto))
			argp_failure(state, TPK_EXIT_USAGE, 0, "invalid protocol '%s'", arg);
		break;
	case 's':
	case 'd':
		tpk_cmds_opt(&cmds, G_ATTACH, key == 's' ? "--src" : "--dst");
		if (tpk_prefix_parse(arg, false, key == 's' ? &o->src : &o->dst))
			argp_failure(state, TPK_EXIT_USAGE, 0,
				     "invalid prefix '%s' (ADDR or ADDR/LEN, host bits zero)", arg);
		*(key == 's' ? &o->src_set : &o->dst_set) = true;
		break;
	case 'P':
	case OPT_SPORT:
	case OPT_DPORT:
		parse_port(state, key, arg);
		break;
	case OPT_LEGACY:
		tpk_cmds_opt(&cmds, G_ATTACH, "--legacy");
		env.legacy = true;
		break;
	case 'f':
	case OPT_FORCE:
		tpk_cmds_opt(&cmds, G_ATTACH, "--force");
		env.force = true;
		break;
	default:
		return tpk_cmds_parse(&cmds, key, arg, state);
	}
	return 0;
}
/* The table's commands: what the command line asked, to the command. */
static int cmd_attach(char **args, int n)
{
	(void)args, (void)n;
	return tcdrop_cmd_attach(&env);
}

static int cmd_detach(char **args, int n)
{
	(void)args, (void)n;
	return tcdrop_cmd_detach(&env);
}

static int cmd_status(char **args, int n)
{
	(void)args, (void)n;
	env.json = cmds.json;
	return tcdrop_cmd_status(&env);
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		options, parse_opt, "attach DEV | detach DEV | status [DEV]", doc, NULL, NULL, NULL
	};

	tpk_progname = "tcdrop";
	return tpk_cmds_main(&cmds, &argp, argc, argv);
}
