// SPDX-License-Identifier: GPL-2.0
/* pcap-filter expressions in eBPF: for each expression and each packet of
 * a mix (IPv4, IPv6, TCP flags, UDP, ICMP types, VLAN tags, fragments, IP
 * options, ARP, a packet longer than what is copied), the translation, run
 * by the kernel (BPF_PROG_TEST_RUN), must decide as libpcap's own
 * interpreter (bpf_filter) decides on the classic program. Needs root (to
 * load programs); skips without. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define bpf_insn pcap_bpf_insn
#include <pcap/pcap.h>
#undef bpf_insn
#include <bpf/bpf.h>

#include "util.h"
#include "cbpf.h"
#include "pcapfilter.h"
#include "tap.h"

#define MAX_INSNS 4096

/* The map value the translated filter reads: what tracepkt's kernel side
 * copies from a packet. */
struct pkt {
	uint32_t caplen, wirelen;
	uint8_t data[TPK_CBPF_PKT_MAX];
};

struct frame {
	const char *name;
	uint8_t b[1600];
	uint32_t len;		/* on the wire */
};

static uint8_t *put16(uint8_t *p, unsigned int v) { p[0] = v >> 8; p[1] = v; return p + 2; }

static uint8_t *eth(uint8_t *p, int last_mac_byte, int vlan, unsigned int type)
{
	static const uint8_t src[6] = { 2, 0, 0, 0, 0, 1 };

	if (last_mac_byte < 0)
		memset(p, 0xff, 6);
	else
		memcpy(p, (uint8_t[6]){ 2, 0, 0, 0, 0, (uint8_t)last_mac_byte }, 6);
	memcpy(p + 6, src, 6);
	p += 12;
	if (vlan) {
		p = put16(p, 0x8100);
		p = put16(p, vlan);
	}
	return put16(p, type);
}

/* An IPv4 header of ihl words; frag: the flags and offset field. */
static uint8_t *ip4(uint8_t *p, int proto, int src, int dst, unsigned int frag, int ihl,
		    unsigned int total)
{
	memset(p, 0, ihl * 4);
	p[0] = 0x40 | ihl;
	put16(p + 2, total);
	put16(p + 6, frag);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, (uint8_t[4]){ 198, 18, 0, (uint8_t)src }, 4);
	memcpy(p + 16, (uint8_t[4]){ 198, 18, 0, (uint8_t)dst }, 4);
	return p + ihl * 4;
}

static uint8_t *ip6(uint8_t *p, int next, int src, int dst, unsigned int plen)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	put16(p + 4, plen);
	p[6] = next;
	p[7] = 64;
	memcpy(p + 8, (uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, [15] = (uint8_t)src }, 16);
	memcpy(p + 24, (uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, [15] = (uint8_t)dst }, 16);
	return p + 40;
}

static uint8_t *tcp(uint8_t *p, unsigned int sport, unsigned int dport, int flags)
{
	memset(p, 0, 20);
	put16(p, sport);
	put16(p + 2, dport);
	p[12] = 5 << 4;
	p[13] = flags;
	return p + 20;
}

static uint8_t *udp(uint8_t *p, unsigned int sport, unsigned int dport, unsigned int len)
{
	memset(p, 0, 8);
	put16(p, sport);
	put16(p + 2, dport);
	put16(p + 4, len);
	return p + 8;
}

enum { FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16 };

