// SPDX-License-Identifier: GPL-2.0
/* The XDP program itself, fed hand-made frames with BPF_PROG_TEST_RUN:
 * VLAN tags, IPv6 extension headers, fragments, ports, the walk to shorter
 * prefixes, cut-short frames (never XDP_ABORTED), and the counters. Rules go
 * in through xdpblock's own state code, on fresh maps that are not pinned. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tap.h"
#include "state.h"
#include "util.h"
#include "xdpblock.skel.h"

struct frame {
	uint8_t b[512];
	size_t len;
};

static int prog_fd;
static struct xb_state st;

/* What goes in a frame; zeroed fields mean "none". */
struct spec {
	uint16_t tags[3];		/* outer first; 0x88a8 or 0x8100 each */
	const char *src;		/* IPv4 or IPv6 source */
	uint8_t proto;
	uint16_t sport;			/* 0: 40000 */
	uint16_t dport;
	uint16_t frag;			/* IPv4 frag_off or IPv6 fragment offset field */
	uint8_t ext[6];			/* IPv6 extension headers, in order */
	int n_ext;
	uint16_t ethertype;		/* instead of IP */
};

static void put(struct frame *f, const void *p, size_t n)
{
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static void put16(struct frame *f, uint16_t v)
{
	v = htons(v);
	put(f, &v, 2);
}

static void build(struct frame *f, const struct spec *s)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };
	uint8_t src[16] = { 0 }, dst[16] = { 0 }, zero[8] = { 0 };
	bool v6 = s->src && strchr(s->src, ':');
	size_t i;

	f->len = 0;
	put(f, macs, sizeof(macs));
	for (i = 0; i < 3 && s->tags[i]; i++) {
		put16(f, s->tags[i]);
		put16(f, 100 + i);	/* TCI: the VLAN id */
	}
	if (s->ethertype) {
		put16(f, s->ethertype);
		put(f, zero, 8);
		return;
	}
	put16(f, v6 ? 0x86dd : 0x0800);
	inet_pton(v6 ? AF_INET6 : AF_INET, s->src, src);
	inet_pton(v6 ? AF_INET6 : AF_INET, v6 ? "2001:db8::1" : "198.19.0.1", dst);
	if (!v6) {
		uint8_t ip[20] = { 0x45, 0, 0, 40, 0, 0 };

		ip[6] = s->frag >> 8;
		ip[7] = s->frag & 0xff;
		ip[8] = 64;
		ip[9] = s->proto;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		put(f, ip, sizeof(ip));
	} else {
		uint8_t ip[8] = { 0x60, 0, 0, 0, 0, 16, s->n_ext ? s->ext[0] : s->proto, 64 };

		put(f, ip, sizeof(ip));
		put(f, src, 16);
		put(f, dst, 16);
		for (i = 0; i < (size_t)s->n_ext; i++) {
			uint8_t next = i + 1 < (size_t)s->n_ext ? s->ext[i + 1] : s->proto;
			uint8_t h[8] = { next, 0 };

			if (s->ext[i] == 44) {	/* fragment: offset and M flag */
				h[2] = s->frag >> 8;
				h[3] = s->frag & 0xff;
			}
			put(f, h, sizeof(h));
		}
	}
	put16(f, s->sport ? s->sport : 40000);
	put16(f, s->dport);
	put(f, zero, 8);
}

static int run(const struct frame *f, size_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b, .data_size_in = len, .repeat = 1);

	if (bpf_prog_test_run_opts(prog_fd, &o))
		return -errno;
	return o.retval;
}

static int verdict(const struct spec *s)
{
	struct frame f;

	build(&f, s);
	return run(&f, f.len);
}

static int add_dir(const char *addr, const char *proto, const char *port, enum xb_port_dir dir)
{
	struct xb_rule r;
	char err[256];
	size_t added, skipped;

	if (xb_rule_make(addr, proto, port, dir, &r, err, sizeof(err))) {
		printf("# %s\n", err);
		return -EINVAL;
	}
	return xb_state_add(&st, &r, 1, &added, &skipped);
}

