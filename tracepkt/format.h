/* SPDX-License-Identifier: GPL-2.0 */
/* Turning events into the lines tracepkt.py printed, and into JSON. */
#ifndef TRACEPKT_FORMAT_H
#define TRACEPKT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "tracepkt.h"

struct tpk_fmt_opts {
	bool timestamp;		/* prefix seconds since ts_base */
	__u64 ts_base;		/* ns; 0: set from the first event */
	/* Name of a drop reason value, NULL when unknown. */
	const char *(*reason_name)(unsigned int reason);
};

/* Python: "%14s %16s %7s %-34s %s" % ('NETWORK NS', 'INTERFACE', 'TYPE', 'ADDRESSES', 'IPTABLES') */
int tpk_fmt_header(char *buf, size_t len, const struct tpk_fmt_opts *o);
/* Python: "[%12s] %16s %7s %-34s%s" % (netns, ifname, direction, flow, iptables) */
int tpk_fmt_line(char *buf, size_t len, const struct tpk_event *e, struct tpk_fmt_opts *o);
/* One JSON object, every field, no newline. */
int tpk_fmt_json(char *buf, size_t len, const struct tpk_event *e, struct tpk_fmt_opts *o);

/* Python's HOOKNAMES / NF_VERDICT_NAME with "~UNK~" outside them. */
const char *tpk_hook_name(unsigned int hook);
const char *tpk_verdict_name(int verdict);
/* "request", "reply", or the protocol for anything but an echo. */
const char *tpk_direction(const struct tpk_event *e);

#endif
