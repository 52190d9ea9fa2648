// SPDX-License-Identifier: GPL-2.0
/* Functions start at 0 and at every bpf-to-bpf call target; blocks start
 * at a function start, a jump target and after a conditional jump. Edges:
 * fall-through to the next block (also after exit), plus the jump target
 * for jumps and calls. Blocks are numbered per function with ENTRY = 0 and
 * EXIT = 1, real blocks from 2; instruction numbers inside a cluster count
 * from the function start. Jump targets always come from off, also for
 * gotol (whose offset is in imm). Kept identical to bpftool, including where that
 * numbering picks the first function's prototype and source lines for the
 * others. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"

struct range {
	long *v;
	size_t n, cap;
};

/* Sorted set insert. */
static int add_sorted(struct range *r, long x)
{
	size_t i;

	for (i = 0; i < r->n && r->v[i] < x; i++)
		;
	if (i < r->n && r->v[i] == x)
		return 0;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		long *v = realloc(r->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		r->v = v;
		r->cap = cap;
	}
	memmove(r->v + i + 1, r->v + i, (r->n - i) * sizeof(*r->v));
	r->v[i] = x;
	r->n++;
	return 0;
}

static int index_of(const struct range *r, long x)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->v[i] == x)
			return (int)i;
	return -1;
}

static int is_jmp(__u8 code)
{
	return BPF_CLASS(code) == BPF_JMP || BPF_CLASS(code) == BPF_JMP32;
}

/* Escape DOT record specials in one formatted instruction; like bpftool,
 * the text is cut at 63 bytes before escaping. */
static void put_insn_escaped(const char *text)
{
	size_t i;

	for (i = 0; i < 63 && text[i]; i++) {
		const char *c = &text[i];

		if (*c == '\n')
			fputs("\\l\\\n", stdout);
		else if (*c == '<' || *c == '>' || *c == '|' || *c == '&')
			printf("\\%c", *c);
		else
			putchar(*c);
	}
}

static const char *short_path(const char *path, const char **ellipsis)
{
	size_t len = strlen(path);
	const char *s;

	*ellipsis = "";
	if (len <= 32)
		return path;
	s = strchr(path + len - 32, '/');
	if (s) {
		if (s < path + 3)
			return path;
	} else {
		s = strrchr(path, '/');
		if (!s)
			return path;
	}
	*ellipsis = "...";
	return s;
}

static void put_line_escaped(const char *line)
{
	for (; *line; line++) {
		if (strchr(" <>{}|\"\\", *line))
			putchar('\\');
		putchar(*line);
	}
}

static void linfo_dot(const struct pd_dump *d, const struct bpf_line_info *l)
{
	const char *line = d->btf ? btf__name_by_offset(d->btf, l->line_off) : NULL;

	if (!line || !*line)
		return;
	while (*line == ' ' || *line == '\t' || *line == '\n' || *line == '\r' ||
	       *line == '\f' || *line == '\v')
		line++;
	if (d->linum) {
		const char *file = btf__name_by_offset(d->btf, l->file_name_off), *dots;
		__u32 num = BPF_LINE_INFO_LINE_NUM(l->line_col);

		file = short_path(file ? file : "", &dots);
		printf("; [%s%s", dots, file);
		if (num)
			printf(" line:%u col:%u", num, BPF_LINE_INFO_LINE_COL(l->line_col));
		printf("]\\l\\\n");
	}
	printf("; ");
	put_line_escaped(line);
	printf("\\l\\\n");
}

static void block_insns(struct pd_dump *d, long head, long tail, long rel)
{
	const struct pd_prog *p = d->prog;
	const struct bpf_func_info *f = pd_finfo(p, 0);
	const struct bpf_line_info *last = NULL;
	__u32 fi = 0;
	bool second = false;
	char text[512], hex[64];
	long i;

	for (i = head; i <= tail; i++) {
		__u32 off = (__u32)(i - head + rel);
		const struct bpf_line_info *l;

		if (second) {
			second = false;
			continue;
		}
		second = pd_insn_is_ldimm64(&p->insns[i]);
		if (d->btf && f && f->insn_off == off) {
			char sig[1024];

			pd_func_sig(d->btf, f->type_id, sig, sizeof(sig));
			if (sig[0])
				printf("; %s:\\l\\\n", sig);
			f = pd_finfo(p, ++fi);
		}
		l = d->linfo ? bpf_prog_linfo__lfind(d->linfo, off, 0) : NULL;
		if (l && l != last) {
			linfo_dot(d, l);
			last = l;
		}
		printf("%u: ", off);
		pd_insn_format(text, sizeof(text), &p->insns[i], p->nr_insns - i, &d->cbs);
		put_insn_escaped(text);
		if (d->opcodes) {
			pd_hex(hex, sizeof(hex), &p->insns[i], 8);
			printf("\\ \\ \\ \\ %s", hex);
			if (second && i + 1 <= tail) {
				pd_hex(hex, sizeof(hex), &p->insns[i + 1], 8);
				printf(" %s", hex);
			}
			printf("\\l\\\n");
		}
		if (i != tail)
			printf("| ");
	}
}