static int add(const char *addr, const char *proto, const char *port)
{
	return add_dir(addr, proto, port, XB_PORT_DST);
}

static int del_dir(const char *addr, const char *proto, const char *port, enum xb_port_dir dir)
{
	struct xb_rule r;
	char err[256];

	if (xb_rule_make(addr, proto, port, dir, &r, err, sizeof(err)))
		return -EINVAL;
	return xb_state_remove(&st, &r, 1, &(size_t){ 0 }, &(size_t){ 0 });
}

static int del(const char *addr, const char *proto, const char *port)
{
	return del_dir(addr, proto, port, XB_PORT_DST);
}

/* Packets and bytes a rule has counted, found by its text in list order. */
static struct xdpb_counter counted(const char *prefix)
{
	struct xdpb_counter c = { 0 };
	struct xb_row *rows;
	size_t n;
	char a[INET6_ADDRSTRLEN + 8];

	if (xb_state_rows(&st, &rows, &n))
		return c;
	for (size_t i = 0; i < n; i++) {
		tpk_addr_str(rows[i].family, rows[i].key.addr, a, sizeof(a));
		snprintf(a + strlen(a), sizeof(a) - strlen(a), "/%u", rows[i].key.prefixlen);
		if (!strcmp(a, prefix))
			c = rows[i].c;
	}
	free(rows);
	return c;
}

static void test_vlans(void)
{
	struct spec s = { .src = "198.18.0.2", .proto = 17, .dport = 53 };
	struct frame f;
	bool never_aborted = true, short_passes = true;
	size_t full, ip_end;

	tap_is_int(verdict(&s), XDP_PASS, "no rules: pass");
	tap_is_int(add("198.18.0.2", NULL, NULL), 0, "block 198.18.0.2");
	tap_is_int(verdict(&s), XDP_DROP, "untagged: drop");
	s.src = "198.18.0.3";
	tap_is_int(verdict(&s), XDP_PASS, "another source: pass");
	s.src = "198.18.0.2";
	s.tags[0] = 0x8100;
	tap_is_int(verdict(&s), XDP_DROP, "802.1Q: drop");
	s.tags[0] = 0x88a8;
	s.tags[1] = 0x8100;
	tap_is_int(verdict(&s), XDP_DROP, "802.1ad + 802.1Q: drop");
	s.tags[2] = 0x8100;
	tap_is_int(verdict(&s), XDP_PASS, "three tags: not parsed, pass");
	s.tags[2] = 0;

	/* Every cut of a double-tagged frame. */
	build(&f, &s);
	full = f.len;
	ip_end = 14 + 8 + 20;
	for (size_t len = 14; len <= full; len++) {
		int v = run(&f, len);

		if (v != XDP_PASS && v != XDP_DROP)
			never_aborted = false;
		if (len < ip_end && v != XDP_PASS)
			short_passes = false;
	}
	tap_ok(never_aborted, "frames cut anywhere: pass or drop, never aborted");
	tap_ok(short_passes, "frames cut inside the IP header pass");
	tap_is_int(del("198.18.0.2", NULL, NULL), 0, "unblock 198.18.0.2");
	tap_is_int(verdict(&s), XDP_PASS, "unblocked: pass");
}

/* The verdict on s with this protocol and destination port. */
static void expect(struct spec *s, uint8_t proto, uint16_t dport, int want, const char *desc)
{
	s->proto = proto;
	s->dport = dport;
	tap_is_int(verdict(s), want, desc);
}

