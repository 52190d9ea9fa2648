/* SPDX-License-Identifier: GPL-2.0 */
/* Rules as users write them, and the map updates that add or remove them. */
#ifndef XDPBLOCK_RULES_H
#define XDPBLOCK_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "xdpblock.h"

/* Which port of a packet a rule's range is about (xdpb_match.flags bits). */
enum xb_port_dir {
	XB_PORT_EITHER = XDPB_M_PORT | XDPB_M_SPORT,	/* --port: source or destination */
	XB_PORT_DST = XDPB_M_PORT,			/* --dport */
	XB_PORT_SRC = XDPB_M_SPORT,			/* --sport */
};

struct xb_rule {
	struct tpk_prefix pfx;
	int proto;			/* -1: any */
	unsigned int port_dir;		/* enum xb_port_dir, 0: no port */
	struct tpk_port_range port;
	const char *file;		/* its rule file, NULL on the command line */
	unsigned int line;
};

/* A rule from its parts; proto and port may be NULL (any); dir says which
 * port the range is about. On error, a message without the program name
 * goes to err and -EINVAL is returned. */
int xb_rule_make(const char *addr, const char *proto, const char *port, enum xb_port_dir dir,
		 struct xb_rule *r, char *err, size_t errlen);
/* One line of a rule file: "ADDR[/LEN] [[--]proto P] [[--](port|dport|sport)
 * N[-M]]", '#' starts a comment. 1: a rule, 0: nothing on the line,
 * -EINVAL. */
int xb_rule_parse_line(const char *line, struct xb_rule *r, char *err, size_t errlen);
/* Every rule of a file ("-": stdin). Prints "FILE line N: ..." and returns
 * -TPK_EINPUT on the first bad line, and when it cannot be read (the user
 * named it: a bad command line); -ENOMEM. */
int xb_rules_read(const char *path, struct xb_rule **rules, size_t *n);

void xb_rule_key(const struct xb_rule *r, struct xdpb_key *k);
void xb_rule_match(const struct xb_rule *r, struct xdpb_match *m);
/* "198.18.0.0/24 proto udp dport 53": what a rule file line would say. */
void xb_match_str(int family, const struct xdpb_key *k, const struct xdpb_match *m,
		  char *buf, size_t len);
void xb_rule_str(const struct xb_rule *r, char *buf, size_t len);
/* One release's note, when rules that took effect have a "port" (--port,
 * or a rule file's port): it no longer means the destination only. */
void xb_port_note(const struct xb_rule *rules, size_t n);
/* "port" (either), "dport" or "sport", for a match's flags. */
const char *xb_port_word(unsigned int flags);

/* One trie entry to write: new.count == 0 deletes it. */
struct xb_update {
	int family;
	struct xdpb_key key;
	bool had_old;
	struct xdpb_rules old;
	struct xdpb_rules new;
};

struct xb_plan {
	struct xb_update *u;
	size_t n;
	uint32_t *ids;		/* rule ids that appear (add) or go (remove) */
	size_t n_ids;
	size_t skipped;		/* add: rules already present; remove: named twice */
};

/* Reads the trie entry of exactly this prefix: 0, -ENOENT, or -errno. */
typedef int (*xb_lookup_fn)(void *ctx, int family, const struct xdpb_key *k,
			    struct xdpb_rules *out);

/* The planners print nothing: on failure they write one line into why, as
 * xb_rule_make does, and return -TPK_EINPUT when the rules are at fault,
 * else -errno. */
/* Plans adding rules; new ids come from *next_id, in input order. Rules
 * already present are skipped. A prefix that would carry more than
 * XDPB_MAX_MATCHES rules is the input's fault. */
int xb_plan_add(const struct xb_rule *rules, size_t n, uint32_t *next_id,
		xb_lookup_fn lookup, void *ctx, struct xb_plan *plan, char *why, size_t whylen);
/* Plans removing rules; every one must exist. */
int xb_plan_remove(const struct xb_rule *rules, size_t n, xb_lookup_fn lookup, void *ctx,
		   struct xb_plan *plan, char *why, size_t whylen);
void xb_plan_free(struct xb_plan *plan);

#endif
