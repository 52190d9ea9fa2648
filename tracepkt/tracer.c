// SPDX-License-Identifier: GPL-2.0
/* Start-up: the kernel's offer read once, the best netfilter backend that
 * loads and attaches, and one line on stderr saying which. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "pins.h"
#include "util.h"
#include "backend.h"
#include "inject.h"
#include "tracer.h"
#include "tracepkt.skel.h"

const char *tracer_reason_name(const void *ctx, unsigned int reason)
{
	const struct tracer *t = ctx;

	return tpk_nf_reason_name(&t->nf, reason);
}

/* nfhook events carry where their probe sat; the table is ours to name. */
bool tracer_table_of(const void *ctx, const struct tpk_event *e, struct tpk_fmt_table *ft)
{
	const struct tracer *t = ctx;
	const struct tpk_nf_table *nt;

	if (e->nf_backend != TPK_NF_NFHOOK)
		return false;
	nt = tpk_nfhook_table(&t->hooks, e);
	*ft = nt ? (struct tpk_fmt_table){ nt->table, nt->chain, nt->ncand }
		 : (struct tpk_fmt_table){ "?", "", 1 };
	return true;
}

/* Where a followed packet was dropped for a reason that a tc or XDP
 * program there may have given: the sides of the device to ask. */
static unsigned int lost_sides(const struct tracer *t, unsigned int reason)
{
	const char *name = tpk_nf_reason_name(&t->nf, reason);

	/* veth frees what its XDP program dropped as NOT_SPECIFIED. */
	if (!name || !strcmp(name, "~UNK~") || !strcmp(name, "NOT_SPECIFIED"))
		return TPK_SIDE_INGRESS | TPK_SIDE_EGRESS;
	if (!strncmp(name, "TC_", 3))
		return strstr(name, "EGRESS") ? TPK_SIDE_EGRESS : TPK_SIDE_INGRESS;
	if (!strncmp(name, "XDP", 3))
		return TPK_SIDE_INGRESS;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Did program id just say "drop" at e's device, in a line of its own? */
static bool said_drop(const struct tracer *t, const struct tpk_event *e, unsigned int id, uint64_t now)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(t->dropped); i++) {
		const struct tracer_prog_drop *d = &t->dropped[i];

		if (d->at_ns && now - d->at_ns < 1000000000ULL && d->id == id &&
		    d->netns == e->netns && d->ifindex == (int)e->ifindex)
			return true;
	}
	return false;
}

/* The programs there, less those whose drop verdict was shown. */
static int unsaid(const struct tracer *t, const struct tpk_event *e, const struct tpk_devprogs *all,
		  struct tpk_devprogs *out, uint64_t now)
{
	out->n = 0;
	for (int i = 0; i < all->n; i++)
		if (!said_drop(t, e, all->p[i].id, now))
			out->p[out->n++] = all->p[i];
	return out->n;
}

int tracer_progs_of(const void *ctx, const struct tpk_event *e, struct tpk_devprogs *out)
{
	struct tracer *t = (struct tracer *)ctx;
	unsigned int sides = lost_sides(t, e->drop_reason);
	uint64_t now = now_ns();
	struct tracer_progs_seen *s;

	for (unsigned int i = 0; i < ARRAY_SIZE(t->seen); i++) {
		s = &t->seen[i];
		if (s->at_ns && now - s->at_ns < 1000000000ULL && s->netns == e->netns &&
		    s->ifindex == (int)e->ifindex && s->sides == sides)
			return unsaid(t, e, &s->progs, out, now);
	}
	s = &t->seen[t->seen_next++ % ARRAY_SIZE(t->seen)];
	*s = (struct tracer_progs_seen){ .netns = e->netns, .ifindex = e->ifindex, .sides = sides,
					 .at_ns = now };
	tpk_devprogs_get(e->netns, e->ifindex, sides, &s->progs);
	return unsaid(t, e, &s->progs, out, now);
}

const char *tracer_prog_name(const void *ctx, unsigned int id)
{
	const struct tpk_verdict_target *v = tpk_verdicts_find(&((const struct tracer *)ctx)->verdicts, id);

	return v ? v->name : NULL;
}

void tracer_saw(struct tracer *t, const struct tpk_event *e)
{
	bool drop;

	if (e->kind != TPK_EV_PROG)
		return;
	/* TC_ACT_SHOT; XDP_ABORTED, XDP_DROP */
	drop = e->point == TPK_AT_XDP ? e->verdict == 0 || e->verdict == 1 : e->verdict == 2;
	if (drop)
		t->dropped[t->dropped_next++ % ARRAY_SIZE(t->dropped)] = (struct tracer_prog_drop){
			.netns = e->netns, .ifindex = e->ifindex, .id = e->prog_id, .at_ns = now_ns()
		};
}