static int frames(struct frame *f)
{
	int n = 0;
	uint8_t *p;

#define NEW(s) (f[n].name = (s), p = f[n].b)
#define END(extra) (f[n].len = (uint32_t)(p - f[n].b) + (extra), n++)
	NEW("ipv4 icmp echo"); p = eth(p, 2, 0, 0x0800); p = ip4(p, 1, 1, 2, 0, 5, 84);
	*p++ = 8; *p++ = 0; p += 6; END(56);
	NEW("ipv4 icmp echo reply"); p = eth(p, 1, 0, 0x0800); p = ip4(p, 1, 2, 1, 0, 5, 84);
	*p++ = 0; *p++ = 0; p += 6; END(56);
	NEW("ipv4 icmp unreachable"); p = eth(p, 1, 0, 0x0800); p = ip4(p, 1, 2, 1, 0, 5, 56);
	*p++ = 3; *p++ = 3; p += 6; END(28);
	NEW("ipv4 udp 5353 > 53"); p = eth(p, 2, 0, 0x0800); p = ip4(p, 17, 1, 2, 0, 5, 40);
	p = udp(p, 5353, 53, 20); END(12);
	NEW("ipv4 tcp syn > 443"); p = eth(p, 2, 0, 0x0800); p = ip4(p, 6, 1, 2, 0x4000, 5, 40);
	p = tcp(p, 40000, 443, SYN); END(0);
	NEW("ipv4 tcp syn-ack < 443"); p = eth(p, 1, 0, 0x0800); p = ip4(p, 6, 2, 1, 0x4000, 5, 40);
	p = tcp(p, 443, 40000, SYN | ACK); END(0);
	NEW("ipv4 tcp psh-ack > 80"); p = eth(p, 2, 0, 0x0800); p = ip4(p, 6, 1, 2, 0x4000, 5, 140);
	p = tcp(p, 40001, 80, PSH | ACK); END(100);
	NEW("ipv4 tcp rst"); p = eth(p, 2, 0, 0x0800); p = ip4(p, 6, 1, 2, 0x4000, 5, 40);
	p = tcp(p, 40002, 22, RST | ACK); END(0);
	NEW("ipv4 tcp fin > 8080, ip options"); p = eth(p, 2, 0, 0x0800);
	p = ip4(p, 6, 1, 3, 0x4000, 6, 44); p = tcp(p, 40003, 8080, FIN | ACK); END(0);
	NEW("ipv4 udp first fragment"); p = eth(p, 2, 0, 0x0800); p = ip4(p, 17, 1, 2, 0x2000, 5, 1500);
	p = udp(p, 5354, 53, 3000); END(1472);
	NEW("ipv4 udp later fragment"); p = eth(p, 2, 0, 0x0800); p = ip4(p, 17, 1, 2, 185, 5, 1500);
	memcpy(p, (uint8_t[4]){ 0, 53, 0, 53 }, 4); p += 4; END(1476);
	NEW("ipv4 udp long, copied in part"); p = eth(p, 2, 0, 0x0800); p = ip4(p, 17, 1, 2, 0, 5, 1400);
	p = udp(p, 5355, 5000, 1380); END(1372);
	NEW("ipv6 icmpv6 echo"); p = eth(p, 2, 0, 0x86dd); p = ip6(p, 58, 1, 2, 64);
	*p++ = 128; *p++ = 0; p += 6; END(56);
	NEW("ipv6 udp > 53"); p = eth(p, 2, 0, 0x86dd); p = ip6(p, 17, 1, 2, 20); p = udp(p, 1234, 53, 20);
	END(12);
	NEW("ipv6 tcp syn > 22"); p = eth(p, 2, 0, 0x86dd); p = ip6(p, 6, 1, 2, 20);
	p = tcp(p, 40004, 22, SYN); END(0);
	NEW("vlan 100 ipv4 udp > 53"); p = eth(p, 2, 100, 0x0800); p = ip4(p, 17, 1, 2, 0, 5, 40);
	p = udp(p, 5356, 53, 20); END(12);
	NEW("vlan 200 ipv6 tcp > 443"); p = eth(p, 2, 200, 0x86dd); p = ip6(p, 6, 1, 2, 20);
	p = tcp(p, 40005, 443, SYN); END(0);
	NEW("arp request"); p = eth(p, -1, 0, 0x0806);
	memcpy(p, (uint8_t[8]){ 0, 1, 8, 0, 6, 4, 0, 1 }, 8); p += 8; memset(p, 0, 20); p += 20; END(0);
#undef NEW
#undef END
	return n;
}

