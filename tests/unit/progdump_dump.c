// SPDX-License-Identifier: GPL-2.0
/* progdump's whole-program printers (plain, JSON, DOT graph) on a small
 * hand-made program against expected text, then on random programs: no
 * crash, no read outside the instructions (tests/integration/
 * progdump-memcheck.t runs this under valgrind). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "cfg.h"
#include "xlated.h"

#define I(c, d, s, o, i) { .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) }

/* Run fn with stdout going to a file; return what it printed. */
static char *capture(void (*fn)(void *), void *arg)
{
	static char buf[65536];
	FILE *f = tmpfile();
	int saved = dup(1);
	size_t n;

	fflush(stdout);
	dup2(fileno(f), 1);
	fn(arg);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void run_plain(void *d) { pd_dump_plain(d); }
static int cfg_ret;
static void run_cfg(void *d) { cfg_ret = pd_dump_cfg(d); }
static void run_json(void *d)
{
	struct tpk_json j;

	tpk_json_init(&j, stdout, false);
	pd_dump_json(d, &j);
}

static const char want_plain[] =
	"   0: (b7) r0 = 1\n"
	"   1: (15) if r1 == 0x0 goto pc+1\n"
	"   2: (b7) r0 = 2\n"
	"   3: (95) exit\n";

static const char want_json[] =
	"[{\"disasm\":\"(b7) r0 = 1\"},{\"disasm\":\"(15) if r1 == 0x0 goto pc+1\"},"
	"{\"disasm\":\"(b7) r0 = 2\"},{\"disasm\":\"(95) exit\"}]";

static const char want_dot[] =
	"digraph \"DOT graph for eBPF program\" {\n"
	"subgraph \"cluster_0\" {\n"
	"\tstyle=\"dashed\";\n"
	"\tcolor=\"black\";\n"
	"\tlabel=\"func_0 ()\";\n"
	"\tfn_0_bb_0 [shape=Mdiamond,style=filled,label=\"ENTRY\"];\n\n"
	"\tfn_0_bb_2 [shape=record,style=filled,label=\"{\\\n"
	"0: (b7) r0 = 1\\l\\\n"
	"| 1: (15) if r1 == 0x0 goto pc+1\\l\\\n"
	"}\"];\n\n"
	"\tfn_0_bb_3 [shape=record,style=filled,label=\"{\\\n"
	"2: (b7) r0 = 2\\l\\\n"
	"}\"];\n\n"
	"\tfn_0_bb_4 [shape=record,style=filled,label=\"{\\\n"
	"3: (95) exit\\l\\\n"
	"}\"];\n\n"
	"\tfn_0_bb_1 [shape=Mdiamond,style=filled,label=\"EXIT\"];\n\n"
	"\tfn_0_bb_0:s -> fn_0_bb_2:n [style=\"solid,bold\", color=black, weight=10, constraint=true];\n"
	"\tfn_0_bb_2:s -> fn_0_bb_3:n [style=\"solid,bold\", color=black, weight=10, constraint=true];\n"
	"\tfn_0_bb_2:s -> fn_0_bb_4:n [style=\"solid,bold\", color=black, weight=10, constraint=true];\n"
	"\tfn_0_bb_3:s -> fn_0_bb_4:n [style=\"solid,bold\", color=black, weight=10, constraint=true];\n"
	"\tfn_0_bb_4:s -> fn_0_bb_1:n [style=\"solid,bold\", color=black, weight=10, constraint=true];\n"
	"\tfn_0_bb_0:s -> fn_0_bb_1:n [style=\"invis\", constraint=true];\n"
	"}\n"
	"}\n";

int main(void)
{
	struct bpf_insn small[] = {
		I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1),
		I(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1, 0),
		I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 2),
		I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	struct pd_prog p = { .insns = small, .nr_insns = 4 };
	struct pd_dump d;
	int i, round_ok = 1;

	tap_plan(4);
	if (pd_dump_open(&d, &p)) {
		tap_ok(0, "pd_dump_open");
		return 1;
	}
	tap_is_str(capture(run_plain, &d), want_plain, "plain dump of a 4-instruction program");
	tap_is_str(capture(run_json, &d), want_json, "JSON dump");
	tap_is_str(capture(run_cfg, &d), want_dot, "DOT graph: blocks, fall-through and jump edges");

	/* Random programs: mostly jumps and calls with small offsets, so that
	 * blocks, functions and out-of-range targets all occur. */
	srand(11);
	for (i = 0; i < 3000; i++) {
		size_t n = 1 + rand() % 48, k;
		struct bpf_insn *in = malloc(n * sizeof(*in));
		unsigned char *b = (unsigned char *)in;

		if (!in)
			abort();
		for (k = 0; k < n * sizeof(*in); k++)
			b[k] = rand() & 0xff;
		for (k = 0; k < n; k++) {
			if (rand() % 2)
				in[k].code = (rand() % 2 ? BPF_JMP : BPF_JMP32) | (rand() & 0xf8);
			if (rand() % 4)
				in[k].off = rand() % 21 - 10;
			if (rand() % 8 == 0)
				in[k].code = BPF_LD | BPF_IMM | BPF_DW;
		}
		p.insns = in;
		p.nr_insns = n;
		d.opcodes = i % 2;
		capture(run_plain, &d);
		capture(run_json, &d);
		capture(run_cfg, &d);
		if (cfg_ret)
			round_ok = 0;
		free(in);
	}
	tap_ok(round_ok, "3000 random programs through plain, JSON and DOT printers");
	p.insns = NULL;
	pd_dump_close(&d);
	return tap_exit();
}
