// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "util.h"

#define RULE_WORDS_MAX	8

static bool proto_has_ports(int proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP;
}

int xb_rule_make(const char *addr, const char *proto, const char *port, enum xb_port_dir dir,
		 struct xb_rule *r, char *err, size_t errlen)
{
	bool v4;
	int e;

	memset(r, 0, sizeof(*r));
	r->proto = -1;
	e = tpk_prefix_parse(addr, false, &r->pfx);
	if (e == -EINVAL && !tpk_prefix_parse(addr, true, &r->pfx)) {
		char fix[INET6_ADDRSTRLEN + 8];

		tpk_prefix_str(&r->pfx, fix, sizeof(fix));
		snprintf(err, errlen, "invalid prefix '%s': host bits set (did you mean %s?)", addr, fix);
		return -EINVAL;
	}
	if (e == -ERANGE) {
		snprintf(err, errlen, "invalid prefix length in '%s' (0-32 for IPv4, 0-128 for IPv6)", addr);
		return -EINVAL;
	}
	if (e) {
		snprintf(err, errlen, "invalid address or prefix '%s'", addr);
		return -EINVAL;
	}
	v4 = tpk_addr_is_v4(&r->pfx.addr);
	if (proto && tpk_proto_parse(proto, &r->proto)) {
		snprintf(err, errlen, "invalid protocol '%s' (tcp, udp, sctp, icmp, icmpv6 or 0-255)", proto);
		return -EINVAL;
	}
	/* icmp is the prefix's own family's ICMP, as in tracepkt and tcdrop. */
	if (r->proto == IPPROTO_ICMP && !v4)
		r->proto = IPPROTO_ICMPV6;
	if (r->proto == IPPROTO_ICMPV6 && v4) {
		snprintf(err, errlen, "protocol icmpv6 does not occur over IPv4 (use icmp)");
		return -EINVAL;
	}
	if (port) {
		if (tpk_port_range_parse(port, &r->port)) {
			snprintf(err, errlen, "invalid port '%s' (N or N-M, each 1-65535, N <= M)", port);
			return -EINVAL;
		}
		if (r->proto >= 0 && !proto_has_ports(r->proto)) {
			snprintf(err, errlen, "a port needs protocol tcp, udp or sctp (none means TCP and UDP)");
			return -EINVAL;
		}
		r->port_dir = dir;
	}
	return 0;
}

/* "proto", "--proto" or "--proto=X" (value in *inline_val). */
static const char *option_name(char *word, char **inline_val)
{
	char *eq;

	*inline_val = NULL;
	if (!strncmp(word, "--", 2)) {
		word += 2;
		eq = strchr(word, '=');
		if (eq) {
			*eq = '\0';
			*inline_val = eq + 1;
		}
	}
	return word;
}

static const struct {
	const char *word;
	enum xb_port_dir dir;
} port_words[] = {
	{ "port", XB_PORT_EITHER },
	{ "dport", XB_PORT_DST },
	{ "sport", XB_PORT_SRC },
};

int xb_rule_parse_line(const char *line, struct xb_rule *r, char *err, size_t errlen)
{
	char buf[512], *words[RULE_WORDS_MAX], *save = NULL, *w, *hash;
	const char *proto = NULL, *port = NULL;
	enum xb_port_dir dir = XB_PORT_EITHER;
	int n = 0;

	if (strlen(line) >= sizeof(buf)) {
		snprintf(err, errlen, "line too long");
		return -EINVAL;
	}
	strcpy(buf, line);
	hash = strchr(buf, '#');
	if (hash)
		*hash = '\0';
	for (w = strtok_r(buf, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == RULE_WORDS_MAX) {
			snprintf(err, errlen, "too many words (ADDR[/LEN] [proto P] [port|dport|sport N[-M]])");
			return -EINVAL;
		}
		words[n++] = w;
	}
	if (!n)
		return 0;
	for (int i = 1; i < n; i++) {
		char *val;
		const char *name = option_name(words[i], &val);

		if (!val) {
			if (i + 1 >= n) {
				snprintf(err, errlen, "'%s' needs a value", words[i]);
				return -EINVAL;
			}
			val = words[++i];
		}
		if (!strcmp(name, "proto") && !proto) {
			proto = val;
			continue;
		}
		for (size_t k = 0; !port && k < ARRAY_SIZE(port_words); k++)
			if (!strcmp(name, port_words[k].word)) {
				port = val;
				dir = port_words[k].dir;
			}
		if (port != val) {
			snprintf(err, errlen, "unexpected '%s' (ADDR[/LEN] [proto P] [port|dport|sport N[-M]])",
				 name);
			return -EINVAL;
		}
	}
	if (xb_rule_make(words[0], proto, port, dir, r, err, errlen))
		return -EINVAL;
	return 1;
}

