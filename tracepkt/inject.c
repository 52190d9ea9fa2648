// SPDX-License-Identifier: GPL-2.0
/* The expression's eBPF in place of the stub. libbpf appends a program's
 * subprograms to it at load; the program's BTF function records say where
 * the stub's body is. It is replaced whole; calls, function and line
 * records after it move with what follows; line records inside the old
 * body go. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
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

#define MAX_ALLOCS 128

static struct {
	struct bpf_insn *filter;
	int n;
	int ids[ARRAY_SIZE(sections)];
	int nids;
	const struct btf *btf;		/* the object's: names its functions */
	void *allocs[MAX_ALLOCS];	/* records handed to libbpf, freed at stop */
	int nallocs;
} inj;

/* What follows the section's "type/" (the attach target). */
static const char *target_of(const struct bpf_program *prog)
{
	const char *s = strchr(bpf_program__section_name(prog), '/');

	return s ? s + 1 : "";
}

/* Where the stub's body is, [*at, *end), by the program's BTF function
 * records (libbpf appends the subprograms a program calls in the order it
 * meets the calls, so the stub is not always last). false: the program
 * does not call it. */
static bool stub_span(const struct bpf_prog_load_opts *opts, size_t n, long *at, long *end)
{
	const char *fi = opts->func_info;
	size_t rec = opts->func_info_rec_size;

	*at = -1;
	*end = n;
	if (!fi || !inj.btf || rec < sizeof(struct bpf_func_info))
		return false;
	for (__u32 i = 0; i < opts->func_info_cnt; i++) {
		const struct bpf_func_info *f = (const void *)(fi + i * rec);
		const struct btf_type *t = btf__type_by_id(inj.btf, f->type_id);

		if (t && !strcmp(btf__name_by_offset(inj.btf, t->name_off), "tpk_pcap_run"))
			*at = f->insn_off;
	}
	for (__u32 i = 0; *at >= 0 && i < opts->func_info_cnt; i++) {
		const struct bpf_func_info *f = (const void *)(fi + i * rec);

		if ((long)f->insn_off > *at && (long)f->insn_off < *end)
			*end = f->insn_off;
	}
	return *at >= 0;
}

/* Old instruction index -> new, once [at, end) became delta longer. */
static long moved(long i, long at, long end, long delta)
{
	return i < at ? i : i >= end ? i + delta : at;
}

/* Calls keep their targets: BPF-to-BPF calls are relative. */
static void fix_calls(struct bpf_insn *out, size_t nout, long at, long end, long delta)
{
	for (long i = 0; i < (long)nout; i++) {
		long old, to;

		if (i >= at && i < at + inj.n)
			continue;	/* the filter has no calls */
		if (out[i].code != (BPF_JMP | BPF_CALL) || out[i].src_reg != BPF_PSEUDO_CALL)
			continue;
		old = i < at ? i : i - delta;
		to = old + 1 + out[i].imm;
		out[i].imm = moved(to, at, end, delta) - (i + 1);
	}
}

/* A copy of records (func_info or line_info, insn_off first) for the new
 * layout: those inside the old body go (but its first), the later move. */
static int fix_records(const void **recs, __u32 *cnt, size_t rec, long at, long end, long delta)
{
	const char *in = *recs;
	char *out;
	__u32 k = 0;

	if (!in || !*cnt)
		return 0;
	if (inj.nallocs == MAX_ALLOCS || rec < sizeof(__u32))
		return -E2BIG;
	out = malloc(*cnt * rec);
	if (!out)
		return -ENOMEM;
	for (__u32 i = 0; i < *cnt; i++) {
		__u32 off;

		memcpy(&off, in + i * rec, sizeof(off));
		if ((long)off > at && (long)off < end)
			continue;
		memcpy(out + k * rec, in + i * rec, rec);
		off = moved(off, at, end, delta);
		memcpy(out + k++ * rec, &off, sizeof(off));
	}
	inj.allocs[inj.nallocs++] = out;
	*recs = out;
	*cnt = k;
	return 0;
}

static int prepare(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie)
{
	const struct bpf_insn *in = bpf_program__insns(prog);
	size_t n = bpf_program__insn_cnt(prog), nout;
	struct bpf_insn *out;
	long at, end, delta;
	int err;

	(void)cookie;
	if (!stub_span(opts, n, &at, &end))
		return 0;	/* this program never filters */
	if (at >= (long)n || end <= at) {
		tpk_err("%s: its subprograms are not laid out as the pcap filter needs",
			bpf_program__name(prog));
		return -ENOTSUP;
	}
	delta = inj.n - (end - at);
	nout = n + delta;
	out = malloc(nout * sizeof(*out));
	if (!out)
		return -ENOMEM;
	memcpy(out, in, at * sizeof(*out));
	memcpy(out + at, inj.filter, inj.n * sizeof(*out));
	memcpy(out + at + inj.n, in + end, (n - end) * sizeof(*out));
	fix_calls(out, nout, at, end, delta);
	err = fix_records(&opts->func_info, &opts->func_info_cnt, opts->func_info_rec_size,
			  at, end, delta);
	if (!err)
		err = fix_records(&opts->line_info, &opts->line_info_cnt, opts->line_info_rec_size,
				  at, end, delta);
	if (!err)
		err = bpf_program__set_insns(prog, out, nout);
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

	inj.btf = bpf_object__btf(obj);
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
	while (inj.nallocs)
		free(inj.allocs[--inj.nallocs]);
	inj.btf = NULL;
	free(inj.filter);
	inj.filter = NULL;
}