/* The initial pid namespace has a fixed inode; in any other, pids differ
 * from the kernel's global ones. */
#define PROC_PID_INIT_INO 0xEFFFFFFCU

static void set_pidns(struct tracepkt_bpf *skel)
{
	struct stat st;

	if (stat("/proc/self/ns/pid", &st) || st.st_ino == PROC_PID_INIT_INO)
		return;
	skel->rodata->pidns_dev = st.st_dev;
	skel->rodata->pidns_ino = st.st_ino;
}

/* The filters, fixed in .rodata before load. */
static void set_filters(struct tracepkt_bpf *skel, const struct tpk_trace_opts *o)
{
	skel->rodata->mode = o->all ? TPK_MODE_ALL : TPK_MODE_PING;
	skel->rodata->filter_proto = o->proto;
	if (o->host_set) {
		skel->rodata->filter_host_ver = o->host.family == AF_INET ? 4 : 6;
		memcpy((void *)skel->rodata->filter_host, o->host.bytes, 16);
	}
	skel->rodata->filter_port = o->port;
	skel->rodata->filter_pcap = o->pcap != NULL;
	set_pidns(skel);
	skel->rodata->filter_netns = o->netns;
	if (o->ifname)
		strncpy((char *)skel->rodata->filter_ifname, o->ifname, TPK_IFNAMSIZ - 1);
}

/* Choose the programs of netfilter backend b and the device tracepoints. */
static struct tpk_why configure(struct tracer *t, enum tpk_nf_backend b)
{
	const struct tpk_trace_opts *o = t->o;
	const struct tpk_points_want w = { o->points, o->points_set, o->verbose };
	struct tpk_why why = tpk_why_err(tpk_points_select(t->skel, &t->points, &w));

	if (why.code == TPK_WHY_OK)
		why = tpk_backend_prepare(t->skel, &t->nf, b, o->drops, !o->no_track);
	if (why.code == TPK_WHY_OK)
		why = tpk_why_err(bpf_map__set_max_entries(t->skel->maps.events, o->ringbuf_size));
	if (why.code == TPK_WHY_OK && o->pcap)
		why = tpk_why_err(tpk_inject_targets(t->skel->obj));
	return why;
}

static int load_attach(struct tracer *t, enum tpk_nf_backend b)
{
	int err = tracepkt_bpf__load(t->skel);

	if (!err)
		err = tracepkt_bpf__attach(t->skel);
	if (!err && tpk_backends[b].attach)
		err = tpk_backends[b].attach(t->skel, &t->hooks);
	return err < 0 ? err : -err;
}

/* Open, configure, load and attach everything for netfilter backend b;
 * t->skel is NULL unless it all worked. */
static struct tpk_why start(struct tracer *t, enum tpk_nf_backend b)
{
	struct tpk_why why;

	t->skel = tracepkt_bpf__open();
	if (!t->skel)
		return tpk_why_err(-errno);
	set_filters(t->skel, t->o);
	why = configure(t, b);
	if (why.code == TPK_WHY_OK)
		why = tpk_why_err(load_attach(t, b));
	if (why.code != TPK_WHY_OK) {
		tracepkt_bpf__destroy(t->skel);
		t->skel = NULL;
	}
	return why;
}

/* One stderr line: which backend, why not a better one. */
static void report_backend(const struct tracer *t)
{
	const struct tpk_nf *nf = &t->nf;
	char extra[sizeof(t->why) + sizeof(nf->missing) + sizeof(nf->unread) + 128] = "";
	enum tpk_nf_backend b = t->backend;
	size_t n = 0;

	if (t->why[0])
		n += snprintf(extra + n, sizeof(extra) - n, "%s", t->why);
	if (nf->missing[0])
		n += snprintf(extra + n, sizeof(extra) - n, "%snot loaded: %s", n ? "; " : "",
			      nf->missing);
	if (nf->unread[0] && b == TPK_NF_KPROBE)
		n += snprintf(extra + n, sizeof(extra) - n, "%snot shown, no BTF for their types: %s",
			      n ? "; " : "", nf->unread);
	fprintf(stderr, "%s: netfilter: %s%s%s%s%s\n", tpk_progname,
		b == TPK_NF_NONE ? "no backend could start, no verdicts" : tpk_nf_backend_name(b),
		tpk_backends[b].inferred ? " (verdicts inferred)" : "",
		n ? " [" : "", extra, n ? "]" : "");
}

