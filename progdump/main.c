// SPDX-License-Identifier: GPL-2.0
/* progdump: list and disassemble the BPF programs loaded in the kernel, in
 * bpftool prog's format, and show the classic BPF of a pcap filter, in
 * tcpdump -d's format. */
#include <argp.h>
#include <stdio.h>

#include "cbpf.h"
#include "cmd.h"
#include "commands.h"
#include "prog.h"
#include "util.h"

/* Option groups: which options go with which commands. */
enum {
	G_JSON = 1 << 0,	/* --json, --pretty */
	G_BPFFS = 1 << 1,
	G_CBPF = 1 << 2,	/* --linktype, --interface, --no-optimize, --snaplen */
};

static int cmd_list(char **args, int n);
static int cmd_show(char **args, int n);
static int cmd_dump(char **args, int n);
static int cmd_cbpf(char **args, int n);

static const struct tpk_cmd cmd_table[] = {
	{ "list", cmd_list, 0, 0, "", G_JSON | G_BPFFS, false, false },
	{ "show", cmd_show, 0, TPK_CMD_MAXARGS, "", G_JSON | G_BPFFS, false, false },
	{ "dump", cmd_dump, 1, TPK_CMD_MAXARGS, "xlated PROG", G_JSON, false, false },
	{ "cbpf", cmd_cbpf, 1, TPK_CMD_MAXARGS, "a filter expression", G_CBPF, true, false },
};

static struct tpk_cmds cmds = { .v = cmd_table, .n = ARRAY_SIZE(cmd_table), .dflt = cmd_table, .json_group = G_JSON,
				 .caps = "CAP_SYS_ADMIN: the kernel lists programs only to it" };

static struct pd_cli env = {
	.linktype = PD_LINKTYPE_DEFAULT,
	.snaplen = 262144,
};

static const char doc[] =
"List and disassemble loaded BPF programs, as `bpftool prog` prints them, and\n"
"print the classic BPF of a pcap filter, as `tcpdump -d` does.\n"
"\n"
"Commands:\n"
"  list                          every loaded program (the default)\n"
"  show PROG                     one program (or all matching a name or tag)\n"
"  dump xlated PROG [opcodes] [linum] [visual]\n"
"                                post-verifier instructions; visual: DOT graph\n"
"  cbpf EXPR...                  classic BPF of a pcap filter expression\n"
"PROG is ID, id ID, name NAME, tag TAG or pinned PATH.\n"
"\n"
"Examples:\n"
"  progdump                              # like bpftool prog\n"
"  progdump --json --pretty list\n"
"  progdump -f show name xdp_prog        # with its pinned paths\n"
"  progdump show id 42\n"
"  progdump dump xlated name xdp_prog linum\n"
"  progdump dump xlated id 42 visual > prog.dot   # then: dot -Tpng prog.dot\n"
"  progdump cbpf 'ip and udp port 53'\n"
"  progdump cbpf --linktype RAW 'tcp[tcpflags] & tcp-syn != 0'\n"
"\n"
"Exit status: 0 ok, 1 the kernel refused, 2 bad command line or input\n"
"(no such program, malformed filter).\n"
"\n"
"Options:";

static const struct argp_option options[] = {
	{ "json", 'j', NULL, 0, "JSON output (list, show, dump xlated)", 0 },
	{ "pretty", 'p', NULL, 0, "Indented JSON; implies --json", 0 },
	{ "bpffs", 'f', NULL, 0, "list, show: also the paths where each program is pinned", 0 },
	{ "linktype", 'y', "TYPE", 0, "cbpf: link-layer type, a DLT name such as EN10MB (default), RAW, LINUX_SLL, or a number", 0 },
	{ "interface", 'i', "IF", 0, "cbpf: compile for live interface IF, as tcpdump -i IF -d (Linux vlan extensions)", 0 },
	{ "snaplen", 's', "BYTES", 0, "cbpf: snapshot length, the accept return value (default 262144)", 0 },
	{ "no-optimize", 'O', NULL, 0, "cbpf: do not run libpcap's optimizer (tcpdump -O)", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's messages", 0 },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'p':
		tpk_cmds_opt(&cmds, G_JSON, "--pretty");
		cmds.json = env.pretty = true;
		break;
	case 'f':
		tpk_cmds_opt(&cmds, G_BPFFS, "--bpffs");
		env.bpffs = true;
		break;
	case 'O':
		tpk_cmds_opt(&cmds, G_CBPF, "--no-optimize");
		env.no_optimize = true;
		break;
	case 'y':
		tpk_cmds_opt(&cmds, G_CBPF, "--linktype");
		env.linktype = pd_cbpf_linktype(arg);
		if (env.linktype < 0)
			argp_failure(state, TPK_EXIT_USAGE, 0, "unknown link type '%s'", arg);
		break;
	case 'i':
		tpk_cmds_opt(&cmds, G_CBPF, "--interface");
		env.ifname = arg;
		break;
	case 's':
		tpk_cmds_opt(&cmds, G_CBPF, "--snaplen");
		if (tpk_parse_u64(arg, 1, 262144, &env.snaplen))
			argp_failure(state, TPK_EXIT_USAGE, 0, "bad snapshot length '%s' (1-262144)", arg);
		break;
	default:
		return tpk_cmds_parse(&cmds, key, arg, state);
	}
	return 0;
}
/* The table's commands: what the command line asked, to the command. */
static int run(int (*cmd)(const struct pd_cli *c, char **args, int n), char **args, int n)
{
	env.json = cmds.json;
	return cmd(&env, args, n);
}

static int cmd_list(char **args, int n) { return run(pd_cmd_list, args, n); }
static int cmd_show(char **args, int n) { return run(pd_cmd_show, args, n); }
static int cmd_dump(char **args, int n) { return run(pd_cmd_dump, args, n); }
static int cmd_cbpf(char **args, int n) { return run(pd_cmd_cbpf, args, n); }

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = options,
		.parser = parse_opt,
		.args_doc = "[list | show PROG | dump xlated PROG [opcodes] [linum] [visual] | cbpf EXPR...]",
		.doc = doc,
	};

	tpk_progname = "progdump";
	return tpk_cmds_main(&cmds, &argp, argc, argv);
}
