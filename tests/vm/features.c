// SPDX-License-Identifier: GPL-2.0
/* features: which kernel features the tools rely on does this kernel really
 * give? Each is loaded and attached, not looked up, one at a time, in a
 * network namespace of its own (tcx and netfilter hooks then touch nothing
 * of the caller's). One line per feature:
 *	feature NAME yes|no DETAIL
 * The kernel matrix (tests/vm/matrix) runs it on every kernel and builds its
 * table from these lines. Exit status 0 unless it could not run at all. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/netfilter.h>

#include "features.skel.h"
#include "util.h"

enum how { ATTACH, NETFILTER, TCX };

struct feature {
	const char *name;
	const char *prog;	/* program name in features.bpf.c */
	enum how how;
	const char *symbol;	/* attach target ... */
	const char *module;	/* ... in this module when not built in */
};

static const struct feature features[] = {
	{ "tracepoints", "probe_tracepoint", ATTACH, NULL, NULL },
	{ "tp_btf", "probe_tp_btf", ATTACH, NULL, NULL },
	{ "fexit", "probe_fexit", ATTACH, "ipt_do_table", "ip_tables" },
	{ "kprobe", "probe_kprobe", ATTACH, "ipt_do_table", "ip_tables" },
	{ "netfilter_link", "probe_netfilter", NETFILTER, NULL, NULL },
	{ "tcx", "probe_tcx", TCX, NULL, NULL },
	{ "drop_reasons", "probe_drop_reason", ATTACH, NULL, NULL },
};

static void say(const char *name, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(const char *name, bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("feature %-17s %-3s ", name, ok ? "yes" : "no");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* A module's functions reach kallsyms only once the module is loaded. */
static bool in_kallsyms(const char *sym)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char name[256];
	bool found = false;

	if (!f)
		return true; /* cannot tell: no hint */
	while (!found && fscanf(f, "%*s %*s %255s%*[^\n]", name) == 1)
		found = strcmp(name, sym) == 0;
	fclose(f);
	return found;
}

static void probe_prog(const struct feature *f)
{
	LIBBPF_OPTS(bpf_netfilter_opts, nf, .pf = NFPROTO_IPV4, .hooknum = NF_INET_LOCAL_IN);
	struct features_bpf *skel;
	struct bpf_program *p, *want = NULL;
	struct bpf_link *link = NULL;
	char hint[96] = "";
	int err;

	if (f->module && !in_kallsyms(f->symbol))
		snprintf(hint, sizeof(hint), " (%s not in the kernel: modprobe %s)", f->symbol, f->module);
	skel = features_bpf__open();
	if (!skel) {
		say(f->name, false, "open: %s", strerror(errno));
		return;
	}
	bpf_object__for_each_program(p, skel->obj) {
		int mine = strcmp(bpf_program__name(p), f->prog) == 0;

		bpf_program__set_autoload(p, mine);
		if (mine)
			want = p;
	}
	err = features_bpf__load(skel);
	if (err) {
		say(f->name, false, "%s: load: %s%s", bpf_program__section_name(want),
		    strerror(-err), hint);
		goto out;
	}
	switch (f->how) {
	case ATTACH:
		link = bpf_program__attach(want);
		break;
	case NETFILTER:
		link = bpf_program__attach_netfilter(want, &nf);
		break;
	case TCX:
		link = bpf_program__attach_tcx(want, (int)if_nametoindex("lo"), NULL);
		break;
	}
	err = link ? 0 : -errno;
	if (err)
		say(f->name, false, "%s: attach: %s%s", bpf_program__section_name(want),
		    strerror(-err), hint);
	else
		say(f->name, true, "%s", bpf_program__section_name(want));
out:
	bpf_link__destroy(link);
	features_bpf__destroy(skel);
}

static void probe_ringbuf(void)
{
	int r = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);

	say("ringbuf", r == 1, "BPF_MAP_TYPE_RINGBUF%s%s", r == 1 ? "" : ": ",
	    r == 1 ? "" : r < 0 ? strerror(-r) : "not supported");
}

/* How many drop reasons the kernel names (enum skb_drop_reason in BTF). */
static void count_drop_reasons(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int id;

	if (!btf) {
		say("drop_reason_names", false, "no vmlinux BTF: %s", strerror(errno));
		return;
	}
	id = btf__find_by_name_kind(btf, "skb_drop_reason", BTF_KIND_ENUM);
	if (id < 0)
		say("drop_reason_names", false, "no enum skb_drop_reason in BTF");
	else
		say("drop_reason_names", true, "%u in enum skb_drop_reason",
		    btf_vlen(btf__type_by_id(btf, id)));
	btf__free(btf);
}

int main(int argc, char **argv)
{
	struct utsname u;
	size_t i;

	tpk_progname = "features";
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("usage: features [-v]\n"
		       "Load and attach one tiny BPF program per feature the tracepkt tools\n"
		       "use; print 'feature NAME yes|no DETAIL' lines. -v: libbpf's log.\n");
		return TPK_EXIT_OK;
	}
	tpk_libbpf_setup(argc > 1 && strcmp(argv[1], "-v") == 0);
	if (tpk_require_root())
		return TPK_EXIT_FAIL;
	if (unshare(CLONE_NEWNET)) {
		tpk_err_errno(errno, "unshare(CLONE_NEWNET)");
		return TPK_EXIT_FAIL;
	}
	uname(&u);
	printf("kernel %s\n", u.release);
	for (i = 0; i < ARRAY_SIZE(features); i++) {
		probe_prog(&features[i]);
		if (strcmp(features[i].name, "tp_btf") == 0)
			probe_ringbuf();
	}
	count_drop_reasons();
	return TPK_EXIT_OK;
}
