/* SPDX-License-Identifier: GPL-2.0 */
/* pktsend: the benchmarks' packet sender. Sends UDP datagrams through the
 * stack (sendmmsg on an unconnected socket) or prebuilt Ethernet/IPv4/UDP
 * frames straight to a device (AF_PACKET, qdisc bypassed), or the same
 * frames as XDP frames (an XDP_TX program run in BPF_PROG_TEST_RUN's live
 * frames mode: the peer of a veth receives xdp_frames, as from a NIC's
 * driver, not skbs), bounded by a packet count and a number of seconds,
 * optionally paced to a rate (udp and raw only).
 * Prints one line: sent=N seconds=S pps=P cpu_ns_per_pkt=C errors=E
 *
 *   pktsend udp DST_ADDR PORT [options]
 *   pktsend raw|xdp IFNAME SRC_MAC DST_MAC SRC_IP4 DST_IP4 PORT [options]
 *   pktsend gro IFNAME on|off      (a veth needs GRO on to take XDP frames
 *                                   without an XDP program of its own)
 *
 * options: -n COUNT (default unbounded) -s SECONDS (default 2, at most 600)
 *          -r PPS (default: as fast as possible) -b BATCH (default 64)
 *          -l PAYLOAD_BYTES (default 18: 64-byte frames)
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCH 256
#define MAX_PAYLOAD 1400

struct opts {
	uint64_t count;
	double seconds;
	uint64_t rate;
	unsigned int batch;
	unsigned int payload;
};

static void die(const char *msg)
{
	fprintf(stderr, "pktsend: %s\n", msg);
	exit(2);
}

static void die_errno(const char *what)
{
	fprintf(stderr, "pktsend: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t num(const char *s, uint64_t max, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v > max || s[0] == '-') {
		fprintf(stderr, "pktsend: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	int c;

	*o = (struct opts){ .count = UINT64_MAX, .seconds = 2, .batch = 64, .payload = 18 };
	while ((c = getopt(argc, argv, "n:s:r:b:l:")) != -1) {
		switch (c) {
		case 'n': o->count = num(optarg, UINT64_MAX, "count"); break;
		case 's': {
			char *end;

			o->seconds = strtod(optarg, &end);
			if (*end || end == optarg || !(o->seconds > 0 && o->seconds <= 600))
				die("seconds must be in (0, 600]");
			break;
		}
		case 'r': o->rate = num(optarg, 100000000, "rate"); break;
		case 'b': o->batch = num(optarg, MAX_BATCH, "batch"); break;
		case 'l': o->payload = num(optarg, MAX_PAYLOAD, "payload length"); break;
		default: exit(2);
		}
	}
	if (!o->batch)
		die("batch must be 1-256");
	/* Pacing sends whole batches: keep them to about a millisecond of traffic. */
	if (o->rate && o->rate / 1000 + 1 < o->batch)
		o->batch = o->rate / 1000 + 1;
}

static uint16_t csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; len -= 2, p += 2)
		sum += (p[0] << 8) | p[1];
	if (len)
		sum += p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum);
}

static void mac(const char *s, uint8_t *out)
{
	unsigned int b[6];
	char tail;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
		die("bad MAC address");
	for (int i = 0; i < 6; i++) {
		if (b[i] > 255)
			die("bad MAC address");
		out[i] = b[i];
	}
}

/* Ethernet + IPv4 + UDP, checksummed: ip_rcv drops a bad IP checksum. */
static size_t build_frame(uint8_t *f, char **argv, uint16_t port, unsigned int payload)
{
	struct ether_header *eth = (void *)f;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	size_t ip_len = sizeof(*ip) + sizeof(*udp) + payload;

	memset(f, 0, sizeof(*eth) + ip_len);
	mac(argv[0], eth->ether_shost);
	mac(argv[1], eth->ether_dhost);
	eth->ether_type = htons(ETHERTYPE_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(ip_len);
	if (inet_pton(AF_INET, argv[2], &ip->saddr) != 1 || inet_pton(AF_INET, argv[3], &ip->daddr) != 1)
		die("bad IPv4 address");
	ip->check = csum(ip, sizeof(*ip));
	udp->source = htons(40000);
	udp->dest = htons(port);
	udp->len = htons(sizeof(*udp) + payload);
	/* UDP checksum 0: none, allowed over IPv4. */
	return sizeof(*eth) + ip_len;
}

static int set_gro(const char *ifname, const char *onoff)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_SGRO, .data = !strcmp(onoff, "on") };
	struct ifreq ifr = { .ifr_data = (void *)&ev };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (strcmp(onoff, "on") && strcmp(onoff, "off"))
		die("gro: on or off");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd < 0 || ioctl(fd, SIOCETHTOOL, &ifr))
		die_errno(ifname);
	if (fd >= 0)
		close(fd);
	return 0;
}