/* One line of a rule file into buf, its comment dropped (a comment may be
 * as long as it likes): 1, 0 at the end of the file, -EINVAL with *why
 * (a NUL byte: not a text file; too long before its comment), or -EIO on a
 * read error (errno set). */
static int line_read(FILE *f, char *buf, size_t size, const char **why)
{
	bool comment = false, any = false;
	size_t n = 0;
	int c;

	while ((c = getc_unlocked(f)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (c == '\0') {
			*why = "a NUL byte (not a text file)";
			return -EINVAL;
		}
		comment |= c == '#';
		if (comment)
			continue;
		if (n + 1 >= size) {
			*why = "line too long";
			return -EINVAL;
		}
		buf[n++] = c;
	}
	buf[n] = '\0';
	if (c == EOF && ferror(f))
		return -EIO;
	return any;
}

int xb_rules_read(const char *path, struct xb_rule **rules, size_t *n)
{
	bool is_stdin = !strcmp(path, "-");
	FILE *f = is_stdin ? stdin : fopen(path, "r");
	struct xb_rule *v = NULL, r;
	size_t cap = 0, count = 0;
	char line[512], err[256];
	const char *why = NULL;
	unsigned int lineno = 0;
	int ret = 0, rd;

	if (!f) {
		ret = -errno;
		tpk_err_errno(ret, "cannot read %s", path);
		/* The file is the user's input: a bad name is a bad command line. */
		return -TPK_EINPUT;
	}
	while ((rd = line_read(f, line, sizeof(line), &why)) > 0) {
		int got;

		lineno++;
		got = xb_rule_parse_line(line, &r, err, sizeof(err));
		if (got < 0) {
			tpk_err("%s line %u: %s", path, lineno, err);
			ret = -TPK_EINPUT;
			break;
		}
		if (!got)
			continue;
		if (count == cap) {
			struct xb_rule *nv;

			cap = cap ? cap * 2 : 256;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				ret = -ENOMEM;
				tpk_err("out of memory");
				break;
			}
			v = nv;
		}
		r.file = path;
		r.line = lineno;
		v[count++] = r;
	}
	if (!ret && rd == -EINVAL) {
		tpk_err("%s line %u: %s", path, lineno + 1, why);
		ret = -TPK_EINPUT;
	} else if (!ret && rd < 0) {
		/* Never taken for the end of the file: the rest would be lost. */
		tpk_err_errno(errno ? -errno : -EIO, "cannot read %s", path);
		ret = -TPK_EINPUT;
	}
	if (!is_stdin)
		fclose(f);
	if (ret) {
		free(v);
		return ret;
	}
	*rules = v;
	*n = count;
	return 0;
}

void xb_rule_key(const struct xb_rule *r, struct xdpb_key *k)
{
	memset(k, 0, sizeof(*k));
	k->prefixlen = r->pfx.len;
	memcpy(k->addr, r->pfx.addr.bytes, tpk_addr_is_v4(&r->pfx.addr) ? 4 : 16);
}

void xb_rule_match(const struct xb_rule *r, struct xdpb_match *m)
{
	memset(m, 0, sizeof(*m));
	if (r->proto >= 0) {
		m->flags |= XDPB_M_PROTO;
		m->proto = r->proto;
	}
	if (r->port_dir) {
		m->flags |= r->port_dir;
		m->port_lo = r->port.lo;
		m->port_hi = r->port.hi;
	}
}

void xb_port_note(const struct xb_rule *rules, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rules[i].port_dir == XB_PORT_EITHER) {
			tpk_note("a port is now the source or the destination port, as in tcdrop "
				 "and tracepkt; dport is the destination only, as port was");
			return;
		}
}

const char *xb_port_word(unsigned int flags)
{
	switch (flags & XB_PORT_EITHER) {
	case XB_PORT_DST: return "dport";
	case XB_PORT_SRC: return "sport";
	default: return "port";
	}
}

