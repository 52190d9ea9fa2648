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
#include "probe.h"
#include "sys.h"
#include "util.h"
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

static struct answer ans[F_MAX];
static unsigned int nreasons;

static void set(enum feat f, bool yes, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set(enum feat f, bool yes, const char *fmt, ...)
{
	va_list ap;

	ans[f].yes = yes;
	va_start(ap, fmt);
	vsnprintf(ans[f].detail, sizeof(ans[f].detail), fmt, ap);
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
static void probe_prog(enum feat f, const char *which, const char *func)
{
	LIBBPF_OPTS(bpf_netfilter_opts, nf, .pf = NFPROTO_IPV4, .hooknum = NF_INET_LOCAL_IN);
	struct tracepkt_probe_bpf *skel;
	struct bpf_program *p, *want = NULL;
	struct bpf_link *link = NULL;
	char what[96];
	int err;

	skel = tracepkt_probe_bpf__open();
	if (!skel) {
		set(f, false, "open: %s", strerror(errno));
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
		set(f, false, "%s: load: %s", what, strerror(-err));
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
		set(f, false, "%s: attach: %s%s", what, strerror(-err),
		    f == F_TRACEPOINTS && err == -ENOENT ? " (is tracefs mounted?)" : "");
	else
		set(f, true, "%s", what);
out:
	bpf_link__destroy(link);
	tracepkt_probe_bpf__destroy(skel);
}

static void probe_ringbuf(void)
{
	int r = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);

	if (r == 1)
		set(F_RINGBUF, true, "BPF_MAP_TYPE_RINGBUF");
	else
		set(F_RINGBUF, false, "BPF_MAP_TYPE_RINGBUF: %s", r < 0 ? strerror(-r) : "not supported");
}

/* The names tracepkt --drops prints come from the kernel's BTF. */
static void count_drop_reasons(const struct btf *vmlinux)
{
	int id;

	if (!vmlinux) {
		set(F_DROP_REASON_NAMES, false, "no vmlinux BTF");
		return;
	}
	id = btf__find_by_name_kind(vmlinux, "skb_drop_reason", BTF_KIND_ENUM);
	if (id < 0) {
		set(F_DROP_REASON_NAMES, false, "no enum skb_drop_reason in BTF");
		return;
	}
	nreasons = btf_vlen(btf__type_by_id(vmlinux, id));
	set(F_DROP_REASON_NAMES, true, "%u in enum skb_drop_reason", nreasons);
}

struct choice {
	const char *key;	/* TOOL.WHAT */
	const char *use;
	char detail[256];
};

enum { B_POINTS, B_NF, B_DROPS, B_TCDROP, B_XDP, B_MAX };
static struct choice ch[B_MAX];

static void choose(int b, const char *key, const char *use, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void choose(int b, const char *key, const char *use, const char *fmt, ...)
{
	va_list ap;

	ch[b].key = key;
	ch[b].use = use;
	va_start(ap, fmt);
	vsnprintf(ch[b].detail, sizeof(ch[b].detail), fmt, ap);
	va_end(ap);
}

/* What each tool's own selection (tracepkt's start_best and select_points,
 * tcdrop's tcx test) would pick, given the answers above. */
static void choose_backends(bool btf)
{
	if (ans[F_TP_BTF].yes)
		choose(B_POINTS, "tracepkt.tracepoints", "tp_btf", "BTF-typed tracepoints");
	else if (!btf)
		choose(B_POINTS, "tracepkt.tracepoints", "raw_tp", "no kernel BTF");
	else
		choose(B_POINTS, "tracepkt.tracepoints", "none",
		       "tp_btf refused (%s); --raw-tracepoints may work", ans[F_TP_BTF].detail);

	if (ans[F_FEXIT].yes)
		choose(B_NF, "tracepkt.netfilter", "fexit", "real verdicts");
	else if (ans[F_KPROBE].yes)
		choose(B_NF, "tracepkt.netfilter", "kprobe", "real verdicts; fexit: %s",
		       ans[F_FEXIT].detail);
	else if (ans[F_NETFILTER].yes && ans[F_DROP_REASONS].yes)
		choose(B_NF, "tracepkt.netfilter", "nfhook",
		       "verdicts inferred; fexit: %s; kprobe: %s", ans[F_FEXIT].detail,
		       ans[F_KPROBE].detail);
	else
		choose(B_NF, "tracepkt.netfilter", "off", "no backend works here");

	if (ans[F_DROP_REASONS].yes)
		choose(B_DROPS, "tracepkt.drops", "yes", "--drops: skb:kfree_skb with its reason");
	else if (ans[F_TP_BTF].yes)
		choose(B_DROPS, "tracepkt.drops", "noreason",
		       "--drops: skb:kfree_skb without a reason (drop.~UNK~): %s",
		       ans[F_DROP_REASONS].detail);
	else
		choose(B_DROPS, "tracepkt.drops", "no", "--drops: %s", ans[F_DROP_REASONS].detail);

	if (ans[F_TCX].yes)
		choose(B_TCDROP, "tcdrop.attach", "tcx", "tcx link (--legacy: clsact + cls_bpf)");
	else
		choose(B_TCDROP, "tcdrop.attach", "legacy", "clsact + cls_bpf; tcx: %s", ans[F_TCX].detail);

	choose(B_XDP, "xdpblock.attach", "per-device",
	       "native where the device's driver has XDP (veth does), else skb: "
	       "decided at attach, not without a device");
}

static void print_text(const char *release)
{
	printf("kernel %s\n", release);
	for (int f = 0; f < F_MAX; f++)
		printf("feature %-17s %-3s %s\n", feat_names[f], ans[f].yes ? "yes" : "no",
		       ans[f].detail);
	for (int b = 0; b < B_MAX; b++)
		printf("backend %-20s %-10s %s\n", ch[b].key, ch[b].use, ch[b].detail);
}

static void print_json(const char *release)
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
		tpk_json_kbool(&j, "available", ans[f].yes);
		tpk_json_kstring(&j, "detail", ans[f].detail);
		if (f == F_DROP_REASON_NAMES)
			tpk_json_kuint(&j, "count", nreasons);
		tpk_json_object_end(&j);
	}
	tpk_json_object_end(&j);
	tpk_json_key(&j, "backends");
	tpk_json_object(&j);
	for (int b = 0; b < B_MAX; b++) {
		tpk_json_key(&j, ch[b].key);
		tpk_json_object(&j);
		tpk_json_kstring(&j, "use", ch[b].use);
		tpk_json_kstring(&j, "detail", ch[b].detail);
		tpk_json_object_end(&j);
	}
	tpk_json_object_end(&j);
	tpk_json_object_end(&j);
	tpk_json_finish(&j);
}

int tpk_probe_run(bool json)
{
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

	probe_prog(F_TRACEPOINTS, "probe_tracepoint", NULL);
	probe_prog(F_TP_BTF, "probe_tp_btf", NULL);
	probe_ringbuf();
	probe_prog(F_FEXIT, "probe_fexit", func);
	if (tpk_kprobes_usable())
		probe_prog(F_KPROBE, "probe_kprobe", func);
	else
		set(F_KPROBE, false, "no kprobe PMU and no tracefs kprobe_events (no CONFIG_KPROBES)");
	probe_prog(F_NETFILTER, "probe_netfilter", NULL);
	probe_prog(F_TCX, "probe_tcx", NULL);
	probe_prog(F_DROP_REASONS, "probe_drop_reason", NULL);
	count_drop_reasons(vmlinux);
	choose_backends(vmlinux != NULL);
	btf__free(vmlinux);

	uname(&u);
	if (json)
		print_json(u.release);
	else
		print_text(u.release);
	return fflush(stdout) ? TPK_EXIT_FAIL : TPK_EXIT_OK;
}
