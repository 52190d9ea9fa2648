// SPDX-License-Identifier: GPL-2.0
/* The formatter against lines computed with tracepkt.py's own format
 * strings ("[%12s] %16s %7s %-34s%s" and " %7s.%-12s:%s") in Python. */
#include <errno.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "points.h"
#include "tap.h"

static struct tpk_event ev(unsigned long long netns, const char *ifname, int ipver, const char *src,
			   const char *dst, int icmp_type)
{
	struct tpk_event e = { 0 };
	int af = ipver == 6 ? AF_INET6 : AF_INET;

	e.kind = TPK_EV_DEV;
	e.netns = netns;
	memcpy(e.ifname, ifname, strnlen(ifname, sizeof(e.ifname)));
	e.ipver = ipver;
	e.l4proto = ipver == 6 ? 58 : 1;
	e.icmp_type = icmp_type;
	inet_pton(af, src, e.saddr);
	inet_pton(af, dst, e.daddr);
	return e;
}

static struct tpk_event nf(struct tpk_event e, const char *table, int hook, int verdict)
{
	e.kind = TPK_EV_NF;
	memcpy(e.table, table, strnlen(table, sizeof(e.table)));
	e.hook = hook;
	e.verdict = verdict;
	return e;
}

static const char *reason_name(const void *ctx, unsigned int r)
{
	(void)ctx;
	return r == 6 ? "NETFILTER_DROP" : NULL;
}

static char buf[1024];

static const char *line(struct tpk_event e)
{
	struct tpk_fmt_opts o = { .reason_name = reason_name };

	tpk_fmt_line(buf, sizeof(buf), &e, &o);
	return buf;
}

/* tpk_fmt_json's output, as a string in buf. */
static void json(char *buf, size_t len, const struct tpk_event *e)
{
	FILE *f = fmemopen(buf, len, "w");

	tpk_fmt_json(f, e, NULL);
	fclose(f);
}