static void test_ports(void)
{
	struct spec s = { .src = "198.18.1.7" };
	struct xdpb_counter c;

	tap_is_int(add("198.18.1.0/24", "udp", "53"), 0, "block 198.18.1.0/24 udp 53");
	expect(&s, 17, 53, XDP_DROP, "udp 53: drop");
	expect(&s, 17, 54, XDP_PASS, "udp 54: pass");
	expect(&s, 6, 53, XDP_PASS, "tcp 53: pass");
	s.frag = 0x2000;	/* more fragments, offset 0: the ports are here */
	expect(&s, 17, 53, XDP_DROP, "first fragment: drop");
	s.frag = 0x0010;
	expect(&s, 17, 53, XDP_PASS, "later fragment (no ports): pass");
	s.frag = 0;
	tap_is_int(add("198.18.1.7", "tcp", "22"), 0, "a longer prefix with another rule");
	expect(&s, 17, 53, XDP_DROP, "udp 53 still dropped by the /24");
	c = counted("198.18.1.0/24");
	tap_ok(c.packets == 3 && c.bytes == 3 * (14 + 20 + 4 + 8),
	       "the /24 rule counted its 3 drops and their bytes");
	tap_is_int((long long)counted("198.18.1.7/32").packets, 0, "the /32 rule counted none");

	tap_is_int(add("198.18.2.0/24", NULL, "80-81"), 0, "block 198.18.2.0/24 ports 80-81");
	s.src = "198.18.2.9";
	expect(&s, 6, 81, XDP_DROP, "tcp 81: drop");
	expect(&s, 17, 80, XDP_DROP, "udp 80: drop");
	expect(&s, 132, 80, XDP_PASS, "sctp 80: pass (no protocol means tcp and udp)");
	expect(&s, 6, 82, XDP_PASS, "tcp 82: pass");
}

/* --port, --dport, --sport on both programs: bpf_loop's and the bounded
 * walk of kernels before 5.17, which tests the ranges without a branch. */
static void test_port_dirs(int loop_fd, int bounded_fd)
{
	static const struct {
		const char *name;
		enum xb_port_dir dir;
		int to53, from53;	/* verdicts: dport 53, sport 53 */
	} dirs[] = {
		{ "dport", XB_PORT_DST, XDP_DROP, XDP_PASS },
		{ "sport", XB_PORT_SRC, XDP_PASS, XDP_DROP },
		{ "port", XB_PORT_EITHER, XDP_DROP, XDP_DROP },
	};
	struct spec s = { .src = "198.18.3.7", .proto = 17 };
	char desc[96];

	for (size_t d = 0; d < 3; d++) {
		add_dir("198.18.3.0/24", "udp", "53", dirs[d].dir);
		for (int p = 0; p < 2; p++) {
			const char *which = p ? "bounded" : "bpf_loop";

			prog_fd = p ? bounded_fd : loop_fd;
			s.sport = 0, s.dport = 53;
			snprintf(desc, sizeof(desc), "%s 53, %s: to port 53", dirs[d].name, which);
			tap_is_int(verdict(&s), dirs[d].to53, desc);
			s.sport = 53, s.dport = 40001;
			snprintf(desc, sizeof(desc), "%s 53, %s: from port 53", dirs[d].name, which);
			tap_is_int(verdict(&s), dirs[d].from53, desc);
			s.sport = 54, s.dport = 54;
			snprintf(desc, sizeof(desc), "%s 53, %s: neither", dirs[d].name, which);
			tap_is_int(verdict(&s), XDP_PASS, desc);
		}
		del_dir("198.18.3.0/24", "udp", "53", dirs[d].dir);
	}
	prog_fd = loop_fd;
}

static void set_ext(struct spec *s, const uint8_t *ext, int n)
{
	memset(s->ext, 0, sizeof(s->ext));
	if (n)
		memcpy(s->ext, ext, n);
	s->n_ext = n;
}