static void edge(int fn, int from, int to)
{
	printf("\tfn_%d_bb_%d:s -> fn_%d_bb_%d:n [style=\"solid,bold\", color=black, weight=10, constraint=true];\n",
	       fn, from, fn, to);
}

static int draw_func(struct pd_dump *d, int fn, long start, long end)
{
	const struct bpf_insn *insns = d->prog->insns;
	struct range heads = {};
	size_t b;
	long i;
	int err = add_sorted(&heads, start);

	for (i = start; !err && i <= end; i++) {
		int op = BPF_OP(insns[i].code);

		if (!is_jmp(insns[i].code) || op == BPF_EXIT || op == BPF_CALL)
			continue;
		err = add_sorted(&heads, i + insns[i].off + 1);
		if (!err && op != BPF_JA)
			err = add_sorted(&heads, i + 1);
	}
	if (err) {
		free(heads.v);
		return err;
	}
	/* Heads beyond this function's end would make empty blocks; bpftool
	 * trusts the verifier there, we only keep what lies inside. */
	while (heads.n && heads.v[heads.n - 1] > end)
		heads.n--;
	while (heads.n && heads.v[0] < start) {
		memmove(heads.v, heads.v + 1, (heads.n - 1) * sizeof(*heads.v));
		heads.n--;
	}

	printf("subgraph \"cluster_%d\" {\n", fn);
	printf("\tstyle=\"dashed\";\n");
	printf("\tcolor=\"black\";\n");
	printf("\tlabel=\"func_%d ()\";\n", fn);
	printf("\tfn_%d_bb_0 [shape=Mdiamond,style=filled,label=\"ENTRY\"];\n\n", fn);
	for (b = 0; b < heads.n; b++) {
		long tail = b + 1 < heads.n ? heads.v[b + 1] - 1 : end;

		printf("\tfn_%d_bb_%zu [shape=record,style=filled,label=\"{\\\n", fn, b + 2);
		block_insns(d, heads.v[b], tail, heads.v[b] - start);
		printf("}\"];\n\n");
	}
	printf("\tfn_%d_bb_1 [shape=Mdiamond,style=filled,label=\"EXIT\"];\n\n", fn);

	edge(fn, 0, 2);
	for (b = 0; b < heads.n; b++) {
		long tail = b + 1 < heads.n ? heads.v[b + 1] - 1 : end;
		const struct bpf_insn *t = &insns[tail];
		int next = b + 1 < heads.n ? (int)b + 3 : 1, op = BPF_OP(t->code), to;

		if (!is_jmp(t->code) || op == BPF_EXIT) {
			edge(fn, b + 2, next);
			continue;
		}
		/* A call ending a block gets the fall-through edge and also one
		 * to pc+off+1, which for helpers (off 0) repeats it: bpftool
		 * draws both. A subprogram target lies outside the function
		 * and gets no edge. */
		to = index_of(&heads, tail + t->off + 1);
		if (op == BPF_JA) {
			if (to >= 0)
				edge(fn, b + 2, to + 2);
			continue;
		}
		edge(fn, b + 2, next);
		if (to >= 0)
			edge(fn, b + 2, to + 2);
	}
	printf("\tfn_%d_bb_0:s -> fn_%d_bb_1:n [style=\"invis\", constraint=true];\n", fn, fn);
	printf("}\n");
	free(heads.v);
	return 0;
}

int pd_dump_cfg(struct pd_dump *d)
{
	const struct pd_prog *p = d->prog;
	struct range funcs = {};
	size_t f;
	long i;
	int err = add_sorted(&funcs, 0);

	for (i = 0; !err && i < (long)p->nr_insns; i++) {
		const struct bpf_insn *in = &p->insns[i];
		long to = i + in->off + 1;

		if (in->code != (BPF_JMP | BPF_CALL) || in->src_reg != 1)
			continue;
		if (to >= 0 && to < (long)p->nr_insns)
			err = add_sorted(&funcs, to);
	}
	if (err) {
		free(funcs.v);
		return err;
	}
	printf("digraph \"DOT graph for eBPF program\" {\n");
	for (f = 0; !err && f < funcs.n; f++) {
		long end = f + 1 < funcs.n ? funcs.v[f + 1] - 1 : (long)p->nr_insns - 1;

		err = draw_func(d, (int)f, funcs.v[f], end);
	}
	printf("}\n");
	free(funcs.v);
	return err;
}
