/* SPDX-License-Identifier: GPL-2.0 */
/* Turning events into the lines tracepkt.py printed, and into JSON. */
#ifndef TRACEPKT_FORMAT_H
#define TRACEPKT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "devprogs.h"
#include "nfnames.h"
#include "tracepkt.h"

/* A netfilter line's table as user space knows it (nfhook: from where the
 * probe sat): several candidates where the probes could not tell them
 * apart, '|' between their names. */
struct tpk_fmt_table {
	const char *table;
	const char *chain;
	unsigned int ncand;
};

struct tpk_fmt_opts {
	bool timestamp;		/* seconds since ts_base: a prefix, a JSON field */
	__u64 ts_base;		/* ns; 0: set from the first event */
	/* Name of a drop reason value, NULL when unknown. */
	const char *(*reason_name)(const void *ctx, unsigned int reason);
	/* Fills *t for a netfilter event whose table the event itself does not
	 * name; false: use the event's. */
	bool (*table_of)(const void *ctx, const struct tpk_event *e, struct tpk_fmt_table *t);
	/* The tc and XDP programs a LOST event's device had; how many. */
	int (*progs_of)(const void *ctx, const struct tpk_event *e, struct tpk_devprogs *out);
	/* A PROG event's program name, NULL when unknown. */
	const char *(*prog_name)(const void *ctx, unsigned int id);
	const void *ctx;	/* what the tracer knows, for all of them */
};

/* Python: "%14s %16s %7s %-34s %s" % ('NETWORK NS', 'INTERFACE', 'TYPE', 'ADDRESSES', 'IPTABLES') */
int tpk_fmt_header(char *buf, size_t len, const struct tpk_fmt_opts *o);
/* Python: "[%12s] %16s %7s %-34s%s" % (netns, ifname, direction, flow, iptables).
 * -1, nothing written, for a LOST event where no tc or XDP program was. */
int tpk_fmt_line(char *buf, size_t len, const struct tpk_event *e, struct tpk_fmt_opts *o);
/* One JSON object, every field, then a newline; -1 and nothing as above. */
int tpk_fmt_json(FILE *f, const struct tpk_event *e, struct tpk_fmt_opts *o);

/* A tc (at, enum tpk_prog_at, not TPK_AT_XDP) or XDP return value's name,
 * or NULL. */
const char *tpk_prog_verdict_name(int at, int ret);
/* "xdp", "tc.ingress", "tc.egress" */
const char *tpk_prog_at_name(int at);

/* "request", "reply", or the protocol for anything but an echo. */
const char *tpk_direction(const struct tpk_event *e);

#endif