void xb_match_str(int family, const struct xdpb_key *k, const struct xdpb_match *m,
		  char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	const char *pname;
	int off;

	tpk_addr_str(family, k->addr, a, sizeof(a));
	off = snprintf(buf, len, "%s/%u", a, k->prefixlen);
	if (m->flags & XDPB_M_PROTO && off >= 0 && (size_t)off < len) {
		pname = tpk_proto_name(m->proto);
		off += pname ? snprintf(buf + off, len - off, " proto %s", pname)
			     : snprintf(buf + off, len - off, " proto %u", m->proto);
	}
	if (m->flags & XB_PORT_EITHER && off >= 0 && (size_t)off < len) {
		const char *word = xb_port_word(m->flags);

		if (m->port_lo == m->port_hi)
			snprintf(buf + off, len - off, " %s %u", word, m->port_lo);
		else
			snprintf(buf + off, len - off, " %s %u-%u", word, m->port_lo, m->port_hi);
	}
}

void xb_rule_str(const struct xb_rule *r, char *buf, size_t len)
{
	struct xdpb_key k;
	struct xdpb_match m;

	xb_rule_key(r, &k);
	xb_rule_match(r, &m);
	xb_match_str(r->pfx.addr.family, &k, &m, buf, len);
}

/* Planning: sort the rules by prefix so each trie entry is read and
 * written once, however many rules of the input share it. */

static int cmp_by_prefix(const void *a, const void *b, void *rules)
{
	const struct xb_rule *base = rules;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	const struct tpk_prefix *pa = &base[ia].pfx, *pb = &base[ib].pfx;
	int c;

	if (pa->addr.family != pb->addr.family)
		return pa->addr.family < pb->addr.family ? -1 : 1;
	if (pa->len != pb->len)
		return pa->len < pb->len ? -1 : 1;
	c = memcmp(pa->addr.bytes, pb->addr.bytes, sizeof(pa->addr.bytes));
	if (c)
		return c;
	return ia < ib ? -1 : ia > ib;	/* input order within a prefix */
}

static bool same_prefix(const struct xb_rule *a, const struct xb_rule *b)
{
	return a->pfx.addr.family == b->pfx.addr.family && a->pfx.len == b->pfx.len &&
	       !memcmp(a->pfx.addr.bytes, b->pfx.addr.bytes, sizeof(a->pfx.addr.bytes));
}

static bool same_match(const struct xdpb_match *a, const struct xdpb_match *b)
{
	return a->flags == b->flags && a->proto == b->proto &&
	       a->port_lo == b->port_lo && a->port_hi == b->port_hi;
}

static int find_match(const struct xdpb_rules *v, const struct xdpb_match *m)
{
	for (uint32_t i = 0; i < v->count && i < XDPB_MAX_MATCHES; i++)
		if (same_match(&v->m[i], m))
			return i;
	return -1;
}

/* "FILE line N: " or "" for a rule from the command line. */
/* The planners' message about rule r, between before and after: "FILE
 * line N: " first where r came from a file. */
static void why_rule(char *buf, size_t len, const struct xb_rule *r, const char *before,
		     const char *after)
{
	char at[320] = "", text[128];

	xb_rule_str(r, text, sizeof(text));
	if (r->file)
		snprintf(at, sizeof(at), "%s line %u: ", r->file, r->line);
	snprintf(buf, len, "%s%s%s%s", at, before, text, after);
}

/* Groups the input by prefix and reads each group's current entry. */
static int plan_groups(const struct xb_rule *rules, size_t n, xb_lookup_fn lookup, void *ctx,
		       struct xb_plan *plan, size_t **order_out, size_t **group_out,
		       char *why, size_t whylen)
{
	size_t *order, *group;
	int err;

	memset(plan, 0, sizeof(*plan));
	order = calloc(n ? n : 1, sizeof(*order));
	group = calloc(n ? n : 1, sizeof(*group));
	plan->u = calloc(n ? n : 1, sizeof(*plan->u));
	plan->ids = calloc(n ? n : 1, sizeof(*plan->ids));
	if (!order || !group || !plan->u || !plan->ids) {
		free(order);
		free(group);
		xb_plan_free(plan);
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(*order), cmp_by_prefix, (void *)rules);
	for (size_t i = 0; i < n; i++) {
		const struct xb_rule *r = &rules[order[i]];
		struct xb_update *u;

		if (i && same_prefix(r, &rules[order[i - 1]])) {
			group[order[i]] = plan->n - 1;
			continue;
		}
		u = &plan->u[plan->n];
		u->family = r->pfx.addr.family;
		xb_rule_key(r, &u->key);
		err = lookup(ctx, u->family, &u->key, &u->old);
		if (err && err != -ENOENT) {
			free(order);
			free(group);
			xb_plan_free(plan);
			snprintf(why, whylen, "cannot read the blocklist: %s", strerror(-err));
			return err;
		}
		u->had_old = !err;
		if (!u->had_old) {
			memset(&u->old, 0, sizeof(u->old));
			u->old.prefixlen = u->key.prefixlen;
		}
		u->new = u->old;
		group[order[i]] = plan->n++;
	}
	*order_out = order;
	*group_out = group;
	return 0;
}

