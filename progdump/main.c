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
#include "json.h"
#include "prog.h"
#include "show.h"
#include "util.h"
#include "version.h"
#include "xlated.h"

#define MAX_ARGS 64

static struct env {
	bool json, pretty, verbose, no_optimize, bpffs;
	int linktype;
	const char *ifname;
	uint64_t snaplen;
	int argc;
	char *argv[MAX_ARGS];
} env = {
	.linktype = PD_LINKTYPE_DEFAULT,
	.snaplen = 262144,
};

void (*argp_program_version_hook)(FILE *, struct argp_state *) = tpk_version_print;
const char *argp_program_bug_address = "the project's issue tracker";

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
	case 'j':
		env.json = true;
		break;
	case 'p':
		env.json = env.pretty = true;
		break;
	case 'f':
		env.bpffs = true;
		break;
	case 'v':
		env.verbose = true;
		break;
	case 'O':
		env.no_optimize = true;
		break;
	case 'y':
		env.linktype = pd_cbpf_linktype(arg);
		if (env.linktype < 0)
			argp_failure(state, TPK_EXIT_USAGE, 0, "unknown link type '%s'", arg);
		break;
	case 'i':
		env.ifname = arg;
		break;
	case 's':
		if (tpk_parse_u64(arg, 1, 262144, &env.snaplen))
			argp_failure(state, TPK_EXIT_USAGE, 0, "bad snapshot length '%s' (1-262144)", arg);
		break;
	case ARGP_KEY_ARG:
		if (env.argc == MAX_ARGS)
			argp_failure(state, TPK_EXIT_USAGE, 0, "too many arguments");
		env.argv[env.argc++] = arg;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int show(int argc, char **argv, struct tpk_json *j)
{
	struct pd_pins table, *pins = NULL;
	int *fds = NULL, n = 0, i, err, ret = TPK_EXIT_OK;

	if (env.bpffs) {
		err = pd_pins_load(&table);
		if (err) {
			pd_pins_free(&table);
			tpk_err_errno(err, "can't read pinned programs");
			return TPK_EXIT_FAIL;
		}
		pins = &table;
	}
	if (!argc) {
		ret = pd_show_all(j, pins);
		goto out;
	}
	n = pd_prog_select(&argc, &argv, &fds);
	if (n < 0) {
		ret = -n;
		n = 0;
		goto out;
	}
	if (argc) {
		tpk_err("unexpected argument '%s'", argv[0]);
		ret = TPK_EXIT_USAGE;
		goto out;
	}
	if (j && n > 1)
		tpk_json_array(j);
	for (i = 0; i < n; i++) {
		err = pd_show_fd(fds[i], j, pins);
		if (err) {
			tpk_err_errno(err, "can't read program info");
			ret = TPK_EXIT_FAIL;
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
		return TPK_EXIT_FAIL;
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
				err = TPK_EXIT_FAIL;
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
	int *fds, n, i, ret = TPK_EXIT_OK;

	if (!argc || strcmp(argv[0], "xlated")) {
		tpk_err("expected 'dump xlated PROG', got 'dump %s'", argc ? argv[0] : "");
		return TPK_EXIT_USAGE;
	}
	if (argc < 2) {
		tpk_err("expected a program after 'dump xlated'");
		return TPK_EXIT_USAGE;
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
			return TPK_EXIT_USAGE;
		}
	}
	n = pd_prog_select(&argc, &argv, &fds);
	if (n < 0)
		return -n;
	if (visual && n > 1) {
		tpk_err("several programs matched; 'visual' draws one");
		ret = TPK_EXIT_USAGE;
		goto out;
	}
	if (j && visual) {
		tpk_err("'visual' has no JSON output");
		ret = TPK_EXIT_USAGE;
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

static int cbpf(int argc, char **argv)
{
	size_t len = 0;
	char *expr;
	int i, ret;

	if (!argc) {
		tpk_err("expected a filter expression after 'cbpf'");
		return TPK_EXIT_USAGE;
	}
	/* Words joined with spaces, as tcpdump joins its arguments. */
	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	expr = calloc(1, len);
	if (!expr) {
		tpk_err("out of memory");
		return TPK_EXIT_FAIL;
	}
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(expr, " ");
		strcat(expr, argv[i]);
	}
	ret = pd_cbpf_dump(expr, env.ifname, env.linktype, (int)env.snaplen, !env.no_optimize);
	free(expr);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = options,
		.parser = parse_opt,
		.args_doc = "[list | show PROG | dump xlated PROG [opcodes] [linum] [visual] | cbpf EXPR...]",
		.doc = doc,
	};
	const char *cmd;
	struct tpk_json json, *j = NULL;
	int err;

	tpk_progname = "progdump";
	tpk_stdout_guard();
	argp_err_exit_status = TPK_EXIT_USAGE;
	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return TPK_EXIT_USAGE;
	tpk_libbpf_setup(env.verbose);

	cmd = env.argc ? env.argv[0] : "list";
	if (!strcmp(cmd, "cbpf"))
		return cbpf(env.argc - 1, env.argv + 1);

	if (env.json) {
		tpk_json_init(&json, stdout, env.pretty);
		j = &json;
	}
	if (!strcmp(cmd, "list") || !strcmp(cmd, "show")) {
		if (!strcmp(cmd, "list") && env.argc > 1) {
			tpk_err("'list' takes no argument; use 'show PROG'");
			return TPK_EXIT_USAGE;
		}
		err = show(env.argc ? env.argc - 1 : 0, env.argv + 1, j);
	} else if (!strcmp(cmd, "dump")) {
		err = dump(env.argc - 1, env.argv + 1, j);
	} else {
		tpk_err("unknown command '%s'; expected list, show, dump or cbpf", cmd);
		return TPK_EXIT_USAGE;
	}
	if (j)
		tpk_json_finish(j);
	if (fflush(stdout) && errno != EPIPE) {
		tpk_err_errno(-errno, "can't write output");
		return TPK_EXIT_FAIL;
	}
	return err;
}
