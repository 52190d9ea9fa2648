// SPDX-License-Identifier: GPL-2.0
/* tracepkt: ping a target and show every interface, network namespace and
 * netfilter table its echo request and reply cross, in tracepkt.py's format.
 * `--all` traces all matching traffic instead. */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <sys/socket.h>
#include <linux/bpf.h>

#include "addr.h"
#include "cmd.h"
#include "sys.h"
#include "util.h"
#include "backend.h"
#include "pcapfilter.h"
#include "ping.h"
#include "probe.h"
#include "session.h"
#include "tracer.h"

#define DEFAULT_TARGET "127.0.0.1"

/* Option groups: which options go with which way of running. */
enum {
	G_TRACE = 1 << 0,	/* what every trace takes: --count, --netns, --points, -T ... */
	G_ALL = 1 << 1,		/* --proto, --host, --port */
	G_PING = 1 << 2,	/* -4, -6, --size, --wait */
	G_JSON = 1 << 3,
};

static int cmd_ping(char **args, int n);
static int cmd_all(char **args, int n);
static int cmd_probe(char **args, int n);

/* tracepkt has no command words: --all and --probe choose theirs, a TARGET
 * (or none) the ping. The names are what messages call them. */
static const struct tpk_cmd cmd_table[] = {
	{ "a TARGET", cmd_ping, 0, 1, "TARGET", G_TRACE | G_PING | G_JSON, false, true },
	{ "--all", cmd_all, 0, TPK_CMD_MAXARGS, "", G_TRACE | G_ALL | G_JSON, false, true },
	{ "--probe", cmd_probe, 0, 0, "no TARGET: it traces nothing", G_JSON, true, true },
};

static int check_words(void);
static void check_end(struct argp_state *state);

static struct tpk_cmds cmds = {
	.v = cmd_table,
	.n = ARRAY_SIZE(cmd_table),
	.dflt = &cmd_table[0],
	.json_group = G_JSON,
	.check = check_words,
	.end = check_end,
	.no_words = true,
};

static struct tpk_trace_opts env = {
	.proto = TPK_PROTO_ECHO,
	.ringbuf_size = 1 << 18,
	.nf_backend = -1,
};

/* How to ping: TARGET and the options ping itself takes. */
static struct tpk_ping_opts ping_opts = { .target = DEFAULT_TARGET };

/* --all's words: a pcap-filter expression, in eBPF. */
#define PCAP_MAX_INSNS 4096
static struct bpf_insn pcap_insns[PCAP_MAX_INSNS];

static const char doc[] =
"Follow a ping, or all matching packets, across interfaces, network namespaces\n"
"and netfilter tables. Output is tracepkt.py's, line for line. TARGET is what\n"
"ping takes: an address, a host name, ADDR%IFNAME for a link-local one.\n"
"\n"
"Examples:\n"
"  tracepkt                      # ping 127.0.0.1 and trace it\n"
"  tracepkt 198.18.0.2           # ping a container, show every hop\n"
"  tracepkt 2001:db8::2          # the same over IPv6\n"
"  tracepkt -6 localhost         # a name, resolved as ping would\n"
"  tracepkt fe80::1%veth0        # a link-local address needs its interface\n"
"  tracepkt -s 3000 198.18.0.2   # a ping larger than the MTU: every fragment\n"
"  tracepkt --all --count 10     # the next 10 events of any ping on the host\n"
"  tracepkt --all 'udp and dst port 53'  # a pcap-filter expression\n"
"  tracepkt --all tcp port 443 and host 198.18.0.2\n"
"  tracepkt --all 'host 198.18.0.2'  # every hop, through NAT and tunnels\n"
"  tracepkt --all --no-track 'host 198.18.0.2'  # only where the address is\n"
"  tracepkt --all --proto udp --port 53 --json\n"
"  tracepkt --drops 198.18.0.2    # also say where and why it was dropped\n"
"  ip netns exec ctr tracepkt 198.18.0.1\n"
"  tracepkt --probe               # what this kernel offers, which backends\n"
"\n"
"Exit status: ping's own status with a TARGET (0 when --count ended it first,\n"
"128+N after signal N); 0 with --all; 1 when tracing could not start; 2 on a\n"
"bad command line.\n"
"\n"
"Options:";

enum {
	OPT_POINTS = 0x100,
	OPT_RINGBUF,
	OPT_NF_BACKEND,
	OPT_DROPS,
	OPT_RAW_TP,
	OPT_PROBE,
	OPT_NO_TRACK,
};