#define HDR_LEN (sizeof(struct ether_header) + sizeof(struct iphdr))

/* XDP frames out of IFNAME: an XDP_TX program run on the frame in live
 * mode, repeated, which the kernel turns into a redirect to IFNAME itself.
 * Live mode recycles its pages without copying the frame in again, and a
 * forwarding receiver rewrites the MAC header and TTL in place: so the
 * program writes the Ethernet and IP headers back first, 4 bytes a store. */
static void send_xdp(const char *ifname, const uint8_t *frame, size_t len, const struct opts *o,
		     uint64_t *sent, uint64_t *errors, double deadline)
{
	struct bpf_insn tx[32] = {
		{ .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = BPF_REG_2, .src_reg = BPF_REG_1,
		  .off = offsetof(struct xdp_md, data) },
		{ .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = BPF_REG_3, .src_reg = BPF_REG_1,
		  .off = offsetof(struct xdp_md, data_end) },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_4, .src_reg = BPF_REG_2 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_4, .imm = HDR_LEN + 2 },
		{ .code = BPF_JMP | BPF_JGT | BPF_X, .dst_reg = BPF_REG_4, .src_reg = BPF_REG_3 },
	};
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = if_nametoindex(ifname) };
	unsigned int n = 5, jmp = 4;
	int prog;

	if (!ctx.ingress_ifindex)
		die_errno(ifname);
	/* 34 header bytes, stored as 9 words (the last spills 2 bytes into
	 * the UDP source port, which holds the same bytes). */
	for (size_t off = 0; off < HDR_LEN; off += 4) {
		int32_t w;

		memcpy(&w, frame + off, 4);
		tx[n++] = (struct bpf_insn){ .code = BPF_ST | BPF_MEM | BPF_W, .dst_reg = BPF_REG_2,
					     .off = off, .imm = w };
	}
	tx[jmp].off = n - jmp - 1;
	tx[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_TX };
	tx[n++] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
	prog = bpf_prog_load(BPF_PROG_TYPE_XDP, "pktsend_tx", "GPL", tx, n, NULL);
	if (prog < 0) {
		errno = -prog;
		die_errno("loading the XDP_TX program");
	}
	while (*sent < o->count && now(CLOCK_MONOTONIC) < deadline) {
		uint64_t left = o->count - *sent;
		LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = frame, .data_size_in = len,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
			    .repeat = left < 16384 ? left : 16384, .batch_size = o->batch,
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

		if (bpf_prog_test_run_opts(prog, &t)) {
			if (errno != EINTR)
				die_errno("BPF_PROG_TEST_RUN (live frames)");
			(*errors)++;
			continue;
		}
		*sent += t.repeat;
	}
	close(prog);
}

