// SPDX-License-Identifier: GPL-2.0
/* xdpblock's rule parsing and planning, without the kernel: a fake trie. */
#include <unistd.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "rules.h"
#include "util.h"

/* The fake trie: one prefix, 198.18.0.0/24, already holding two rules. */
static int fake_lookup(void *ctx, int family, const struct xdpb_key *k, struct xdpb_rules *out)
{
	static const uint8_t net[4] = { 198, 18, 0, 0 };

	(void)ctx;
	if (family != AF_INET || k->prefixlen != 24 || memcmp(k->addr, net, 4))
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->prefixlen = 24;
	out->count = 2;
	out->m[0] = (struct xdpb_match){ .id = 7, .flags = XDPB_M_PROTO | XDPB_M_PORT,
					 .proto = 17, .port_lo = 53, .port_hi = 53 };
	out->m[1] = (struct xdpb_match){ .id = 9 };
	return 0;
}

static int make(const char *a, const char *p, const char *port, struct xb_rule *r, char *err)
{
	return xb_rule_make(a, p, port, XB_PORT_EITHER, r, err, 256);
}

static void test_make(void)
{
	struct xb_rule r;
	char err[256], text[128];

	tap_is_int(make("198.18.0.0/24", "udp", "53", &r, err), 0, "prefix, proto and port parse");
	xb_rule_str(&r, text, sizeof(text));
	tap_is_str(text, "198.18.0.0/24 proto udp port 53", "rule text");
	tap_is_int(make("2001:db8::1", NULL, "1000-2000", &r, err), 0, "IPv6 host with a port range");
	xb_rule_str(&r, text, sizeof(text));
	tap_is_str(text, "2001:db8::1/128 port 1000-2000", "IPv6 rule text");
	tap_is_int(make("0.0.0.0/0", NULL, NULL, &r, err), 0, "0.0.0.0/0 is a rule");
	tap_is_int(make("198.18.0.5/24", NULL, NULL, &r, err), -EINVAL, "host bits refused");
	tap_is_str(err, "invalid prefix '198.18.0.5/24': host bits set (did you mean 198.18.0.0/24?)",
		   "host bits message");
	tap_is_int(make("198.18.0.0/33", NULL, NULL, &r, err), -EINVAL, "prefix length 33 refused");
	tap_is_int(make("198.18.0.300", NULL, NULL, &r, err), -EINVAL, "bad address refused");
	tap_is_int(make("198.18.0.1", NULL, "65536", &r, err), -EINVAL, "port 65536 refused");
	tap_is_int(make("198.18.0.1", NULL, "0", &r, err), -EINVAL, "port 0 refused");
	tap_is_int(make("198.18.0.1", NULL, "90-80", &r, err), -EINVAL, "reversed range refused");
	tap_is_int(make("198.18.0.1", "icmp", "80", &r, err), -EINVAL, "port with icmp refused");
	tap_ok(!make("2001:db8::1", "icmp", NULL, &r, err) && r.proto == IPPROTO_ICMPV6,
	       "icmp over IPv6 is ICMPv6 (the prefix's own family's ICMP)");
	tap_is_int(make("198.18.0.1", "icmpv6", NULL, &r, err), -EINVAL, "icmpv6 over IPv4 refused");
	tap_is_int(make("198.18.0.1", "bogus", NULL, &r, err), -EINVAL, "unknown protocol refused");
}

static void test_lines(void)
{
	struct xb_rule r;
	char err[256], text[128];

	tap_is_int(xb_rule_parse_line("  # just a comment\n", &r, err, sizeof(err)), 0, "comment line");
	tap_is_int(xb_rule_parse_line("\n", &r, err, sizeof(err)), 0, "blank line");
	tap_is_int(xb_rule_parse_line("198.18.1.0/24 proto tcp port 80 # web\n", &r, err, sizeof(err)),
		   1, "rule with a comment");
	xb_rule_str(&r, text, sizeof(text));
	tap_is_str(text, "198.18.1.0/24 proto tcp port 80", "its text");
	tap_is_int(xb_rule_parse_line("198.18.1.0/24 --proto=udp --port 5-6", &r, err, sizeof(err)),
		   1, "option spellings");
	xb_rule_str(&r, text, sizeof(text));
	tap_is_str(text, "198.18.1.0/24 proto udp port 5-6", "their text");
	tap_is_int(xb_rule_parse_line("198.18.1.0/24 proto udp dport 53", &r, err, sizeof(err)), 1,
		   "dport");
	xb_rule_str(&r, text, sizeof(text));
	tap_is_str(text, "198.18.1.0/24 proto udp dport 53", "... its text");
	tap_is_int(xb_rule_parse_line("198.18.1.0/24 --sport=1-2", &r, err, sizeof(err)), 1, "sport");
	xb_rule_str(&r, text, sizeof(text));
	tap_is_str(text, "198.18.1.0/24 sport 1-2", "... its text");
	tap_is_int(xb_rule_parse_line("198.18.1.0/24 port 1 dport 2", &r, err, sizeof(err)), -EINVAL,
		   "two port words refused");
	tap_is_int(xb_rule_parse_line("198.18.1.0/24 port", &r, err, sizeof(err)), -EINVAL,
		   "missing value refused");
	tap_is_int(xb_rule_parse_line("198.18.1.0/24 color red", &r, err, sizeof(err)), -EINVAL,
		   "unknown word refused");
}