static void test_ipv6(void)
{
	struct spec s = { .src = "2001:db8:5::7", .proto = 17, .dport = 9000 };

	tap_is_int(verdict(&s), XDP_PASS, "IPv6, no rule: pass");
	tap_is_int(add("2001:db8:5::/48", "udp", "9000"), 0, "block 2001:db8:5::/48 udp 9000");
	tap_is_int(verdict(&s), XDP_DROP, "IPv6 udp 9000: drop");
	s.tags[0] = 0x8100;
	tap_is_int(verdict(&s), XDP_DROP, "tagged IPv6: drop");
	s.tags[0] = 0;
	set_ext(&s, (uint8_t[]){ 0, 43, 60 }, 3);
	tap_is_int(verdict(&s), XDP_DROP, "behind hop-by-hop, routing, destination options: drop");
	set_ext(&s, (uint8_t[]){ 51 }, 1);
	tap_is_int(verdict(&s), XDP_DROP, "behind an authentication header: drop");
	set_ext(&s, (uint8_t[]){ 44 }, 1);
	s.frag = 1;	/* offset 0, more fragments */
	tap_is_int(verdict(&s), XDP_DROP, "first fragment: drop");
	s.frag = 8 << 3;
	tap_is_int(verdict(&s), XDP_PASS, "later fragment: pass");
	s.frag = 0;
	set_ext(&s, (uint8_t[]){ 60, 60, 60, 60, 60 }, 5);
	tap_is_int(verdict(&s), XDP_PASS, "five extension headers: given up, pass");
	set_ext(&s, NULL, 0);
	s.dport = 9001;
	tap_is_int(verdict(&s), XDP_PASS, "IPv6 udp 9001: pass");
	tap_is_int(add("::/0", NULL, NULL), 0, "block ::/0");
	s.src = "2001:db8:ffff::1";
	s.proto = 6;
	tap_is_int(verdict(&s), XDP_DROP, "::/0 drops any IPv6");
	tap_is_int(del("::/0", NULL, NULL), 0, "unblock ::/0");
}

static void test_others(void)
{
	struct spec arp = { .ethertype = 0x0806 };
	struct spec s = { .src = "198.19.7.7", .proto = 1 };
	struct xdpb_counter t[XDPB_T_MAX];

	tap_is_int(add("0.0.0.0/0", NULL, NULL), 0, "block 0.0.0.0/0 (a plain XDP_DROP)");
	tap_is_int(verdict(&s), XDP_DROP, "any IPv4: drop");
	tap_is_int(verdict(&arp), XDP_PASS, "ARP: pass");
	xb_state_totals(&st, t);
	tap_ok(t[XDPB_T_OTHER].packets >= 2, "ARP and the three-tag frame counted as other");
	tap_ok(t[XDPB_T_DROPPED].packets > 0 && t[XDPB_T_PASSED].packets > 0, "totals count drops and passes");
}

int main(void)
{
	struct xdpblock_bpf *skel;

	tpk_progname = "xdpblock";
	if (geteuid()) {
		printf("1..0 # SKIP needs root (BPF_PROG_TEST_RUN)\n");
		return 0;
	}
	tpk_libbpf_setup(false);
	skel = xdpblock_bpf__open_and_load();
	if (!skel) {
		printf("1..0 # SKIP cannot load the XDP program: %s\n", strerror(errno));
		return 0;
	}
	prog_fd = bpf_program__fd(skel->progs.xdpblock);
	st.dir_fd = -1;
	snprintf(st.dir, sizeof(st.dir), "(test maps)");
	st.fd[XB_MAP_V4] = bpf_map__fd(skel->maps.rules_v4);
	st.fd[XB_MAP_V6] = bpf_map__fd(skel->maps.rules_v6);
	st.fd[XB_MAP_STATS] = bpf_map__fd(skel->maps.stats);
	st.fd[XB_MAP_TOTALS] = bpf_map__fd(skel->maps.totals);
	st.fd[XB_MAP_META] = bpf_map__fd(skel->maps.meta);

	tap_plan(62);
	test_vlans();
	test_ports();
	test_port_dirs(prog_fd, bpf_program__fd(skel->progs.xdpblock_bound));
	test_ipv6();
	test_others();
	xdpblock_bpf__destroy(skel);
	return tap_exit();
}