static const char *const exprs[] = {
	"ip", "ip6", "arp", "icmp", "icmp6", "tcp", "udp", "not tcp", "tcp or udp",
	"host 198.18.0.2", "src host 198.18.0.1", "dst host 198.18.0.3", "net 198.18.0.0/24",
	"host 2001:db8::2", "src net 2001:db8::/32",
	"port 53", "dst port 53", "src port 5353", "portrange 400-500", "tcp port 443",
	"udp and dst port 53", "ip and udp port 53", "ip6 and dst port 53", "ip6 and tcp",
	"tcp[tcpflags] & tcp-syn != 0", "tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)",
	"tcp[tcpflags] & tcp-rst != 0", "tcp[tcpflags] & tcp-fin != 0 and dst port 8080",
	"icmp[icmptype] == icmp-echo", "icmp[icmptype] == icmp-echoreply",
	"icmp[icmptype] != icmp-echo and icmp[icmptype] != icmp-echoreply",
	"icmp6 and ip6[40] == 128",
	"ip[6:2] & 0x1fff != 0", "ip[6:2] & 0x2000 != 0", "ip[8] == 64", "ip proto 17",
	"vlan", "vlan 100", "vlan and udp", "vlan 200 and tcp port 443",
	"greater 1000", "less 100", "len >= 64", "ether proto 0x0806", "ether broadcast",
	"ether host 02:00:00:00:00:02",
	"(tcp dst port 80 or tcp dst port 8080) and tcp[tcpflags] & tcp-push != 0",
	"udp[8:4] = 0 and udp", "ip[100] == 0", "ip[300] == 0",
};

static int prog_for(int map_fd, const struct bpf_insn *filter, int n, char *log, size_t loglen)
{
	/* key 0's value; the filter called with (data, caplen, wirelen). */
	struct bpf_insn w[MAX_INSNS + 32] = {
		{ BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -4, 0 },
		{ BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0 },
		{ BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4 },
		{ BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, map_fd },
		{ 0 },
		{ BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem },
		{ BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 2, 0 },
		{ BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0 },
		{ BPF_JMP | BPF_EXIT, 0, 0, 0, 0 },
		{ BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_0, 0, 0 },
		{ BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_0, 4, 0 },
		{ BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_0, 0, 0 },
		{ BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0, 8 },
		{ BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 1 },
		{ BPF_JMP | BPF_EXIT, 0, 0, 0, 0 },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log, .log_size = (uint32_t)loglen, .log_level = 1);
	const int head = 15;

	memcpy(&w[head], filter, n * sizeof(*filter));
	return bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "tpk_cbpf", "GPL", w, head + n, &o);
}

/* The kernel's verdict on frame fr: 1, 0, or -1 (the run failed). */
static int run(int prog_fd, int map_fd, const struct frame *fr)
{
	struct pkt v = { .wirelen = fr->len };
	uint8_t dummy[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = dummy, .data_size_in = sizeof(dummy));
	uint32_t zero = 0;

	v.caplen = fr->len < TPK_CBPF_PKT_MAX ? fr->len : TPK_CBPF_PKT_MAX;
	memcpy(v.data, fr->b, v.caplen);
	if (bpf_map_update_elem(map_fd, &zero, &v, BPF_ANY) || bpf_prog_test_run_opts(prog_fd, &t))
		return -1;
	return t.retval != 0;
}

/* libpcap's verdict on the same bytes. */
static int oracle(pcap_t *p, const char *expr, const struct frame *fr)
{
	struct bpf_program prog;
	uint32_t cap = fr->len < TPK_CBPF_PKT_MAX ? fr->len : TPK_CBPF_PKT_MAX;
	int r;

	if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0)
		return -1;
	r = bpf_filter(prog.bf_insns, fr->b, fr->len, cap) != 0;
	pcap_freecode(&prog);
	return r;
}

