/* SPDX-License-Identifier: GPL-2.0 */
/* The tracer: what the command line asks of it, and what it learns and
 * holds from start to exit (the kernel's offer, the backend that started,
 * nfhook's links). */
#ifndef TRACEPKT_TRACER_H
#define TRACEPKT_TRACER_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "format.h"
#include "nf.h"
#include "nfhook.h"
#include "points.h"
#include "verdicts.h"

struct bpf_insn;
struct tracepkt_bpf;

/* What to trace and how: the command line, parsed. */
struct tpk_trace_opts {
	bool all;		/* every matching packet, no ping */
	uint64_t count;		/* 0: unlimited */
	bool json;
	bool timestamp;
	bool verbose;
	int proto;		/* TPK_PROTO_* or IP protocol */
	struct tpk_addr host;
	bool host_set;
	uint16_t port;
	uint64_t netns;
	const char *ifname;
	uint64_t ringbuf_size;
	bool points[TPK_PT_MAX];
	bool points_set;
	int nf_backend;		/* enum tpk_nf_backend, -1: auto */
	bool raw_tp;
	bool drops;
	bool no_track;		/* follow no packet past the filters */
	const struct bpf_insn *pcap;	/* --all's expression in eBPF, or NULL */
	int pcap_n;
};

struct tracer {
	const struct tpk_trace_opts *o;
	struct tracepkt_bpf *skel;
	struct tpk_nf nf;		/* what the kernel offers netfilter tracing */
	struct tpk_kpoints points;	/* ... and device tracing */
	struct tpk_nfhook hooks;	/* nfhook's links and the tables they follow */
	enum tpk_nf_backend backend;	/* the one that started */
	struct tracer_progs_seen {	/* devices asked lately: a drop flood
					 * must not scan namespaces per event */
		uint64_t netns, at_ns;
		int ifindex;
		unsigned int sides;
		struct tpk_devprogs progs;
	} seen[8];
	unsigned int seen_next;
	struct tpk_verdicts verdicts;	/* fexit on tc and XDP programs */
	struct tracer_prog_drop {	/* drop verdicts seen lately: a LOST
					 * line need not name those programs */
		uint64_t netns, at_ns;
		int ifindex;
		unsigned int id;
	} dropped[8];
	unsigned int dropped_next;
	char why[512];			/* why better backends did not start */
};

/* Read what the kernel offers, load and attach the best backend that
 * starts (or the one asked for) and say which on stderr. 0, or -1 once the
 * reason is on stderr. */
int tracer_start(struct tracer *t, const struct tpk_trace_opts *o);
/* Say how many events were lost, detach and free everything. */
void tracer_stop(struct tracer *t);
/* For the formatter (struct tpk_fmt_opts's hooks, ctx = the tracer). */
const char *tracer_reason_name(const void *ctx, unsigned int reason);
bool tracer_table_of(const void *ctx, const struct tpk_event *e, struct tpk_fmt_table *ft);
int tracer_progs_of(const void *ctx, const struct tpk_event *e, struct tpk_devprogs *out);
const char *tracer_prog_name(const void *ctx, unsigned int id);
/* Every event, before it is printed: what a later one depends on. */
void tracer_saw(struct tracer *t, const struct tpk_event *e);

#endif
