// SPDX-License-Identifier: GPL-2.0
/* The expression's eBPF in place of the stub. libbpf appends a program's
 * subprograms to it at load; tracepkt's helpers are all inlined, so the
 * stub is the one subprogram, last: its body runs from the target of the
 * calls to the end, and is replaced whole. Its BTF function record keeps
 * its place; line records inside the old body go. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "util.h"
#include "inject.h"

enum how { A_NONE, A_TRACE, A_RAW_TP, A_KPROBE, A_KRETPROBE };

/* tracepkt's sections, as libbpf's own handlers know them. */
static const struct section {
	const char *sec;
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
	enum how how;
} sections[] = {
	{ "tp_btf+", BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, A_TRACE },
	{ "fexit+", BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, A_TRACE },
	{ "raw_tp+", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, A_RAW_TP },
	{ "kprobe+", BPF_PROG_TYPE_KPROBE, 0, A_KPROBE },
	{ "kretprobe+", BPF_PROG_TYPE_KPROBE, 0, A_KRETPROBE },
	{ "netfilter", BPF_PROG_TYPE_NETFILTER, BPF_NETFILTER, A_NONE },
};

#define MAX_LINE_COPIES 64

static struct {
	struct bpf_insn *filter;
	int n;
	int ids[ARRAY_SIZE(sections)];
	int nids;
	void *lines[MAX_LINE_COPIES];	/* line records handed to libbpf, freed at stop */
	int nlines;
} inj;

/* What follows the section's "type/" (the attach target). */
static const char *target_of(const struct bpf_program *prog)
{
	const char *s = strchr(bpf_program__section_name(prog), '/');

	return s ? s + 1 : "";
}

/* The stub's first instruction: where every BPF-to-BPF call goes. -1: none,
 * -2: calls to more than one place (not the layout this expects). */
static long stub_start(const struct bpf_insn *in, size_t n)
{
	long at = -1;

	for (size_t i = 0; i < n; i++) {
		long to;

		if (in[i].code == (BPF_LD | BPF_DW | BPF_IMM) && in[i].src_reg == BPF_PSEUDO_FUNC)
			return -2;
		if (in[i].code != (BPF_JMP | BPF_CALL) || in[i].src_reg != BPF_PSEUDO_CALL)
			continue;
		to = (long)i + 1 + in[i].imm;
		if (at >= 0 && to != at)
			return -2;
		at = to;
	}
	return at;
}

/* Line records of the old body, past its first instruction, would point
 * at the new one's: drop them. */
static int trim_lines(struct bpf_prog_load_opts *opts, long at)
{
	const char *in = opts->line_info;
	size_t rec = opts->line_info_rec_size;
	char *out;
	__u32 k = 0;

	if (!in || !opts->line_info_cnt)
		return 0;
	if (inj.nlines == MAX_LINE_COPIES || rec < sizeof(struct bpf_line_info))
		return -E2BIG;
	out = malloc(opts->line_info_cnt * rec);
	if (!out)
		return -ENOMEM;
	for (__u32 i = 0; i < opts->line_info_cnt; i++) {
		const struct bpf_line_info *l = (const void *)(in + i * rec);

		if ((long)l->insn_off <= at)
			memcpy(out + k++ * rec, l, rec);
	}
	inj.lines[inj.nlines++] = out;
	opts->line_info = out;
	opts->line_info_cnt = k;
	return 0;
}

static int prepare(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie)
{
	const struct bpf_insn *in = bpf_program__insns(prog);
	size_t n = bpf_program__insn_cnt(prog);
	long at = stub_start(in, n);
	struct bpf_insn *out;
	int err;

	(void)cookie;
	if (at == -1)
		return 0;	/* this program never filters */
	if (at < 0 || (size_t)at >= n) {
		tpk_err("%s: its subprograms are not laid out as the pcap filter needs",
			bpf_program__name(prog));
		return -ENOTSUP;
	}
	out = malloc((at + inj.n) * sizeof(*out));
	if (!out)
		return -ENOMEM;
	memcpy(out, in, at * sizeof(*out));
	memcpy(out + at, inj.filter, inj.n * sizeof(*out));
	err = trim_lines(opts, at);
	if (!err)
		err = bpf_program__set_insns(prog, out, at + inj.n);
	free(out);
	return err;
}

static int attach(const struct bpf_program *prog, long cookie, struct bpf_link **link)
{
	switch (sections[cookie].how) {
	case A_TRACE:
		*link = bpf_program__attach_trace(prog);
		break;
	case A_RAW_TP:
		*link = bpf_program__attach_raw_tracepoint(prog, target_of(prog));
		break;
	case A_KPROBE:
	case A_KRETPROBE:
		*link = bpf_program__attach_kprobe(prog, sections[cookie].how == A_KRETPROBE,
						   target_of(prog));
		break;
	default:
		*link = NULL;	/* attached by tracepkt itself (nfhook) */
		return 0;
	}
	return *link ? 0 : -errno;
}

int tpk_inject_start(const struct bpf_insn *filter, int n)
{
	inj.filter = malloc(n * sizeof(*filter));
	if (!inj.filter)
		return -ENOMEM;
	memcpy(inj.filter, filter, n * sizeof(*filter));
	inj.n = n;
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++) {
		LIBBPF_OPTS(libbpf_prog_handler_opts, o, .cookie = (long)i,
			    .prog_prepare_load_fn = prepare,
			    .prog_attach_fn = sections[i].how == A_NONE ? NULL : attach);
		int id = libbpf_register_prog_handler(sections[i].sec, sections[i].type,
						      sections[i].attach, &o);

		if (id < 0) {
			tpk_inject_stop();
			return id;
		}
		inj.ids[inj.nids++] = id;
	}
	return 0;
}

int tpk_inject_targets(struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		int err;

		if (!bpf_program__autoload(prog) || bpf_program__type(prog) != BPF_PROG_TYPE_TRACING)
			continue;
		err = bpf_program__set_attach_target(prog, 0, target_of(prog));
		if (err) {
			tpk_err_errno(err, "%s: no attach target %s", bpf_program__name(prog),
				      target_of(prog));
			return err;
		}
	}
	return 0;
}

void tpk_inject_stop(void)
{
	while (inj.nids)
		libbpf_unregister_prog_handler(inj.ids[--inj.nids]);
	while (inj.nlines)
		free(inj.lines[--inj.nlines]);
	free(inj.filter);
	inj.filter = NULL;
}