static const struct argp_option options[] = {
	{ "all", 'a', NULL, 0, "Trace all matching packets on the host, run no ping; words after "
	  "the options are a pcap-filter expression, as tcpdump takes", 0 },
	{ "count", 'c', "N", 0, "Stop after N printed events", 0 },
	{ "proto", 'p', "PROTO", 0, "With --all: icmp (echo only, default), tcp, udp, any, or a number", 0 },
	{ "host", 'H', "ADDR", 0, "With --all: only packets from or to ADDR", 0 },
	{ "port", 'P', "PORT", 0, "With --all: only TCP/UDP packets from or to PORT", 0 },
	{ "netns", 'n', "INODE|NAME", 0, "Only events in this network namespace (inode, or ip netns name)", 0 },
	{ "ifname", 'i', "NAME", 0, "Only events on this interface name", 0 },
	{ "points", OPT_POINTS, "LIST", 0,
	  "Device tracepoints: +NAME adds, -NAME removes, bare NAMEs replace the four defaults; "
	  "'help' lists them", 0 },
	{ "nf-backend", OPT_NF_BACKEND, "B", 0,
	  "Netfilter verdicts from: auto (default: the first that works of fexit, kprobe, "
	  "nfhook), fexit, kprobe, nfhook (netfilter links, verdicts inferred), off", 0 },
	{ "drops", OPT_DROPS, NULL, 0, "Also show where a traced packet was dropped, and why", 0 },
	{ "no-track", OPT_NO_TRACK, NULL, 0,
	  "Show a packet only where the filters match it: do not follow it through NAT, "
	  "tunnels and clones", 0 },
	{ "json", 'j', NULL, 0, "One JSON object per event, every field (errors too)", 0 },
	{ "raw-tracepoints", OPT_RAW_TP, NULL, 0,
	  "Attach device tracepoints as raw_tp even where tp_btf works (as on kernels without BTF)", 0 },
	{ "probe", OPT_PROBE, NULL, 0,
	  "Say which kernel features the tools need this kernel has, and which backend "
	  "each tool would use (with --json: one object); trace nothing", 0 },
	{ "timestamp", 'T', NULL, 0, "Prefix lines with seconds since the first event", 0 },
	{ "ringbuf-size", OPT_RINGBUF, "BYTES", 0, "Ring buffer size (power of two, K/M suffix; default 256K)", 0 },
	{ "wait", 'W', "SEC", 0, "Passed to ping -W: seconds to wait for the reply", 0 },
	{ "size", 's', "BYTES", 0, "Passed to ping -s: bytes of echo data (0-65507)", 0 },
	{ "ipv4", '4', NULL, 0, "Resolve TARGET to an IPv4 address (ping -4)", 0 },
	{ "ipv6", '6', NULL, 0, "Resolve TARGET to an IPv6 address (ping -6)", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's messages", 0 },
	{ 0 },
};

static uint64_t parse_size(struct argp_state *state, const char *arg)
{
	char buf[32];
	size_t len = strlen(arg);
	uint64_t v, mult = 1;

	if (!len || len >= sizeof(buf))
		argp_failure(state, TPK_EXIT_USAGE, 0, "invalid size '%s'", arg);
	strcpy(buf, arg);
	switch (buf[len - 1]) {
	case 'k': case 'K': mult = 1 << 10; buf[len - 1] = '\0'; break;
	case 'm': case 'M': mult = 1 << 20; buf[len - 1] = '\0'; break;
	}
	if (tpk_parse_u64(buf, 1, 1 << 20, &v) || (v * mult) & (v * mult - 1) ||
	    v * mult < 4096 || v * mult > (1u << 30))
		argp_failure(state, TPK_EXIT_USAGE, 0,
			     "invalid ring buffer size '%s' (a power of two from 4K to 1G)", arg);
	return v * mult;
}

static void list_points(void)
{
	printf("Device tracepoints (* = default):\n");
	for (int i = 0; i < TPK_PT_MAX; i++)
		printf("  %c %s\n", tpk_points[i].dflt ? '*' : ' ', tpk_points[i].name);
	exit(0);
}

/* An option of group g was given, spelled name in messages. */
static void given(unsigned int g, const char *name)
{
	tpk_cmds_opt(&cmds, g, name);
}

/* The checks that speak of more than one option, once all are read. */
static void check_end(struct argp_state *state)
{
	if (!memchr(env.points, true, sizeof(env.points)))
		argp_failure(state, TPK_EXIT_USAGE, 0, "--points leaves no device tracepoint");
	if (cmds.nargs && env.all && cmds.given[1])	/* G_ALL */
		argp_failure(state, TPK_EXIT_USAGE, 0,
			     "a filter expression takes the place of --proto, --host and --port");
	if (env.port && env.proto != IPPROTO_TCP && env.proto != IPPROTO_UDP &&
	    env.proto != TPK_PROTO_ANY)
		argp_failure(state, TPK_EXIT_USAGE, 0, "--port needs --proto tcp, udp or any");
	env.json = cmds.json;
	env.verbose = cmds.verbose;
	if (cmds.nargs)
		ping_opts.target = cmds.args[0];
}

/* Options ping itself takes. */
static void parse_ping_opt(int key, char *arg, struct argp_state *state)
{
	uint64_t v;

	switch (key) {
	case 'W': {
		char *end;
		double w = strtod(arg, &end);

		given(G_PING, "--wait");
		/* ping takes fractions of a second too. */
		if (*end || end == arg || !(w > 0 && w <= 3600) || strspn(arg, "0123456789.") != strlen(arg))
			argp_failure(state, TPK_EXIT_USAGE, 0, "invalid wait '%s' (seconds, 0 to 3600)", arg);
		ping_opts.wait = arg;
		break;
	}
	case 's':
		given(G_PING, "--size");
		if (tpk_parse_u64(arg, 0, 65507, &v))
			argp_failure(state, TPK_EXIT_USAGE, 0, "invalid size '%s' (0-65507)", arg);
		ping_opts.size = arg;
		break;
	default: /* '4', '6' */
		given(G_PING, key == '4' ? "-4" : "-6");
		if (ping_opts.family && ping_opts.family != (key == '4' ? AF_INET : AF_INET6))
			argp_failure(state, TPK_EXIT_USAGE, 0, "-4 and -6 exclude each other");
		ping_opts.family = key == '4' ? AF_INET : AF_INET6;
		break;
	}
}

/* --all's filters. */
static void parse_filter_opt(int key, char *arg, struct argp_state *state)
{
	uint64_t v;

	switch (key) {
	case 'p':
		given(G_ALL, "--proto");
		if (tpk_proto_parse(arg, &env.proto))
			argp_failure(state, TPK_EXIT_USAGE, 0, "invalid protocol '%s'", arg);
		if (env.proto == IPPROTO_ICMP || env.proto == IPPROTO_ICMPV6)
			env.proto = TPK_PROTO_ECHO;
		break;
	case 'H':
		given(G_ALL, "--host");
		if (tpk_addr_parse(arg, &env.host))
			argp_failure(state, TPK_EXIT_USAGE, 0, "invalid address '%s'", arg);
		env.host_set = true;
		break;
	default: /* 'P' */
		given(G_ALL, "--port");
		if (tpk_parse_u64(arg, 1, 65535, &v))
			argp_failure(state, TPK_EXIT_USAGE, 0, "invalid port '%s' (1-65535)", arg);
		env.port = v;
		break;
	}
}

static void parse_points(char *arg, struct argp_state *state)
{
	const char *bad;
	int err;

	given(G_TRACE, "--points");
	if (!strcmp(arg, "help"))
		list_points();
	if (!env.points_set)
		tpk_points_default(env.points);
	err = tpk_points_parse(arg, env.points, &bad);
	if (err == -ENOENT)
		argp_failure(state, TPK_EXIT_USAGE, 0,
			     "unknown tracepoint '%s' (--points help lists them)", bad);
	else if (err)
		argp_failure(state, TPK_EXIT_USAGE, 0,
			     "invalid --points list '%s' (names, +NAME, -NAME, comma separated)", bad);
	env.points_set = true;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'a':
		tpk_cmds_choose(&cmds, state, "--all");
		env.all = true;
		break;
	case OPT_PROBE:
		tpk_cmds_choose(&cmds, state, "--probe");
		break;
	case 'c':
		given(G_TRACE, "--count");
		if (tpk_parse_u64(arg, 1, UINT64_MAX, &env.count))
			argp_failure(state, TPK_EXIT_USAGE, 0, "invalid count '%s' (a number from 1)", arg);
		break;
	case 'p':
	case 'H':
	case 'P':
		parse_filter_opt(key, arg, state);
		break;
	case 'W':
	case 's':
	case '4':
	case '6':
		parse_ping_opt(key, arg, state);
		break;
	case 'n':
		given(G_TRACE, "--netns");
		if (tpk_netns_resolve(arg, &env.netns))
			argp_failure(state, TPK_EXIT_USAGE, 0, "no such network namespace '%s'", arg);
		break;
	case 'i':
		given(G_TRACE, "--ifname");
		if (!*arg || strlen(arg) >= TPK_IFNAMSIZ)
			argp_failure(state, TPK_EXIT_USAGE, 0, "invalid interface name '%s'", arg);
		env.ifname = arg;
		break;
	case OPT_POINTS:
		parse_points(arg, state);
		break;
	case OPT_NF_BACKEND:
		given(G_TRACE, "--nf-backend");
		if (tpk_nf_backend_parse(arg, &env.nf_backend))
			argp_failure(state, TPK_EXIT_USAGE, 0,
				     "invalid netfilter backend '%s' (auto, fexit, kprobe, nfhook, off)", arg);
		break;
	case OPT_DROPS:
		given(G_TRACE, "--drops");
		env.drops = true;
		break;
	case OPT_NO_TRACK:
		given(G_TRACE, "--no-track");
		env.no_track = true;
		break;
	case OPT_RAW_TP:
		given(G_TRACE, "--raw-tracepoints");
		env.raw_tp = true;
		break;
	case 'T':
		given(G_TRACE, "--timestamp");
		env.timestamp = true;
		break;
	case OPT_RINGBUF:
		given(G_TRACE, "--ringbuf-size");
		env.ringbuf_size = parse_size(state, arg);
		break;
	case ARGP_KEY_ARG:
		/* inet_aton's shorthands ("10.1" is 10.0.0.1) that ping takes are
		 * more often a typo than meant: digits and dots make a full
		 * dotted quad or nothing. With --all, the words are an
		 * expression: libpcap judges them. */
		if (!env.all && !cmds.nargs && (!*arg || strlen(arg) > 1024 ||
		    (strspn(arg, "0123456789.") == strlen(arg) &&
		     tpk_addr_parse(arg, &(struct tpk_addr){ 0 }))))
			argp_failure(state, TPK_EXIT_USAGE, 0,
				     "invalid target '%s' (an address, a host name, or ADDR%%IFNAME)", arg);
		return tpk_cmds_parse(&cmds, key, arg, state);
	default:
		return tpk_cmds_parse(&cmds, key, arg, state);
	}
	return 0;
}