int main(int argc, char **argv)
{
	static uint8_t buf[2048];
	struct mmsghdr msgs[MAX_BATCH];
	struct iovec iov;
	struct sockaddr_storage dst = {};
	socklen_t dst_len = 0;
	struct opts o;
	uint64_t sent = 0, errors = 0;
	double t0, deadline, c0, elapsed, cpu;
	int fd, one = 1, nargs;
	const char *mode;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(stderr, "usage: pktsend udp DST_ADDR PORT [-n COUNT] [-s SECONDS] [-r PPS] [-b BATCH] [-l BYTES]\n"
				"       pktsend raw|xdp IFNAME SRC_MAC DST_MAC SRC_IP4 DST_IP4 PORT [options]\n"
				"       pktsend gro IFNAME on|off\n");
		return argc < 2 ? 2 : 0;
	}
	mode = argv[1];
	if (!strcmp(mode, "gro") && argc == 4)
		return set_gro(argv[2], argv[3]);
	nargs = !strcmp(mode, "udp") ? 2 : !strcmp(mode, "raw") || !strcmp(mode, "xdp") ? 6 : -1;
	if (nargs < 0)
		die("mode must be udp, raw, xdp or gro");
	if (argc < 2 + nargs)
		die("missing arguments (--help)");
	optind = 2 + nargs;
	parse_opts(argc, argv, &o);
	if (optind != argc)
		die("unexpected argument");

	if (nargs == 2) {
		struct sockaddr_in *s4 = (void *)&dst;
		struct sockaddr_in6 *s6 = (void *)&dst;
		uint16_t port = num(argv[3], 65535, "port");

		if (inet_pton(AF_INET, argv[2], &s4->sin_addr) == 1) {
			s4->sin_family = AF_INET;
			s4->sin_port = htons(port);
			dst_len = sizeof(*s4);
		} else if (inet_pton(AF_INET6, argv[2], &s6->sin6_addr) == 1) {
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons(port);
			dst_len = sizeof(*s6);
		} else {
			die("bad address");
		}
		/* Unconnected: an ICMP port unreachable must not fail later sends. */
		fd = socket(dst.ss_family, SOCK_DGRAM, 0);
		if (fd < 0)
			die_errno("socket");
		iov = (struct iovec){ buf, o.payload };
	} else if (!strcmp(mode, "xdp")) {
		fd = -1;
		if (o.rate)
			die("xdp mode is not paced");
		iov = (struct iovec){ buf, build_frame(buf, argv + 3, num(argv[7], 65535, "port"), o.payload) };
	} else {
		struct sockaddr_ll ll = { .sll_family = AF_PACKET };

		ll.sll_ifindex = if_nametoindex(argv[2]);
		if (!ll.sll_ifindex)
			die_errno(argv[2]);
		/* Protocol 0: send only, never receive. */
		fd = socket(AF_PACKET, SOCK_RAW, 0);
		if (fd < 0)
			die_errno("socket");
		if (bind(fd, (void *)&ll, sizeof(ll)))
			die_errno("bind");
		/* Straight to the driver: measure the receiver, not our qdisc. */
		setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
		iov = (struct iovec){ buf, build_frame(buf, argv + 3, num(argv[7], 65535, "port"), o.payload) };
	}
	for (unsigned int i = 0; i < o.batch; i++)
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = dst_len ? &dst : NULL,
							 .msg_namelen = dst_len, .msg_iov = &iov, .msg_iovlen = 1 } };

	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	deadline = t0 + o.seconds;
	if (fd < 0)
		send_xdp(argv[2], buf, iov.iov_len, &o, &sent, &errors, deadline);
	while (fd >= 0 && sent < o.count) {
		unsigned int n = o.count - sent < o.batch ? o.count - sent : o.batch;
		double t = now(CLOCK_MONOTONIC);
		int r;

		if (t >= deadline)
			break;
		if (o.rate) {
			double due = t0 + (double)(sent + errors) / o.rate;

			if (due > t) {
				struct timespec ts = { (time_t)(due - t), (long)((due - t - (time_t)(due - t)) * 1e9) };

				nanosleep(&ts, NULL);
				continue;
			}
		}
		r = sendmmsg(fd, msgs, n, 0);
		if (r < 0) {
			if (errno != ENOBUFS && errno != EAGAIN && errno != ECONNREFUSED && errno != EINTR)
				die_errno("sendmmsg");
			errors++;
			continue;
		}
		sent += r;
	}
	elapsed = now(CLOCK_MONOTONIC) - t0;
	cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	printf("sent=%llu seconds=%.3f pps=%.0f cpu_ns_per_pkt=%.0f errors=%llu\n",
	       (unsigned long long)sent, elapsed, sent / elapsed, sent ? cpu * 1e9 / sent : 0.0,
	       (unsigned long long)errors);
	if (fd >= 0)
		close(fd);
	return 0;
}