int xb_plan_add(const struct xb_rule *rules, size_t n, uint32_t *next_id,
		xb_lookup_fn lookup, void *ctx, struct xb_plan *plan, char *why, size_t whylen)
{
	size_t *order, *group;
	int *slot, err;
	char what[64];

	err = plan_groups(rules, n, lookup, ctx, plan, &order, &group, why, whylen);
	if (err)
		return err;
	slot = calloc(n ? n : 1, sizeof(*slot));
	if (!slot) {
		snprintf(why, whylen, "out of memory");
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct xb_rule *r = &rules[order[i]];
		struct xdpb_rules *v = &plan->u[group[order[i]]].new;
		struct xdpb_match m;

		xb_rule_match(r, &m);
		if (find_match(v, &m) >= 0) {
			slot[order[i]] = -1;
			plan->skipped++;
			continue;
		}
		if (v->count >= XDPB_MAX_MATCHES) {
			snprintf(what, sizeof(what), ": too many rules for one prefix (at most %d; "
				 "use port ranges)", XDPB_MAX_MATCHES);
			why_rule(why, whylen, r, "", what);
			err = -TPK_EINPUT;
			goto out;
		}
		slot[order[i]] = v->count;
		v->m[v->count++] = m;
	}
	/* Ids in input order, so that `list` shows rules as they were given. */
	for (size_t i = 0; i < n; i++) {
		if (slot[i] < 0)
			continue;
		if (*next_id == UINT32_MAX) {
			snprintf(why, whylen, "rule ids exhausted; flush all rules first");
			err = -ERANGE;
			goto out;
		}
		plan->u[group[i]].new.m[slot[i]].id = *next_id;
		plan->ids[plan->n_ids++] = (*next_id)++;
	}
out:
	free(slot);
	free(order);
	free(group);
	if (err)
		xb_plan_free(plan);
	return err;
}

/* Does an earlier line (in plan order) of the same prefix name the same
 * rule as line order[i]? */
static bool repeated(const struct xb_rule *rules, const size_t *order, const size_t *group, size_t i)
{
	struct xdpb_match m, e;

	xb_rule_match(&rules[order[i]], &m);
	for (size_t k = 0; k < i; k++) {
		if (group[order[k]] != group[order[i]])
			continue;
		xb_rule_match(&rules[order[k]], &e);
		if (e.flags == m.flags && e.proto == m.proto && e.port_lo == m.port_lo &&
		    e.port_hi == m.port_hi)
			return true;
	}
	return false;
}

int xb_plan_remove(const struct xb_rule *rules, size_t n, xb_lookup_fn lookup, void *ctx,
		   struct xb_plan *plan, char *why, size_t whylen)
{
	size_t *order, *group;
	int err;

	err = plan_groups(rules, n, lookup, ctx, plan, &order, &group, why, whylen);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		const struct xb_rule *r = &rules[order[i]];
		struct xdpb_rules *v = &plan->u[group[order[i]]].new;
		struct xdpb_match m;
		int at_slot;

		xb_rule_match(r, &m);
		at_slot = find_match(v, &m);
		if (at_slot < 0 && repeated(rules, order, group, i)) {
			/* The file names it twice: as add notes its repeats. */
			plan->skipped++;
			continue;
		}
		if (at_slot < 0) {
			why_rule(why, whylen, r, "no such rule: ", "");
			err = -TPK_EINPUT;
			break;
		}
		plan->ids[plan->n_ids++] = v->m[at_slot].id;
		memmove(&v->m[at_slot], &v->m[at_slot + 1],
			(v->count - at_slot - 1) * sizeof(v->m[0]));
		v->count--;
		memset(&v->m[v->count], 0, sizeof(v->m[0]));
	}
	free(order);
	free(group);
	if (err)
		xb_plan_free(plan);
	return err;
}

void xb_plan_free(struct xb_plan *plan)
{
	free(plan->u);
	free(plan->ids);
	memset(plan, 0, sizeof(*plan));
}
