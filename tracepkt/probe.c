// SPDX-License-Identifier: GPL-2.0
/* Every feature is loaded and attached for real, not looked up: a kernel can
 * list a program type and still refuse it (some kernels refuse fexit with
 * EPERM). Attachments happen in a network namespace of our own,
 * so tcx and netfilter hooks touch nothing of the caller's, and each link
 * and program is gone before the next feature is tried.
 *
 * The text form is one line per answer, which the kernel matrix
 * (tests/vm/matrix) parses:
 *	feature NAME yes|no DETAIL
 *	backend TOOL.WHAT CHOICE DETAIL */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/netfilter.h>

#include "json.h"
#include "backend.h"
#include "probe.h"
#include "sys.h"
#include "util.h"
#include "verdicts.h"
#include "tracepkt_probe.skel.h"

enum feat {
	F_TRACEPOINTS, F_TP_BTF, F_RINGBUF, F_FEXIT, F_KPROBE, F_NETFILTER, F_TCX,
	F_DROP_REASONS, F_DROP_REASON_NAMES, F_MAX
};

static const char *const feat_names[F_MAX] = {
	[F_TRACEPOINTS] = "tracepoints",
	[F_TP_BTF] = "tp_btf",
	[F_RINGBUF] = "ringbuf",
	[F_FEXIT] = "fexit",
	[F_KPROBE] = "kprobe",
	[F_NETFILTER] = "netfilter_link",
	[F_TCX] = "tcx",
	[F_DROP_REASONS] = "drop_reasons",
	[F_DROP_REASON_NAMES] = "drop_reason_names",
};

struct answer {
	bool yes;
	char detail[192];
};

struct choice {
	const char *key;	/* TOOL.WHAT */
	const char *use;
	char detail[256];
};

enum { B_POINTS, B_NF, B_DROPS, B_TCXDP, B_TCDROP, B_XDP, B_MAX };

/* What the probe found, and what the tools would choose by it. */
struct probe {
	struct answer ans[F_MAX];
	unsigned int nreasons;
	struct choice ch[B_MAX];
	bool verdicts;		/* fexit on a tc program works */
	char verdicts_why[128];
};

static void set(struct probe *pr, enum feat f, bool yes, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void set(struct probe *pr, enum feat f, bool yes, const char *fmt, ...)
{
	va_list ap;

	pr->ans[f].yes = yes;
	va_start(ap, fmt);
	vsnprintf(pr->ans[f].detail, sizeof(pr->ans[f].detail), fmt, ap);
	va_end(ap);
}

/* The netfilter functions tracepkt hooks with fexit and kprobes, in the
 * order it prefers them; the first one the kernel has now is the probe's
 * target. Their modules are not loaded for the probe's sake (tracepkt
 * itself loads them): it would leave them loaded. */
static const char *const nf_funcs[] = { "ipt_do_table", "nft_do_chain", "ip6t_do_table" };

/* Without any of them, a function every kernel with BPF has, made for
 * testing trampolines: fexit and kprobes work or not the same way. */
#define FALLBACK_FUNC "bpf_fentry_test1"

static const char *attach_func(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char name[256];
	int best = ARRAY_SIZE(nf_funcs);

	if (!f)
		return FALLBACK_FUNC;
	while (best > 0 && fscanf(f, "%*s %*s %255s%*[^\n]", name) == 1)
		for (int i = 0; i < best; i++)
			if (!strcmp(name, nf_funcs[i]))
				best = i;
	fclose(f);
	return best < (int)ARRAY_SIZE(nf_funcs) ? nf_funcs[best] : FALLBACK_FUNC;
}

/* Load program `which` alone, attach it, detach and unload. */
static void probe_prog(struct probe *pr, enum feat f, const char *which, const char *func)
{
	LIBBPF_OPTS(bpf_netfilter_opts, nf, .pf = NFPROTO_IPV4, .hooknum = NF_INET_LOCAL_IN);
	struct tracepkt_probe_bpf *skel;
	struct bpf_program *p, *want = NULL;
	struct bpf_link *link = NULL;
	char what[96];
	int err;

	skel = tracepkt_probe_bpf__open();
	if (!skel) {
		set(pr, f, false, "open: %s", strerror(errno));
		return;
	}
	bpf_object__for_each_program(p, skel->obj) {
		bool mine = !strcmp(bpf_program__name(p), which);

		bpf_program__set_autoload(p, mine);
		if (mine)
			want = p;
	}
	snprintf(what, sizeof(what), "%s%s%s", bpf_program__section_name(want),
		 func ? "/" : "", func ? func : "");
	err = f == F_FEXIT ? bpf_program__set_attach_target(want, 0, func) : 0;
	if (!err)
		err = tracepkt_probe_bpf__load(skel);
	if (err) {
		set(pr, f, false, "%s: load: %s", what, strerror(-err));
		goto out;
	}
	switch (f) {
	case F_KPROBE:
		link = bpf_program__attach_kprobe(want, false, func);
		break;
	case F_NETFILTER:
		link = bpf_program__attach_netfilter(want, &nf);
		break;
	case F_TCX:
		link = bpf_program__attach_tcx(want, (int)if_nametoindex("lo"), NULL);
		break;
	default:
		link = bpf_program__attach(want);
		break;
	}
	err = link ? 0 : -errno;
	if (err)
		/* Classic tracepoints are found by their id in tracefs, which
		 * `ip netns exec` leaves unmounted. */
		set(pr, f, false, "%s: attach: %s%s", what, strerror(-err),
		    f == F_TRACEPOINTS && err == -ENOENT ? " (is tracefs mounted?)" : "");
	else
		set(pr, f, true, "%s", what);
out:
	bpf_link__destroy(link);
	tracepkt_probe_bpf__destroy(skel);
}

static void probe_ringbuf(struct probe *pr)
{
	int r = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);

	if (r == 1)
		set(pr, F_RINGBUF, true, "BPF_MAP_TYPE_RINGBUF");
	else
		set(pr, F_RINGBUF, false, "BPF_MAP_TYPE_RINGBUF: %s", r < 0 ? strerror(-r) : "not supported");
}