int main(void)
{
	struct tpk_fmt_opts o = { 0 };
	struct tpk_event e;
	bool pts[TPK_PT_MAX];
	const char *bad;

	tap_plan(37);

	tpk_fmt_header(buf, sizeof(buf), &o);
	tap_is_str(buf, "    NETWORK NS        INTERFACE    TYPE ADDRESSES                          IPTABLES",
		   "header");
	tap_is_str(line(ev(4026531957ULL, "docker0", 4, "172.17.0.1", "172.17.0.2", 8)),
		   "[  4026531957]          docker0 request 172.17.0.1 -> 172.17.0.2          ",
		   "IPv4 request");
	tap_is_str(line(ev(4026532258ULL, "eth0", 6, "2001:db8::2", "2001:db8::1", 129)),
		   "[  4026532258]             eth0   reply 2001:db8::2 -> 2001:db8::1        ",
		   "IPv6 reply");
	tap_is_str(line(ev(0, "", 4, "198.18.0.1", "198.18.0.2", 8)),
		   "[           0]                  request 198.18.0.1 -> 198.18.0.2          ",
		   "netns 0, no device");
	tap_is_str(line(ev(4026532999ULL, "abcdefghijklmno", 4, "198.18.0.2", "198.18.0.1", 0)),
		   "[  4026532999]  abcdefghijklmno   reply 198.18.0.2 -> 198.18.0.1          ",
		   "15-character interface name");
	e = ev(4026532999ULL, "", 4, "198.18.0.2", "198.18.0.1", 0);
	memcpy(e.ifname, "0123456789abcdef", 16);	/* no NUL: the kernel never does this */
	tap_is_str(line(e), "[  4026532999] 0123456789abcdef   reply 198.18.0.2 -> 198.18.0.1          ",
		   "unterminated name stays inside its 16 bytes");
	tap_is_str(line(nf(ev(4026531957ULL, "eth0", 4, "198.18.0.1", "198.18.0.2", 8), "filter", 3, 1)),
		   "[  4026531957]             eth0 request 198.18.0.1 -> 198.18.0.2            filter.OUTPUT      :ACCEPT",
		   "iptables filter OUTPUT ACCEPT");
	tap_is_str(line(nf(ev(0, "", 4, "198.18.0.1", "198.18.0.2", 8), "nat", 4, 0)),
		   "[           0]                  request 198.18.0.1 -> 198.18.0.2               nat.POSTROUTING :DROP",
		   "nat POSTROUTING DROP without device");
	tap_is_str(line(nf(ev(4026531957ULL, "lo", 4, "127.0.0.1", "127.0.0.1", 0), "mangle", 7, -1)),
		   "[  4026531957]               lo   reply 127.0.0.1 -> 127.0.0.1              mangle.~UNK~       :~UNK~",
		   "unknown hook and negative verdict");
	tap_is_str(line(nf(ev(4026531957ULL, "veth1", 6, "2001:db8:ffff:ffff:ffff:ffff:ffff:1",
			      "2001:db8:ffff:ffff:ffff:ffff:ffff:2", 128), "raw", 0, 5)),
		   "[  4026531957]            veth1 request 2001:db8:ffff:ffff:ffff:ffff:ffff:1 -> 2001:db8:ffff:ffff:ffff:ffff:ffff:2     raw.PREROUTING  :STOP",
		   "long IPv6 flow overflows its column as in Python");
	tap_is_str(tpk_verdict_name(6), "~UNK~", "verdict past STOP is unknown");
	tap_is_str(tpk_hook_name(5), "~UNK~", "hook past POSTROUTING is unknown");
	tap_is_str(tpk_hook_name(2), "FORWARD", "hook 2 is FORWARD");

	e = ev(4026531957ULL, "eth0", 4, "198.18.0.1", "198.18.0.2", 0);
	e.l4proto = 6;
	e.sport = 40000;
	e.dport = 80;
	tap_is_str(line(e), "[  4026531957]             eth0     tcp 198.18.0.1:40000 -> 198.18.0.2:80 ",
		   "TCP shows ADDR:PORT and the protocol as type");
	e = ev(1, "eth0", 6, "2001:db8::1", "2001:db8::2", 0);
	e.l4proto = 17;
	e.sport = 53;
	e.dport = 5353;
	tap_is_str(line(e), "[           1]             eth0     udp [2001:db8::1]:53 -> [2001:db8::2]:5353",
		   "UDP over IPv6 brackets the address");
	e = ev(1, "eth0", 4, "198.18.0.1", "198.18.0.2", 3);
	tap_is_str(tpk_direction(&e), "icmp", "ICMP that is not an echo is 'icmp'");
	e.l4proto = 50;
	tap_is_str(tpk_direction(&e), "50", "unnamed protocol is its number");
	e.l4proto = 47;
	tap_is_str(tpk_direction(&e), "gre", "a tunnel's underlay: its protocol's name");

	e = ev(1, "eth0", 4, "198.18.0.1", "198.18.0.2", 8);
	e.kind = TPK_EV_DROP;
	e.drop_reason = 6;
	tap_is_str(line(e), "[           1]             eth0 request 198.18.0.1 -> 198.18.0.2              drop.NETFILTER_DROP",
		   "drop line names the reason in the IPTABLES column");
	e.drop_reason = 999;
	tap_is_str(line(e), "[           1]             eth0 request 198.18.0.1 -> 198.18.0.2              drop.999",
		   "unknown drop reason shows its value");

	e = ev(1, "eth0", 4, "198.18.0.1", "198.18.0.2", 8);
	e.kind = TPK_EV_PROG;
	e.point = TPK_AT_XDP;
	e.verdict = 1;
	tap_is_str(line(e), "[           1]             eth0 request 198.18.0.1 -> 198.18.0.2               xdp:DROP",
		   "an XDP program's verdict in the IPTABLES column");
	e.point = TPK_AT_TC_INGRESS;
	e.verdict = 2;
	tap_is_str(line(e), "[           1]             eth0 request 198.18.0.1 -> 198.18.0.2           tc.ingress:SHOT",
		   "a tc program's verdict, with its side");
	e.point = TPK_AT_TC_EGRESS;
	e.verdict = -1;
	tap_is_str(line(e), "[           1]             eth0 request 198.18.0.1 -> 198.18.0.2           tc.egress:UNSPEC",
		   "tc's 'next' (tcx) or 'unspec' (cls_bpf)");
	e.verdict = 42;
	tap_is_str(line(e), "[           1]             eth0 request 198.18.0.1 -> 198.18.0.2           tc.egress:42",
		   "an unknown return value shows as a number");
	e.point = TPK_AT_XDP;
	e.verdict = 2;
	e.prog_id = 77;
	json(buf, sizeof(buf), &e);
	tap_ok(strstr(buf, "\"kind\":\"prog\"") && strstr(buf, "\"attach\":\"xdp\",\"verdict\":\"PASS\",\"verdict_code\":2,\"program\":{\"id\":77}"),
	       "JSON: kind prog, where, the verdict and the program's id");

	o = (struct tpk_fmt_opts){ .timestamp = true };
	e = ev(1, "lo", 4, "127.0.0.1", "127.0.0.1", 8);
	e.ts_ns = 5000000000ULL;
	tpk_fmt_line(buf, sizeof(buf), &e, &o);
	e.ts_ns += 1500000;
	tpk_fmt_line(buf, sizeof(buf), &e, &o);
	tap_is_str(buf, "    0.001500 [           1]               lo request 127.0.0.1 -> 127.0.0.1            ",
		   "timestamp is seconds since the first event");

	e = nf(ev(7, "a\"b\\", 4, "198.18.0.1", "198.18.0.2", 8), "filter", 1, 0);
	json(buf, sizeof(buf), &e);
	tap_ok(strstr(buf, "\"ifname\":\"a\\\"b\\\\\"") != NULL, "JSON escapes quotes and backslashes");
	tap_ok(strstr(buf, "\"table\":\"filter\",\"hook\":\"INPUT\",\"verdict\":\"DROP\"") != NULL,
	       "JSON carries table, hook and verdict");
	tap_ok(buf[0] == '{' && !strcmp(buf + strlen(buf) - 2, "}\n"), "JSON is one object and a newline");
	e = ev(7, "\xc3\xa9t\xff\x01", 4, "198.18.0.1", "198.18.0.2", 8);
	json(buf, sizeof(buf), &e);
	tap_ok(strstr(buf, "\"ifname\":\"\xc3\xa9t\\u00ff\\u0001\"") != NULL,
	       "JSON passes UTF-8 through, escapes a stray byte and a control byte");

	tpk_points_default(pts);
	tap_ok(!tpk_points_parse("+netif_receive_skb,-netif_rx", pts, &bad) &&
	       pts[TPK_PT_NETIF_RECEIVE_SKB] && !pts[TPK_PT_NETIF_RX] && pts[TPK_PT_NET_DEV_QUEUE],
	       "--points +a,-b edits the defaults");
	tpk_points_default(pts);
	tap_ok(!tpk_points_parse("-netif_rx,net_dev_xmit", pts, &bad) && pts[TPK_PT_NET_DEV_XMIT] &&
	       !pts[TPK_PT_NETIF_RX] && !pts[TPK_PT_NET_DEV_QUEUE],
	       "--points with a bare name replaces the set");
	tpk_points_default(pts);
	tap_ok(tpk_points_parse("+nope", pts, &bad) && !strcmp(bad, "+nope") && pts[TPK_PT_NETIF_RX],
	       "unknown point is refused and changes nothing");
	for (size_t i = 0; i < 4; i++) {
		static const char *const empty[] = { ",,,", ",netif_rx", "netif_rx,", "netif_rx,,+net_dev_xmit" };
		char desc[64];

		tpk_points_default(pts);
		snprintf(desc, sizeof(desc), "--points '%s': an empty name is refused", empty[i]);
		tap_ok(tpk_points_parse(empty[i], pts, &bad) == -EINVAL && pts[TPK_PT_NETIF_RX], desc);
	}
	return tap_exit();
}