static void check_expr(pcap_t *p, int map_fd, const char *expr, const struct frame *f, int nf,
		       int *matched_any)
{
	static struct bpf_insn out[MAX_INSNS];
	static char log[1 << 16];
	char why[256], desc[512];
	int n = tpk_pcap_filter(expr, out, MAX_INSNS, why, sizeof(why)), fd, bad = 0, hits = 0;

	snprintf(desc, sizeof(desc), "'%s': the kernel decides as libpcap on %d packets", expr, nf);
	if (n < 0) {
		tap_ok(0, desc);
		tap_diag("translation failed: %s", why);
		return;
	}
	fd = prog_for(map_fd, out, n, log, sizeof(log));
	if (fd < 0) {
		tap_ok(0, desc);
		tap_diag("load failed: %s\n%s", strerror(errno), log);
		return;
	}
	for (int i = 0; i < nf; i++) {
		int want = oracle(p, expr, &f[i]), got = run(fd, map_fd, &f[i]);

		hits += want == 1;
		if (got != want) {
			bad++;
			tap_diag("%s: libpcap %d, kernel %d", f[i].name, want, got);
		}
	}
	*matched_any += hits > 0;
	close(fd);
	tap_ok(!bad, desc);
}

static void check_errors(void)
{
	static struct bpf_insn out[MAX_INSNS];
	struct sock_filter back[] = {
		{ BPF_JMP | BPF_JA, 0, 0, 0xffffffff }, { BPF_RET | BPF_K, 0, 0, 1 },
	};
	struct sock_filter mem[] = { { BPF_LD | BPF_MEM, 0, 0, 16 }, { BPF_RET | BPF_A, 0, 0, 0 } };
	char why[256], big[64 * 1024];
	size_t len = 0;

	tap_is_int(tpk_pcap_filter("udp and dst prot 53", out, MAX_INSNS, why, sizeof(why)),
		   -TPK_EINPUT, "a bad expression is the input's fault");
	tap_is_str(why, "unknown host 'prot'", "... with libpcap's message");
	tap_is_int(tpk_pcap_filter("ip protochain 6", out, MAX_INSNS, why, sizeof(why)), -EINVAL,
		   "protochain (a loop) is refused");
	tap_is_str(why, "the filter loops (a backward jump, as protochain makes), which the kernel "
		   "does not run", "... saying why");
	for (int i = 0; i < 800 && len < sizeof(big) - 64; i++)
		len += snprintf(big + len, sizeof(big) - len, "%shost 198.18.%d.%d", i ? " or " : "",
				i / 250, i % 250 + 1);
	tap_is_int(tpk_pcap_filter(big, out, 512, why, sizeof(why)), -E2BIG,
		   "an expression too large is refused");
	tap_is_str(why, "the filter is too large (more than 512 eBPF instructions)", "... in one line");
	tap_is_int(tpk_cbpf_translate(back, 2, out, MAX_INSNS, why, sizeof(why)), -EINVAL,
		   "a jump out of the program is refused");
	tap_is_int(tpk_cbpf_translate(mem, 2, out, MAX_INSNS, why, sizeof(why)), -EINVAL,
		   "scratch word 16 is refused");
}

int main(void)
{
	static struct frame f[32];
	int nf = frames(f), nexpr = (int)ARRAY_SIZE(exprs), map_fd, any = 0;
	pcap_t *p;

	if (geteuid()) {
		printf("1..0 # SKIP not root: loading BPF programs needs it\n");
		return 0;
	}
	tap_plan(nexpr + 9);
	check_errors();
	p = pcap_open_dead(DLT_EN10MB, 262144);
	map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "tpk_cbpf_pkt", 4, sizeof(struct pkt), 1, NULL);
	if (!p || map_fd < 0) {
		printf("Bail out! cannot make a pcap handle or a map: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 0; i < nexpr; i++)
		check_expr(p, map_fd, exprs[i], f, nf, &any);
	tap_ok(any >= nexpr - 4, "nearly every expression matches some packet of the mix");
	close(map_fd);
	pcap_close(p);
	return tap_exit();
}