/* One stderr line per hook whose later tables no probe follows. */
static void report_unwatched(const char *lines)
{
	for (const char *l = lines; *l;) {
		size_t k = strcspn(l, "\n");

		fprintf(stderr, "%s: nfhook: %.*s\n", tpk_progname, (int)k, l);
		l += k + (l[k] == '\n');
	}
}

/* Start backend b; note why not when it is one that could tell verdicts. */
static struct tpk_why try_start(struct tracer *t, enum tpk_nf_backend b)
{
	struct tpk_why why = start(t, b);

	t->backend = b;
	if (why.code != TPK_WHY_OK && b != TPK_NF_NONE)
		tpk_why_note(t->why, sizeof(t->why), b, why);
	return why;
}

/* The best backend that starts, or the one asked for. */
static struct tpk_why start_best(struct tracer *t)
{
	struct tpk_why why;

	if (t->o->nf_backend >= 0)
		return try_start(t, t->o->nf_backend);
	for (int b = TPK_NF_FEXIT; b < TPK_NF_BACKENDS; b++) {
		why = try_start(t, b);
		if (why.code == TPK_WHY_OK)
			return why;
	}
	return try_start(t, TPK_NF_NONE);
}

/* fexit on the tc and XDP programs there are, where the kernel allows it;
 * where it does not, a dropped packet's LOST line names them. Followed
 * packets only: --no-track has no verdicts. */
static void watch_verdicts(struct tracer *t)
{
	struct tpk_verdicts *v = &t->verdicts;

	if (t->o->no_track)
		return;
	if (tpk_verdicts_start(v, t->skel) > 0)
		t->skel->bss->note_flows = true;
	if (t->o->verbose && v->candidates)
		tpk_note("tc and XDP verdicts: %d of %d programs watched%s%s", v->n, v->candidates,
			 v->why[0] ? "; " : "", v->why);
}

int tracer_start(struct tracer *t, const struct tpk_trace_opts *o)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	bool have_btf = vmlinux != NULL;
	struct tpk_why why;

	*t = (struct tracer){ .o = o, .backend = TPK_NF_NONE };
	if (!vmlinux && o->verbose)
		tpk_note("no kernel BTF; using raw tracepoints");
	tpk_nf_probe(&t->nf, vmlinux);
	tpk_points_probe(&t->points, vmlinux, o->raw_tp);
	btf__free(vmlinux);
	if (o->pcap && tpk_inject_start(o->pcap, o->pcap_n)) {
		tpk_err("cannot set up the filter expression's programs");
		return -1;
	}
	why = start_best(t);
	if (why.code != TPK_WHY_OK) {
		if (t->why[0] && o->nf_backend > TPK_NF_NONE)
			tpk_err("cannot start the %s netfilter backend (%s)",
				tpk_nf_backend_name(o->nf_backend), t->why);
		else if (!have_btf)
			/* CO-RE reads need it even where raw_tp attaches without. */
			tpk_err("cannot load BPF programs: no kernel BTF at /sys/kernel/btf/vmlinux "
				"(tracepkt needs a kernel built with CONFIG_DEBUG_INFO_BTF=y)");
		else
			tpk_err_errno(why.err, "cannot load and attach BPF programs (-v shows libbpf's log)");
		return -1;
	}
	if (o->nf_backend != TPK_NF_NONE)
		report_backend(t);
	if (t->hooks.unwatched)
		report_unwatched(t->hooks.unwatched);
	if (o->drops && !t->nf.free_reason)
		tpk_err("--drops: this kernel's skb:kfree_skb gives no drop reason (5.17+): "
			"drops show as drop.~UNK~");
	watch_verdicts(t);
	return 0;
}

void tracer_stop(struct tracer *t)
{
	uint64_t lost = 0;
	uint32_t zero = 0;

	if (t->skel)
		tpk_percpu_sum(bpf_map__fd(t->skel->maps.lost), &zero, 1, &lost);
	if (lost)
		tpk_warn("%" PRIu64 " events lost: the ring buffer was full (try --ringbuf-size)", lost);
	tpk_nfhook_detach(&t->hooks);
	tpk_nf_free(&t->nf);
	tpk_verdicts_stop(&t->verdicts);
	tracepkt_bpf__destroy(t->skel);
	t->skel = NULL;
	if (t->o && t->o->pcap)
		tpk_inject_stop();
}
