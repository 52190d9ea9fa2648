// SPDX-License-Identifier: GPL-2.0
/* tracepkt: ping a target and show every interface, network namespace and
 * netfilter table its echo request and reply cross, in tracepkt.py's format.
 * `--all` traces all matching traffic instead. */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "addr.h"
#include "sys.h"
#include "util.h"
#include "version.h"
#include "backend.h"
#include "format.h"
#include "nf.h"
#include "nfhook.h"
#include "ping.h"
#include "pins.h"
#include "points.h"
#include "probe.h"
#include "tracepkt.skel.h"

#define DEFAULT_TARGET "127.0.0.1"

static struct env {
	const char *target;
	bool all;
	uint64_t count;		/* 0: unlimited */
	bool json;
	bool timestamp;
	bool verbose;
	int proto;		/* TPK_PROTO_* or IP protocol */
	bool proto_set;
	struct tpk_addr host;
	bool host_set;
	uint16_t port;
	uint64_t netns;
	const char *ifname;
	uint64_t ringbuf_size;
	const char *wait;	/* ping -W, as given */
	const char *size;	/* ping -s, as given */
	int family;		/* -4, -6: AF_INET, AF_INET6; 0: either */
	bool points[TPK_PT_MAX];
	bool points_set;
	int nf_backend;		/* enum tpk_nf_backend, -1: auto */
	bool raw_tp;
	bool drops;
	bool probe;
	bool trace_opt;		/* an option that only tracing reads */
} env = {
	.proto = TPK_PROTO_ECHO,
	.ringbuf_size = 1 << 18,
	.nf_backend = -1,
};

void (*argp_program_version_hook)(FILE *, struct argp_state *) = tpk_version_print;

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
};