/* --all's words, joined with spaces as tcpdump joins them, compiled. */
static int check_expression(void)
{
	char *expr = tpk_words_join(cmds.args, cmds.nargs), why[512];
	int n;

	if (!expr)
		return -ENOMEM;
	n = tpk_pcap_filter(expr, pcap_insns, PCAP_MAX_INSNS, why, sizeof(why));
	free(expr);
	/* `tracepkt --all ADDR`: the target of a ping is no expression. */
	if (n == -TPK_EINPUT && cmds.nargs == 1 && !tpk_addr_parse(cmds.args[0], &(struct tpk_addr){ 0 }))
		tpk_err("bad filter expression: %s (an address is 'host %s')", why, cmds.args[0]);
	else if (n == -TPK_EINPUT)
		tpk_err("bad filter expression: %s", why);
	else if (n < 0)
		tpk_err("%s", why);
	if (n < 0)
		return -TPK_EINPUT;
	env.pcap = pcap_insns;
	env.pcap_n = n;
	env.proto = TPK_PROTO_ANY;
	return 0;
}

/* Before root and before anything is loaded: ping would fail the same way,
 * and libpcap says what is wrong with an expression. */
static int check_words(void)
{
	int err;

	if (cmds.cmd == &cmd_table[1] && cmds.nargs)
		return check_expression();
	if (cmds.cmd != &cmd_table[0])
		return 0;
	err = tpk_ping_resolve(&ping_opts);
	if (!err)
		return 0;
	tpk_err("cannot resolve '%s'%s: %s", ping_opts.target,
		ping_opts.family == AF_INET ? " as IPv4" :
		ping_opts.family == AF_INET6 ? " as IPv6" : "", gai_strerror(err));
	return -TPK_EINPUT;
}

/* Start, print events, stop: the exit status (see session.h). */
static int trace(const struct tpk_ping_opts *ping)
{
	struct tracer t = { .backend = TPK_NF_NONE };
	int status = TPK_EXIT_FAIL;

	if (!tracer_start(&t, &env))
		status = tpk_session_run(&t, ping);
	tracer_stop(&t);
	return status;
}

static int cmd_ping(char **args, int n)
{
	(void)args, (void)n;
	return trace(&ping_opts);
}

static int cmd_all(char **args, int n)
{
	(void)args, (void)n;
	return trace(NULL);
}

static int cmd_probe(char **args, int n)
{
	(void)args, (void)n;
	return tpk_probe_run(env.json);
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		options, parse_opt, "[TARGET]\n--all [EXPRESSION]", doc, NULL, NULL, NULL
	};

	tpk_progname = "tracepkt";
	tpk_points_default(env.points);
	return tpk_cmds_main(&cmds, &argp, argc, argv);
}