static void test_plan(void)
{
	struct xb_rule r[4];
	struct xb_plan p;
	uint32_t next = 10;
	char err[256];

	make("198.18.0.0/24", "tcp", "80", &r[0], err);
	make("198.18.0.0/24", NULL, NULL, &r[1], err);		/* present, id 9 */
	make("2001:db8::/32", NULL, NULL, &r[2], err);
	make("198.18.0.0/24", "tcp", "80", &r[3], err);		/* twice in the input */
	tap_is_int(xb_plan_add(r, 4, &next, fake_lookup, NULL, &p, err, sizeof(err)), 0, "plan add");
	tap_is_int(p.n, 2, "two trie entries to write");
	tap_is_int(p.n_ids, 2, "two new rules");
	tap_is_int(p.skipped, 2, "two skipped (present, repeated)");
	tap_is_int(next, 12, "ids handed out in order");
	tap_ok(p.u[0].family == AF_INET && p.u[0].had_old && p.u[0].new.count == 3,
	       "IPv4 entry keeps its rules and gains one");
	tap_is_int(p.u[0].new.m[2].id, 10, "first input rule gets the first id");
	tap_ok(p.u[1].family == AF_INET6 && !p.u[1].had_old && p.u[1].new.count == 1 &&
	       p.u[1].new.prefixlen == 32, "new IPv6 entry");
	xb_plan_free(&p);

	tap_is_int(xb_plan_remove(&r[1], 1, fake_lookup, NULL, &p, err, sizeof(err)), 0, "plan remove");
	tap_ok(p.n == 1 && p.n_ids == 1 && p.ids[0] == 9 && p.u[0].new.count == 1 &&
	       p.u[0].new.m[0].id == 7, "remove takes out id 9 and keeps id 7");
	xb_plan_free(&p);
	tap_is_int(xb_plan_remove(&r[2], 1, fake_lookup, NULL, &p, err, sizeof(err)), -TPK_EINPUT,
		   "removing a missing rule is the input's fault");
	tap_is_str(err, "no such rule: 2001:db8::/32", "... and says which, printing nothing");
}

static void test_limit(void)
{
	struct xb_rule r[XDPB_MAX_MATCHES];
	struct xb_plan p;
	uint32_t next = 1;
	char err[256], port[8];

	for (int i = 0; i < XDPB_MAX_MATCHES; i++) {
		snprintf(port, sizeof(port), "%d", 1000 + i);
		make("198.18.0.0/24", "tcp", port, &r[i], err);
	}
	/* Two are there already, so 16 more overflow the prefix. */
	tap_is_int(xb_plan_add(r, XDPB_MAX_MATCHES, &next, fake_lookup, NULL, &p, err, sizeof(err)),
		   -TPK_EINPUT, "more than XDPB_MAX_MATCHES rules on a prefix refused");
	tap_is_str(err, "198.18.0.0/24 proto tcp port 1014: too many rules for one prefix "
		   "(at most 16; use port ranges)", "... with the rule that overflows");
	tap_is_int(xb_plan_add(r, XDPB_MAX_MATCHES - 2, &next, fake_lookup, NULL, &p, err, sizeof(err)), 0,
		   "exactly XDPB_MAX_MATCHES fit");
	tap_is_int(p.u[0].new.count, XDPB_MAX_MATCHES, "the prefix is full");
	xb_plan_free(&p);
}

/* read_text TEXT LEN: xb_rules_read of a file holding those bytes. */
static int read_text(const char *text, size_t len, size_t *n)
{
	char path[] = "/tmp/xdpblock-rules.XXXXXX";
	struct xb_rule *v = NULL;
	int fd = mkstemp(path), ret;

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return -EIO;
	close(fd);
	*n = 0;
	ret = xb_rules_read(path, &v, n);
	unlink(path);
	free(v);
	return ret;
}

static void test_files(void)
{
	static const char nul[] = "198.18.0.1\n198.18.210.1\0 port 80\n";
	char longc[4096];
	size_t n;

	tap_is_int(read_text(nul, sizeof(nul) - 1, &n), -TPK_EINPUT, "a NUL byte in a line: refused, not cut");
	memset(longc, 'x', sizeof(longc));
	memcpy(longc, "198.18.0.1 port 80 # ", 21);
	longc[sizeof(longc) - 1] = '\n';
	tap_is_int(read_text(longc, sizeof(longc), &n), 0, "a rule with a 4 KiB comment: read");
	tap_is_int((int)n, 1, "... as one rule");
	memset(longc, '1', sizeof(longc));
	tap_is_int(read_text(longc, sizeof(longc), &n), -TPK_EINPUT, "4 KiB before any comment: too long");
	tap_is_int(xb_rules_read("/dev/zero", &(struct xb_rule *){ NULL }, &n), -TPK_EINPUT,
		   "/dev/zero: refused at its first byte, not 0 rules");
	tap_is_int(xb_rules_read("/proc/self/mem", &(struct xb_rule *){ NULL }, &n), -TPK_EINPUT,
		   "a read error: refused, never taken for the end of the file");
}

static void test_vis(void)
{
	char buf[64];

	tap_is_str(tpk_vis("198.18.0.1 \033[31mred\x7f\tx", buf, sizeof(buf)),
		   "198.18.0.1 \\x1b[31mred\\x7f\\x09x", "control bytes shown as \\xNN, never sent raw");
	tap_is_str(tpk_vis("\033\033\033\033\033\033\033\033\033\033\033\033\033", buf, 16),
		   "\\x1b\\x1b\\x1b", "cut at a whole escape when the buffer is short");
}

int main(void)
{
	tpk_progname = "xdpblock";
	tap_plan(53);
	test_make();
	test_lines();
	test_plan();
	test_limit();
	test_files();
	test_vis();
	return tap_exit();
}