static const struct argp_option options[] = {
	{ "all", 'a', NULL, 0, "Trace all matching packets on the host, run no ping", 0 },
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

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	uint64_t v;
	const char *bad;
	int err;

	if (key != 'j' && key != 'v' && key != OPT_PROBE && key > 0 && key < 0x1000000)
		env.trace_opt = true;
	switch (key) {
	case 'a':
		env.all = true;
		break;
	case 'c':
		if (tpk_parse_u64(arg, 1, UINT64_MAX, &env.count))
			argp_failure(state, TPK_EXIT_USAGE, 0, "invalid count '%s' (a number from 1)", arg);
		break;
	case 'p':
		if (tpk_proto_parse(arg, &env.proto))
			argp_failure(state, TPK_EXIT_USAGE, 0, "invalid protocol '%s'", arg);
		if (env.proto == IPPROTO_ICMP || env.proto == IPPROTO_ICMPV6)
			env.proto = TPK_PROTO_ECHO;
		env.proto_set = true;
		break;
	case 'H':
		if (tpk_addr_parse(arg, &env.host))
			argp_failure(state, TPK_EXIT_USAGE, 0, "invalid address '%s'", arg);
		env.host_set = true;
		break;
	case 'P':
		if (tpk_parse_u64(arg, 1, 65535, &v))
			argp_failure(state, TPK_EXIT_USAGE, 0, "invalid port '%s' (1-65535)", arg);
		env.port = v;
		break;
	case 'n':
		err = tpk_netns_resolve(arg, &env.netns);
		if (err)
			argp_failure(state, TPK_EXIT_USAGE, 0, "no such network namespace '%s'", arg);
		break;
	case 'i':
		if (!*arg || strlen(arg) >= TPK_IFNAMSIZ)
			argp_failure(state, TPK_EXIT_USAGE, 0, "invalid interface name '%s'", arg);
		env.ifname = arg;
		break;
	case OPT_POINTS:
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
		break;
	case 'j':
		env.json = true;
		break;
	case OPT_NF_BACKEND:
		if (tpk_nf_backend_parse(arg, &env.nf_backend))
			argp_failure(state, TPK_EXIT_USAGE, 0,
				     "invalid netfilter backend '%s' (auto, fexit, kprobe, nfhook, off)", arg);
		break;
	case OPT_DROPS:
		env.drops = true;
		break;
	case OPT_RAW_TP:
		env.raw_tp = true;
		break;
	case OPT_PROBE:
		env.probe = true;
		break;
	case 'T':
		env.timestamp = true;
		break;
	case OPT_RINGBUF:
		env.ringbuf_size = parse_size(state, arg);
		break;
	case 'W': {
		char *end;
		double w = strtod(arg, &end);

		/* ping takes fractions of a second too. */
		if (*end || end == arg || !(w > 0 && w <= 3600) || strspn(arg, "0123456789.") != strlen(arg))
			argp_failure(state, TPK_EXIT_USAGE, 0, "invalid wait '%s' (seconds, 0 to 3600)", arg);
		env.wait = arg;
		break;
	}
	case 's':
		if (tpk_parse_u64(arg, 0, 65507, &v))
			argp_failure(state, TPK_EXIT_USAGE, 0, "invalid size '%s' (0-65507)", arg);
		env.size = arg;
		break;
	case '4':
	case '6':
		if (env.family && env.family != (key == '4' ? AF_INET : AF_INET6))
			argp_failure(state, TPK_EXIT_USAGE, 0, "-4 and -6 exclude each other");
		env.family = key == '4' ? AF_INET : AF_INET6;
		break;
	case 'v':
		env.verbose = true;
		break;
	case ARGP_KEY_ARG:
		if (state->arg_num >= 1)
			argp_failure(state, TPK_EXIT_USAGE, 0, "too many arguments: '%s'", arg);
		/* inet_aton's shorthands ("10.1" is 10.0.0.1) that ping takes are
		 * more often a typo than meant: digits and dots make a full
		 * dotted quad or nothing. */
		if (!*arg || strlen(arg) > 1024 ||
		    (strspn(arg, "0123456789.") == strlen(arg) &&
		     tpk_addr_parse(arg, &(struct tpk_addr){ 0 })))
			argp_failure(state, TPK_EXIT_USAGE, 0,
				     "invalid target '%s' (an address, a host name, or ADDR%%IFNAME)", arg);
		env.target = arg;
		break;
	case ARGP_KEY_END:
		if (env.probe && (env.all || env.target))
			argp_failure(state, TPK_EXIT_USAGE, 0, "--probe traces nothing: give no TARGET or --all");
		if (env.probe && env.trace_opt)
			argp_failure(state, TPK_EXIT_USAGE, 0,
				     "--probe traces nothing: it takes only --json and -v");
		if (env.all && env.target)
			argp_failure(state, TPK_EXIT_USAGE, 0,
				     "--all traces every packet: give no TARGET (use --host)");
		if (!env.all && (env.proto_set || env.host_set || env.port))
			argp_failure(state, TPK_EXIT_USAGE, 0, "--proto, --host and --port go with --all");
		if (env.all && (env.family || env.size || env.wait))
			argp_failure(state, TPK_EXIT_USAGE, 0, "-4, -6, --size and --wait go with a TARGET");
		if (!memchr(env.points, true, sizeof(env.points)))
			argp_failure(state, TPK_EXIT_USAGE, 0, "--points leaves no device tracepoint");
		if (env.port && env.proto != IPPROTO_TCP && env.proto != IPPROTO_UDP &&
		    env.proto != TPK_PROTO_ANY)
			argp_failure(state, TPK_EXIT_USAGE, 0, "--port needs --proto tcp, udp or any");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* Everything the tracer learns and holds, from start to exit. */
struct tracer {
	struct tpk_nf nf;		/* what the kernel offers netfilter tracing */
	struct tpk_kpoints points;	/* ... and device tracing */
	struct tpk_nfhook hooks;	/* nfhook's links and the tables they follow */
	enum tpk_nf_backend backend;	/* the one that started */
	char why[512];			/* why better backends did not start */
};

/* State the ring-buffer callback needs. */
struct run {
	struct tpk_fmt_opts fmt;
	uint64_t printed;
	bool done;
	char line[1024];
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;
	struct tpk_event ev, *e = &ev;

	if (size < sizeof(*e) || r->done)
		return 0;
	memcpy(e, data, sizeof(*e));
	if (env.json) {
		tpk_fmt_json(stdout, e, &r->fmt);
	} else {
		tpk_fmt_line(r->line, sizeof(r->line), e, &r->fmt);
		puts(r->line);
	}
	if (env.count && ++r->printed >= env.count)
		r->done = true;
	return 0;
}

static uint64_t lost_events(struct tracepkt_bpf *skel)
{
	uint64_t total = 0;
	uint32_t zero = 0;

	tpk_percpu_sum(bpf_map__fd(skel->maps.lost), &zero, 1, &total);
	return total;
}

/* The signal handler's flag, the one global it can reach. */
static volatile sig_atomic_t stop;

static const char *reason_name(const void *ctx, unsigned int reason)
{
	const struct tracer *t = ctx;

	return tpk_nf_reason_name(&t->nf, reason);
}

/* nfhook events carry where their probe sat; the table is ours to name. */
static bool nfhook_table_of(const void *ctx, const struct tpk_event *e, struct tpk_fmt_table *ft)
{
	const struct tracer *t = ctx;
	const struct tpk_nf_table *nt;

	if (e->nf_backend != TPK_NF_NFHOOK)
		return false;
	nt = tpk_nfhook_table(&t->hooks, e);
	*ft = nt ? (struct tpk_fmt_table){ nt->table, nt->chain, nt->ncand }
		 : (struct tpk_fmt_table){ "?", "", 1 };
	return true;
}

/* The initial pid namespace has a fixed inode; in any other, pids differ
 * from the kernel's global ones. */
#define PROC_PID_INIT_INO 0xEFFFFFFCU

static void set_pidns(struct tracepkt_bpf *skel)
{
	struct stat st;

	if (stat("/proc/self/ns/pid", &st) || st.st_ino == PROC_PID_INIT_INO)
		return;
	skel->rodata->pidns_dev = st.st_dev;
	skel->rodata->pidns_ino = st.st_ino;
}

/* The filters, fixed in .rodata before load. */
static void set_filters(struct tracepkt_bpf *skel)
{
	skel->rodata->mode = env.all ? TPK_MODE_ALL : TPK_MODE_PING;
	skel->rodata->filter_proto = env.proto;
	if (env.host_set) {
		skel->rodata->filter_host_ver = env.host.family == AF_INET ? 4 : 6;
		memcpy((void *)skel->rodata->filter_host, env.host.bytes, 16);
	}
	skel->rodata->filter_port = env.port;
	set_pidns(skel);
	skel->rodata->filter_netns = env.netns;
	if (env.ifname)
		strncpy((char *)skel->rodata->filter_ifname, env.ifname, TPK_IFNAMSIZ - 1);
}

/* Choose the programs of netfilter backend b and the device tracepoints. */
static struct tpk_why configure(struct tracer *t, struct tracepkt_bpf *skel, enum tpk_nf_backend b)
{
	const struct tpk_points_want w = { env.points, env.points_set, env.verbose };
	struct tpk_why why = tpk_why_err(tpk_points_select(skel, &t->points, &w));

	if (why.code == TPK_WHY_OK)
		why = tpk_backend_prepare(skel, &t->nf, b, env.drops);
	if (why.code == TPK_WHY_OK)
		why = tpk_why_err(bpf_map__set_max_entries(skel->maps.events, env.ringbuf_size));
	return why;
}

static int load_attach(struct tracer *t, struct tracepkt_bpf *skel, enum tpk_nf_backend b)
{
	int err = tracepkt_bpf__load(skel);

	if (!err)
		err = tracepkt_bpf__attach(skel);
	if (!err && tpk_backends[b].attach)
		err = tpk_backends[b].attach(skel, &t->hooks);
	return err < 0 ? err : -err;
}

/* Open, configure, load and attach everything for netfilter backend b. */
static struct tpk_why start(struct tracer *t, struct tracepkt_bpf **out, enum tpk_nf_backend b)
{
	struct tracepkt_bpf *skel;
	struct tpk_why why;

	*out = NULL;
	skel = tracepkt_bpf__open();
	if (!skel)
		return tpk_why_err(-errno);
	set_filters(skel);
	why = configure(t, skel, b);
	if (why.code == TPK_WHY_OK)
		why = tpk_why_err(load_attach(t, skel, b));
	if (why.code != TPK_WHY_OK) {
		tracepkt_bpf__destroy(skel);
		return why;
	}
	*out = skel;
	return why;
}

/* One stderr line: which backend, why not a better one. */
static void report_backend(const struct tracer *t)
{
	const struct tpk_nf *nf = &t->nf;
	char extra[sizeof(t->why) + sizeof(nf->missing) + sizeof(nf->unread) + 128] = "";
	enum tpk_nf_backend b = t->backend;
	size_t n = 0;

	if (t->why[0])
		n += snprintf(extra + n, sizeof(extra) - n, "%s", t->why);
	if (nf->missing[0])
		n += snprintf(extra + n, sizeof(extra) - n, "%snot loaded: %s", n ? "; " : "",
			      nf->missing);
	if (nf->unread[0] && b == TPK_NF_KPROBE)
		n += snprintf(extra + n, sizeof(extra) - n, "%snot shown, no BTF for their types: %s",
			      n ? "; " : "", nf->unread);
	fprintf(stderr, "%s: netfilter: %s%s%s%s%s\n", tpk_progname,
		b == TPK_NF_NONE ? "no backend could start, no verdicts" : tpk_nf_backend_name(b),
		tpk_backends[b].inferred ? " (verdicts inferred)" : "",
		n ? " [" : "", extra, n ? "]" : "");
}

/* One stderr line per hook whose later tables no probe follows. */
static void report_unwatched(const char *lines)
{
	for (const char *l = lines; *l;) {
		size_t k = strcspn(l, "\n");

		fprintf(stderr, "%s: nfhook: %.*s\n", tpk_progname, (int)k, l);
		l += k + (l[k] == '\n');
	}
}

/* Start backend b; note why not when it is one that could tell verdicts. */
static struct tpk_why try_start(struct tracer *t, struct tracepkt_bpf **skel, enum tpk_nf_backend b)
{
	struct tpk_why why = start(t, skel, b);

	t->backend = b;
	if (why.code != TPK_WHY_OK && b != TPK_NF_NONE)
		tpk_why_note(t->why, sizeof(t->why), b, why);
	return why;
}

/* The best backend that starts, or the one asked for. */
static struct tpk_why start_best(struct tracer *t, struct tracepkt_bpf **skel)
{
	struct tpk_why why;

	if (env.nf_backend >= 0)
		return try_start(t, skel, env.nf_backend);
	for (int b = TPK_NF_FEXIT; b < TPK_NF_BACKENDS; b++) {
		why = try_start(t, skel, b);
		if (why.code == TPK_WHY_OK)
			return why;
	}
	return try_start(t, skel, TPK_NF_NONE);
}

/* Print events until ping exits, --count is reached, a signal comes or
 * stdout fails. */
static int follow(struct ring_buffer *rb, int epfd, struct tpk_ping *ping, const struct run *run)
{
	while (!stop && !run->done) {
		struct epoll_event evs[3];
		/* Without a pidfd, poll for ping's exit every 10 ms. */
		int n = epoll_wait(epfd, evs, 3, env.all || ping->pidfd >= 0 ? -1 : 10);
		bool reader_gone = false;

		if (n < 0 && errno != EINTR) {
			tpk_err_errno(errno, "epoll_wait");
			return TPK_EXIT_FAIL;
		}
		for (int i = 0; i < n; i++)
			reader_gone |= evs[i].data.u32 == 3;
		ring_buffer__consume(rb);
		if (fflush(stdout) == EOF || ferror(stdout) || reader_gone) {
			/* The exit handler says why (tpk_stdout_guard). */
			if (reader_gone && !ferror(stdout))
				stop = SIGPIPE;
			return TPK_EXIT_FAIL;
		}
		if (!env.all && tpk_ping_reap(ping, 0)) {
			/* The reply was delivered before ping could exit. */
			ring_buffer__consume(rb);
			break;
		}
	}
	return TPK_EXIT_OK;
}

/* Read what the kernel offers, start the best backend and say which. 0,
 * or -1 once the reason is on stderr. */
static int tracer_start(struct tracer *t, struct tracepkt_bpf **skel)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	bool have_btf = vmlinux != NULL;
	struct tpk_why why;

	if (!vmlinux && env.verbose)
		tpk_note("no kernel BTF; using raw tracepoints");
	if (env.nf_backend != TPK_NF_NONE || env.drops)
		tpk_nf_probe(&t->nf, vmlinux);
	tpk_points_probe(&t->points, vmlinux, env.raw_tp);
	btf__free(vmlinux);
	why = start_best(t, skel);
	if (why.code != TPK_WHY_OK) {
		if (t->why[0] && env.nf_backend > TPK_NF_NONE)
			tpk_err("cannot start the %s netfilter backend (%s)",
				tpk_nf_backend_name(env.nf_backend), t->why);
		else if (!have_btf)
			/* CO-RE reads need it even where raw_tp attaches without. */
			tpk_err("cannot load BPF programs: no kernel BTF at /sys/kernel/btf/vmlinux "
				"(tracepkt needs a kernel built with CONFIG_DEBUG_INFO_BTF=y)");
		else
			tpk_err_errno(why.err, "cannot load and attach BPF programs (-v shows libbpf's log)");
		return -1;
	}
	if (env.nf_backend != TPK_NF_NONE)
		report_backend(t);
	if (t->hooks.unwatched)
		report_unwatched(t->hooks.unwatched);
	if (env.drops && !t->nf.free_reason)
		tpk_err("--drops: this kernel's skb:kfree_skb gives no drop reason (5.17+): "
			"drops show as drop.~UNK~");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct argp argp = { options, parse_opt, "[TARGET]", doc, NULL, NULL, NULL };
	struct tracepkt_bpf *skel = NULL;
	struct tracer tracer = { .backend = TPK_NF_NONE };
	struct ring_buffer *rb = NULL;
	struct tpk_ping ping = { .pid = -1, .pidfd = -1, .go_fd = -1, .status = -1 };
	struct run run = { 0 };
	struct tpk_ping_opts popts;
	struct epoll_event ev;
	int epfd = -1, exit_code = TPK_EXIT_FAIL, err;
	uint64_t lost;

	tpk_progname = "tracepkt";
	tpk_stdout_guard();
	argp_err_exit_status = TPK_EXIT_USAGE;
	tpk_points_default(env.points);
	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return TPK_EXIT_USAGE;
	tpk_json_errors = env.json;
	if (env.probe) {
		tpk_libbpf_setup(env.verbose);
		return tpk_probe_run(env.json);
	}
	if (!env.all && !env.target)
		env.target = DEFAULT_TARGET;
	popts = (struct tpk_ping_opts){ env.target, env.wait, env.size, env.family };
	if (!env.all && (err = tpk_ping_resolve(&popts))) {
		/* Before anything is loaded: ping would fail the same way. */
		tpk_err("cannot resolve '%s'%s: %s", env.target,
			env.family == AF_INET ? " as IPv4" : env.family == AF_INET6 ? " as IPv6" : "",
			gai_strerror(err));
		return TPK_EXIT_USAGE;
	}
	if (tpk_require_root(NULL))
		return TPK_EXIT_FAIL;
	tpk_libbpf_setup(env.verbose);
	tpk_signals_setup(&stop);

	if (tracer_start(&tracer, &skel))
		goto cleanup;

	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &run, NULL);
	if (!rb) {
		tpk_err_errno(errno, "cannot open the ring buffer");
		goto cleanup;
	}
	epfd = epoll_create1(EPOLL_CLOEXEC);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = 1 };
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, ring_buffer__epoll_fd(rb), &ev)) {
		tpk_err_errno(errno, "epoll");
		goto cleanup;
	}

	run.fmt.timestamp = env.timestamp;
	run.fmt.reason_name = reason_name;
	run.fmt.table_of = nfhook_table_of;
	run.fmt.ctx = &tracer;
	if (!env.json) {
		tpk_fmt_header(run.line, sizeof(run.line), &run.fmt);
		puts(run.line);
		fflush(stdout);
	}

	if (!env.all) {
		err = tpk_ping_spawn(&ping, &popts);
		if (err) {
			tpk_err_errno(err, "cannot start ping");
			goto cleanup;
		}
		skel->bss->target_tgid = ping.pid;
		if (ping.pidfd >= 0) {
			ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = 2 };
			epoll_ctl(epfd, EPOLL_CTL_ADD, ping.pidfd, &ev);
		}
		err = tpk_ping_release(&ping);
		if (err) {
			tpk_err_errno(err, "cannot start ping");
			goto cleanup;
		}
	}

	/* A pipe whose reader has gone reports EPOLLERR on its write end: stop
	 * then, instead of holding the programs attached for nobody. (A file or
	 * terminal either cannot be polled or never says so: write errors are
	 * caught at fflush.) */
	ev = (struct epoll_event){ .events = 0, .data.u32 = 3 };
	epoll_ctl(epfd, EPOLL_CTL_ADD, STDOUT_FILENO, &ev);

	exit_code = follow(rb, epfd, &ping, &run);
	if (!env.all) {
		tpk_ping_stop(&ping);
		exit_code = tpk_ping_exit_code(&ping);
		/* We stopped ping ourselves: say why, not how it died. */
		if (stop)
			exit_code = 128 + stop;
		else if (run.done && ping.status >= 0 && WIFSIGNALED(ping.status))
			exit_code = TPK_EXIT_OK;
	}
	if (stop == SIGPIPE)
		exit_code = 128 + SIGPIPE;	/* as if SIGPIPE had ended us */
	fflush(stdout);

cleanup:
	if (!env.all && ping.pid > 0)
		tpk_ping_stop(&ping);
	if (skel && (lost = lost_events(skel)))
		tpk_warn("%" PRIu64 " events lost: the ring buffer was full (try --ringbuf-size)", lost);
	if (epfd >= 0)
		close(epfd);
	ring_buffer__free(rb);
	tpk_nfhook_detach(&tracer.hooks);
	tpk_nf_free(&tracer.nf);
	tracepkt_bpf__destroy(skel);
	return exit_code;
}
