// SPDX-License-Identifier: GPL-2.0
/* progdump: list and disassemble the BPF programs loaded in the kernel, in
 * bpftool prog's format, and show the classic BPF of a pcap filter, in
 * tcpdump -d's format. */
#include <argp.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "cbpf.h"
#include "cfg.h"
#include "cmd.h"
#include "json.h"
#include "prog.h"
#include "show.h"
#include "util.h"
#include "xlated.h"

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

static struct env {
	bool pretty, no_optimize, bpffs;
	int linktype;
	const char *ifname;
	uint64_t snaplen;
} env = {
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

static int show(int argc, char **argv, struct tpk_json *j)
{
	struct pd_pins table, *pins = NULL;
	int *fds = NULL, n = 0, i, err, ret = 0;

	if (env.bpffs) {
		err = pd_pins_load(&table);
		if (err) {
			pd_pins_free(&table);
			tpk_err_errno(err, "can't read pinned programs");
			return -EIO;
		}
		pins = &table;
	}
	if (!argc) {
		ret = pd_show_all(j, pins);
		goto out;
	}
	n = pd_prog_select(&argc, &argv, &fds);
	if (n < 0) {
		ret = n;
		n = 0;
		goto out;
	}
	if (argc) {
		tpk_err("unexpected argument '%s'", argv[0]);
		ret = -TPK_EINPUT;
		goto out;
	}
	if (j && n > 1)
		tpk_json_array(j);
	for (i = 0; i < n; i++) {
		err = pd_show_fd(fds[i], j, pins);
		if (err) {
			tpk_err_errno(err, "can't read program info");
			ret = -EIO;
			break;
		}
	}
	if (j && n > 1)
		tpk_json_array_end(j);
out:
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	if (pins)
		pd_pins_free(pins);
	return ret;
}

static int dump_one(int fd, bool visual, bool opcodes, bool linum, struct tpk_json *j)
{
	struct pd_dump d;
	struct pd_prog p;
	int err;

	err = pd_prog_fetch(fd, &p, true);
	if (err) {
		tpk_err_errno(err, "can't read program info");
		return -EIO;
	}
	err = pd_dump_open(&d, &p);
	if (!err) {
		d.opcodes = opcodes;
		d.linum = linum;
		if (j) {
			pd_dump_json(&d, j);
		} else if (visual) {
			if (pd_dump_cfg(&d)) {
				tpk_err("out of memory");
				err = -ENOMEM;
			}
		} else {
			pd_dump_plain(&d);
		}
	}
	pd_dump_close(&d);
	pd_prog_free(&p);
	return err;
}

static int dump(int argc, char **argv, struct tpk_json *j)
{
	bool visual = false, opcodes = false, linum = false;
	int *fds, n, i, ret = 0;

	if (!argc || strcmp(argv[0], "xlated")) {
		tpk_err("expected 'dump xlated PROG', got 'dump %s'", argc ? argv[0] : "");
		return -TPK_EINPUT;
	}
	if (argc < 2) {
		tpk_err("expected a program after 'dump xlated'");
		return -TPK_EINPUT;
	}
	argc--, argv++;
	/* Check the modifiers before opening anything: a bare ID is one
	 * word, every other selector two. */
	for (i = isdigit((unsigned char)argv[0][0]) ? 1 : 2; i < argc; i++) {
		if (!strcmp(argv[i], "opcodes"))
			opcodes = true;
		else if (!strcmp(argv[i], "linum"))
			linum = true;
		else if (!strcmp(argv[i], "visual"))
			visual = true;
		else {
			tpk_err("expected 'opcodes', 'linum' or 'visual', got '%s'", argv[i]);
			return -TPK_EINPUT;
		}
	}
	n = pd_prog_select(&argc, &argv, &fds);
	if (n < 0)
		return n;
	if (visual && n > 1) {
		tpk_err("several programs matched; 'visual' draws one");
		ret = -TPK_EINPUT;
		goto out;
	}
	if (j && visual) {
		tpk_err("'visual' has no JSON output");
		ret = -TPK_EINPUT;
		goto out;
	}
	/* Several programs: each under its show header (an object with
	 * "insns" in JSON), as bpftool does. */
	if (j && n > 1)
		tpk_json_array(j);
	for (i = 0; i < n && !ret; i++) {
		if (n > 1) {
			struct pd_prog p;

			if (j)
				tpk_json_object(j);
			if (pd_prog_fetch(fds[i], &p, false) == 0)
				pd_show_header(&p.info, fds[i], j);
			if (j)
				tpk_json_key(j, "insns");
		}
		ret = dump_one(fds[i], visual, opcodes, linum, j);
		if (j && n > 1)
			tpk_json_object_end(j);
		else if (n > 1 && i != n - 1)
			printf("\n");
	}
	if (j && n > 1)
		tpk_json_array_end(j);
out:
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	return ret;
}

static int cmd_cbpf(char **args, int nargs)
{
	size_t len = 0;
	char *expr;
	int i, ret;

	/* Words joined with spaces, as tcpdump joins its arguments. */
	for (i = 0; i < nargs; i++)
		len += strlen(args[i]) + 1;
	expr = calloc(1, len);
	if (!expr) {
		tpk_err("out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < nargs; i++) {
		if (i)
			strcat(expr, " ");
		strcat(expr, args[i]);
	}
	ret = pd_cbpf_dump(expr, env.ifname, env.linktype, (int)env.snaplen, !env.no_optimize);
	free(expr);
	return ret;
}

/* list, show and dump: JSON (if asked) around what fn prints. */
static int with_json(int (*fn)(int argc, char **argv, struct tpk_json *j), char **args, int nargs)
{
	struct tpk_json json;
	int err;

	tpk_json_init(&json, stdout, env.pretty);
	err = fn(nargs, args, cmds.json ? &json : NULL);
	if (cmds.json)
		tpk_json_finish(&json);
	return err;
}

static int cmd_list(char **args, int nargs)
{
	return with_json(show, args, nargs);
}

static int cmd_show(char **args, int nargs)
{
	return with_json(show, args, nargs);
}

static int cmd_dump(char **args, int nargs)
{
	return with_json(dump, args, nargs);
}

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