/* The names tracepkt --drops prints come from the kernel's BTF. */
static void count_drop_reasons(struct probe *pr, const struct btf *vmlinux)
{
	int id;

	if (!vmlinux) {
		set(pr, F_DROP_REASON_NAMES, false, "no vmlinux BTF");
		return;
	}
	id = btf__find_by_name_kind(vmlinux, "skb_drop_reason", BTF_KIND_ENUM);
	if (id < 0) {
		set(pr, F_DROP_REASON_NAMES, false, "no enum skb_drop_reason in BTF");
		return;
	}
	pr->nreasons = btf_vlen(btf__type_by_id(vmlinux, id));
	set(pr, F_DROP_REASON_NAMES, true, "%u in enum skb_drop_reason", pr->nreasons);
}

static void choose(struct probe *pr, int b, const char *key, const char *use, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void choose(struct probe *pr, int b, const char *key, const char *use, const char *fmt, ...)
{
	struct choice *c = &pr->ch[b];
	va_list ap;

	c->key = key;
	c->use = use;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
}

static const struct answer *answer(const struct probe *pr, const char *feature)
{
	for (int f = 0; f < F_MAX; f++)
		if (!strcmp(feat_names[f], feature))
			return &pr->ans[f];
	return NULL;
}

static bool works(const struct probe *pr, const struct tpk_backend *b)
{
	for (const char *const *n = b->needs; *n; n++)
		if (!answer(pr, *n)->yes)
			return false;
	return true;
}

/* The first backend in tracepkt's order whose features work, with why
 * each better one would not: the detail of the first feature it needs. */
static void choose_nf(struct probe *pr)
{
	char detail[sizeof(pr->ch[0].detail)];
	int b = TPK_NF_FEXIT;
	size_t n;

	while (b < TPK_NF_BACKENDS && !works(pr, &tpk_backends[b]))
		b++;
	if (b == TPK_NF_BACKENDS)
		b = TPK_NF_NONE;
	n = snprintf(detail, sizeof(detail), "%s", tpk_backends[b].tells);
	for (int worse = TPK_NF_FEXIT; b != TPK_NF_NONE && worse < b && n < sizeof(detail); worse++)
		n += snprintf(detail + n, sizeof(detail) - n, "; %s: %s", tpk_backends[worse].name,
			      answer(pr, tpk_backends[worse].needs[0])->detail);
	choose(pr, B_NF, "tracepkt.netfilter", tpk_backends[b].name, "%s", detail);
}

/* What each tool's own selection (tracepkt's start_best and tpk_points_select,
 * tcdrop's tcx test) would pick, given the answers above. */
static void choose_backends(struct probe *pr, bool btf)
{
	if (pr->ans[F_TP_BTF].yes)
		choose(pr, B_POINTS, "tracepkt.tracepoints", "tp_btf", "BTF-typed tracepoints");
	else if (!btf)
		choose(pr, B_POINTS, "tracepkt.tracepoints", "raw_tp", "no kernel BTF");
	else
		choose(pr, B_POINTS, "tracepkt.tracepoints", "none",
		       "tp_btf refused (%s); --raw-tracepoints may work", pr->ans[F_TP_BTF].detail);

	choose_nf(pr);

	if (pr->ans[F_DROP_REASONS].yes)
		choose(pr, B_DROPS, "tracepkt.drops", "yes", "--drops: skb:kfree_skb with its reason");
	else if (pr->ans[F_TP_BTF].yes)
		choose(pr, B_DROPS, "tracepkt.drops", "noreason",
		       "--drops: skb:kfree_skb without a reason (drop.~UNK~): %s",
		       pr->ans[F_DROP_REASONS].detail);
	else
		choose(pr, B_DROPS, "tracepkt.drops", "no", "--drops: %s", pr->ans[F_DROP_REASONS].detail);

	/* A tc or XDP program's verdict on a followed packet, where fexit on
	 * it works; else, where a traced packet is dropped at a device with
	 * such programs, a last line naming them (lost.PROGRAMS). */
	if (pr->verdicts)
		choose(pr, B_TCXDP, "tracepkt.tcxdp", "verdicts",
		       "each tc and XDP program's verdict on a followed packet (%s); "
		       "a last line names those loaded later where they drop one", pr->verdicts_why);
	else
		choose(pr, B_TCXDP, "tracepkt.tcxdp", "lost",
		       "a last line naming the tc and XDP programs where a traced packet was dropped; "
		       "their verdicts: %s", pr->verdicts_why);

	if (pr->ans[F_TCX].yes)
		choose(pr, B_TCDROP, "tcdrop.attach", "tcx", "tcx link (--legacy: clsact + cls_bpf)");
	else
		choose(pr, B_TCDROP, "tcdrop.attach", "legacy", "clsact + cls_bpf; tcx: %s", pr->ans[F_TCX].detail);

	choose(pr, B_XDP, "xdpblock.attach", "per-device",
	       "native where the device's driver has XDP (veth does), else skb: "
	       "decided at attach, not without a device");
}

static void print_text(const struct probe *pr, const char *release)
{
	printf("kernel %s\n", release);
	for (int f = 0; f < F_MAX; f++)
		printf("feature %-17s %-3s %s\n", feat_names[f], pr->ans[f].yes ? "yes" : "no",
		       pr->ans[f].detail);
	for (int b = 0; b < B_MAX; b++)
		printf("backend %-20s %-10s %s\n", pr->ch[b].key, pr->ch[b].use, pr->ch[b].detail);
}

static void print_json(const struct probe *pr, const char *release)
{
	struct tpk_json j;

	tpk_json_init(&j, stdout, false);
	tpk_json_object(&j);
	tpk_json_kstring(&j, "kernel", release);
	tpk_json_key(&j, "features");
	tpk_json_object(&j);
	for (int f = 0; f < F_MAX; f++) {
		tpk_json_key(&j, feat_names[f]);
		tpk_json_object(&j);
		tpk_json_kbool(&j, "available", pr->ans[f].yes);
		tpk_json_kstring(&j, "detail", pr->ans[f].detail);
		if (f == F_DROP_REASON_NAMES)
			tpk_json_kuint(&j, "count", pr->nreasons);
		tpk_json_object_end(&j);
	}
	tpk_json_object_end(&j);
	tpk_json_key(&j, "backends");
	tpk_json_object(&j);
	for (int b = 0; b < B_MAX; b++) {
		tpk_json_key(&j, pr->ch[b].key);
		tpk_json_object(&j);
		tpk_json_kstring(&j, "use", pr->ch[b].use);
		tpk_json_kstring(&j, "detail", pr->ch[b].detail);
		tpk_json_object_end(&j);
	}
	tpk_json_object_end(&j);
	tpk_json_object_end(&j);
	tpk_json_finish(&j);
}

int tpk_probe_run(bool json)
{
	struct probe probe = { 0 }, *pr = &probe;
	struct btf *vmlinux;
	const char *func;
	struct utsname u;

	if (tpk_require_root(NULL))
		return TPK_EXIT_FAIL;
	if (unshare(CLONE_NEWNET)) {
		tpk_err_errno(errno, "cannot make a network namespace for the probe");
		return TPK_EXIT_FAIL;
	}
	vmlinux = btf__load_vmlinux_btf();
	func = attach_func();

	probe_prog(pr, F_TRACEPOINTS, "probe_tracepoint", NULL);
	probe_prog(pr, F_TP_BTF, "probe_tp_btf", NULL);
	probe_ringbuf(pr);
	probe_prog(pr, F_FEXIT, "probe_fexit", func);
	if (tpk_kprobes_usable())
		probe_prog(pr, F_KPROBE, "probe_kprobe", func);
	else
		set(pr, F_KPROBE, false, "no kprobe PMU and no tracefs kprobe_events (no CONFIG_KPROBES)");
	probe_prog(pr, F_NETFILTER, "probe_netfilter", NULL);
	probe_prog(pr, F_TCX, "probe_tcx", NULL);
	probe_prog(pr, F_DROP_REASONS, "probe_drop_reason", NULL);
	count_drop_reasons(pr, vmlinux);
	pr->verdicts = tpk_verdicts_probe(pr->verdicts_why, sizeof(pr->verdicts_why));
	choose_backends(pr, vmlinux != NULL);
	btf__free(vmlinux);

	uname(&u);
	if (json)
		print_json(pr, u.release);
	else
		print_text(pr, u.release);
	return fflush(stdout) ? TPK_EXIT_FAIL : TPK_EXIT_OK;
}
