// SPDX-License-Identifier: GPL-2.0
/* tcdrop: drop traffic on a device with a tc BPF classifier, count what it
 * dropped, and take it away again touching nothing else. What
 * `tc qdisc add dev X clsact; tc filter add dev X ingress bpf da obj
 * prog.o` does by hand, as one command, safe to type on a live machine. */
#include <argp.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_arp.h>

#include "addr.h"
#include "cmd.h"
#include "sys.h"
#include "util.h"
#include "attach.h"
#include "filter.h"
#include "defroute.h"
#include "status.h"
#include "store.h"

/* Option groups: which options go with which commands. */
enum {
	G_DIRS = 1 << 0,	/* --ingress, --egress, --both */
	G_ATTACH = 1 << 1,	/* --proto, --src, --dst, --port, --legacy, --force */
	G_JSON = 1 << 2,
};

static int cmd_attach(char **args, int n);
static int cmd_detach(char **args, int n);
static int cmd_status(char **args, int n);

static const struct tpk_cmd cmd_table[] = {
	{ "attach", cmd_attach, 1, 1, "DEV", G_DIRS | G_ATTACH, false, false },
	{ "detach", cmd_detach, 1, 1, "DEV", G_DIRS, false, false },
	{ "status", cmd_status, 0, 1, "", G_JSON, false, false },
};

static void check_end(struct argp_state *state);

static struct tpk_cmds cmds = {
	.v = cmd_table, .n = ARRAY_SIZE(cmd_table), .json_group = G_JSON, .end = check_end,
};

#define DIR_IN	(1 << TCDROP_INGRESS)
#define DIR_OUT	(1 << TCDROP_EGRESS)

static struct env {
	const char *dev;
	unsigned int dirs;	/* DIR_* bits, 0: the command's default */
	bool legacy, force;
	struct tcdrop_opts opts;
} env = {
	.opts.proto = -1,
};

static const char doc[] =
"Drop packets on a network device with a tc BPF classifier, count them, and\n"
"remove it again without touching anything else on the device.\n"
"\n"
"  attach DEV   drop on DEV (ingress by default); stays after tcdrop exits\n"
"  detach DEV   remove tcdrop from DEV (every direction it is on by default)\n"
"  status [DEV] what is attached in this network namespace, and its counters\n"
"\n"
"Attachments use a tcx link pinned under /sys/fs/bpf/tcdrop/ on kernels with\n"
"tcx, else (or with --legacy) a clsact qdisc plus a cls_bpf filter\n"
"(pref 1997, handle 0x7cd). A device carrying the namespace's default route\n"
"is refused without --force.\n"
"\n"
"Examples:\n"
"  tcdrop attach docker0                    # drop all ingress on docker0\n"
"  tcdrop attach veth1 --both --proto udp --port 53\n"
"  tcdrop attach br0 --egress --proto tcp --dport 443   # only to port 443\n"
"  tcdrop attach eth0 --egress --dst 198.18.0.0/24 --force\n"
"  tcdrop attach veth1 --legacy             # clsact + cls_bpf, like tc\n"
"  tcdrop status --json\n"
"  tcdrop detach docker0\n"
"  ip netns exec ctr tcdrop attach eth0 --src 2001:db8::/32\n"
"\n"
"Exit status: 0 ok, 1 the kernel or the system said no, 2 bad command line.\n"
"\n"
"Options:";

enum {
	OPT_LEGACY = 0x100,
	OPT_FORCE,
	OPT_INGRESS,
	OPT_SPORT,
	OPT_DPORT,
};

static const struct argp_option options[] = {
	{ "ingress", OPT_INGRESS, NULL, 0, "Packets DEV receives (attach's default)", 0 },
	/* Old spellings, kept one release: -i and -f mean other things in
	 * the sibling tools (--ifname, --interface; --file). */
	{ NULL, 'i', NULL, OPTION_HIDDEN, NULL, 0 },
	{ NULL, 'f', NULL, OPTION_HIDDEN, NULL, 0 },
	{ "egress", 'e', NULL, 0, "Packets DEV sends", 0 },
	{ "both", 'b', NULL, 0, "Ingress and egress", 0 },
	{ "proto", 'p', "PROTO", 0, "attach: only this IP protocol (icmp: either family's, tcp, udp, icmpv6, sctp, a number; any: every one, the default)", 1 },
	{ "src", 's', "PREFIX", 0, "attach: only packets from ADDR[/LEN]", 1 },
	{ "dst", 'd', "PREFIX", 0, "attach: only packets to ADDR[/LEN]", 1 },
	{ "port", 'P', "PORT[-PORT]", 0, "attach: only TCP/UDP/SCTP packets from or to these ports", 1 },
	{ "sport", OPT_SPORT, "PORT[-PORT]", 0, "attach: only TCP/UDP/SCTP packets from these ports", 1 },
	{ "dport", OPT_DPORT, "PORT[-PORT]", 0, "attach: only TCP/UDP/SCTP packets to these ports", 1 },
	{ "legacy", OPT_LEGACY, NULL, 0, "attach: clsact + cls_bpf filter even when tcx exists", 2 },
	{ "force", OPT_FORCE, NULL, 0, "attach: even on the device of the default route", 2 },
	{ "json", 'j', NULL, 0, "status: one JSON document (errors too)", 3 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's messages", 3 },
	{ 0 },
};

/* The device's name, and a filter that can match something. */
static void check_end(struct argp_state *state)
{
	struct tcdrop_cfg cfg;
	const char *why;

	env.dev = cmds.nargs ? cmds.args[0] : NULL;
	if (env.dev && (!*env.dev || strlen(env.dev) >= IF_NAMESIZE || strchr(env.dev, '/')))
		argp_failure(state, TPK_EXIT_USAGE, 0, "invalid device name '%s'", env.dev);
	why = tcdrop_cfg_build(&env.opts, &cfg);
	if (why)
		argp_failure(state, TPK_EXIT_USAGE, 0, "%s", why);
}

/* A narrowing option given twice is a mistake, not "the last one wins":
 * the filter would not be what the command line seems to say. */
static void once(struct argp_state *state, int key, const char *name)
{
	static bool seen[128];

	if (key < 0 || key >= (int)sizeof(seen))
		return;
	if (seen[key])
		argp_failure(state, TPK_EXIT_USAGE, 0, "%s given twice", name);
	seen[key] = true;
}

/* --port, --sport, --dport: one port range per attachment. */
static void parse_port(struct argp_state *state, int key, const char *arg)
{
	struct tcdrop_opts *o = &env.opts;
	enum tcdrop_port_dir dir = key == OPT_SPORT ? TCDROP_PORT_SRC :
				   key == OPT_DPORT ? TCDROP_PORT_DST : TCDROP_PORT_EITHER;
	const char *name = tcdrop_port_opt(dir, true);

	tpk_cmds_opt(&cmds, G_ATTACH, name);
	if (o->port_set && o->port_dir == dir)
		argp_failure(state, TPK_EXIT_USAGE, 0, "%s given twice", name);
	if (o->port_set)
		argp_failure(state, TPK_EXIT_USAGE, 0, "%s and %s exclude each other (one port range)",
			     tcdrop_port_opt(o->port_dir, true), name);
	if (tpk_port_range_parse(arg, &o->port))
		argp_failure(state, TPK_EXIT_USAGE, 0, "invalid port '%s' (N or N-M, 1-65535)", arg);
	o->port_set = true;
	o->port_dir = dir;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct tcdrop_opts *o = &env.opts;

	switch (key) {
	case 'p': once(state, key, "--proto"); break;
	case 's': once(state, key, "--src"); break;
	case 'd': once(state, key, "--dst"); break;
	}
	if (key == 'i' || key == 'f')
		tpk_note("-%c is going away: say %s", key, key == 'i' ? "--ingress" : "--force");
	switch (key) {
	case 'i':
	case OPT_INGRESS:
		tpk_cmds_opt(&cmds, G_DIRS, "--ingress");
		env.dirs |= DIR_IN;
		break;
	case 'e':
		tpk_cmds_opt(&cmds, G_DIRS, "--egress");
		env.dirs |= DIR_OUT;
		break;
	case 'b':
		tpk_cmds_opt(&cmds, G_DIRS, "--both");
		env.dirs |= DIR_IN | DIR_OUT;
		break;
	case 'p':
		tpk_cmds_opt(&cmds, G_ATTACH, "--proto");
		if (tpk_proto_parse(arg, &o->proto))
			argp_failure(state, TPK_EXIT_USAGE, 0, "invalid protocol '%s'", arg);
		break;
	case 's':
	case 'd':
		tpk_cmds_opt(&cmds, G_ATTACH, key == 's' ? "--src" : "--dst");
		if (tpk_prefix_parse(arg, false, key == 's' ? &o->src : &o->dst))
			argp_failure(state, TPK_EXIT_USAGE, 0,
				     "invalid prefix '%s' (ADDR or ADDR/LEN, host bits zero)", arg);
		*(key == 's' ? &o->src_set : &o->dst_set) = true;
		break;
	case 'P':
	case OPT_SPORT:
	case OPT_DPORT:
		parse_port(state, key, arg);
		break;
	case OPT_LEGACY:
		tpk_cmds_opt(&cmds, G_ATTACH, "--legacy");
		env.legacy = true;
		break;
	case 'f':
	case OPT_FORCE:
		tpk_cmds_opt(&cmds, G_ATTACH, "--force");
		env.force = true;
		break;
	default:
		return tpk_cmds_parse(&cmds, key, arg, state);
	}
	return 0;
}

static const char *dir_word(int dir)
{
	return dir == TCDROP_EGRESS ? "egress" : "ingress";
}

/* Devices without a link-layer header (tun, wireguard, ipip) hand tc the
 * IP header first. */
static bool no_l2(const char *dev)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool none = false;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (fd >= 0 && !ioctl(fd, SIOCGIFHWADDR, &ifr))
		none = ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER &&
		       ifr.ifr_hwaddr.sa_family != ARPHRD_LOOPBACK;
	if (fd >= 0)
		close(fd);
	return none;
}

static int find_entry(struct tcdrop_entry *v, int n, int ifindex, const char *name, int dir)
{
	for (int i = 0; i < n; i++)
		if (v[i].info.dir == dir &&
		    (ifindex > 0 ? v[i].info.ifindex == (__u32)ifindex
				 : !strcmp(v[i].info.ifname, name)))
			return i;
	return -1;
}

static volatile sig_atomic_t interrupted;

/* What every command does first, under the lock: sweep the pins a deleted
 * namespace left, and finish what a killed command left half made. A
 * command that changes pins also checks bpffs is writable and holds
 * Ctrl-C (it only sets a flag nobody reads): an attach or detach, once
 * started, runs to its end (or its undo) rather than stop half way. Only
 * attach makes tcdrop's folder, so a failed detach or status leaves none.
 * 0, or -EIO: the system's failure, printed. */
static int prepare(bool writes, bool create)
{
	if (tcdrop_store_open() || tcdrop_lock(create))
		return -EIO;
	if (writes && tpk_require_writable(tcdrop_store_dir()))
		return -EIO;
	tcdrop_store_prune();
	tcdrop_recover();
	if (writes)
		tpk_signals_setup(&interrupted);
	return 0;
}

static int cmd_attach(char **args, int nargs)
{
	struct tcdrop_target t = { .ifname = args[0] };
	struct tcdrop_entry *v = NULL;
	int n, done = 0, err;
	unsigned int dirs = env.dirs ? env.dirs : DIR_IN;

	(void)nargs;
	t.ifindex = tpk_ifindex(env.dev);
	if (t.ifindex < 0)
		return t.ifindex;
	if (!env.force && tpk_way_out_refuse(env.dev, t.ifindex))
		return -TPK_EINPUT;
	err = prepare(true, true);
	if (err)
		return err;
	tcdrop_cfg_build(&env.opts, &t.cfg);
	t.cfg.no_l2 = no_l2(env.dev);
	t.mech = !env.legacy && tcdrop_tcx_supported() ? TCDROP_TCX : TCDROP_LEGACY;

	/* Refuse before changing anything, so --both never half-applies. An
	 * entry whose link or filter is gone (removed with tc, or left by a
	 * namespace whose inode got reused) is no attachment: replace it. */
	n = tcdrop_store_list(&v);
	for (int pass = 0; pass < 2; pass++)
		for (int dir = TCDROP_INGRESS; dir <= TCDROP_EGRESS; dir++) {
			int k = (dirs & (1u << dir)) ? find_entry(v, n, t.ifindex, env.dev, dir) : -1;
			bool gone = k >= 0 && tcdrop_entry_state(&v[k]) == TCDROP_ST_GONE;

			if (k >= 0 && !gone && !pass) {
				tpk_err("%s %s: already attached (see tcdrop status %s)", env.dev,
					dir_word(dir), env.dev);
				free(v);
				return -TPK_EINPUT;
			}
			if (gone && pass && tcdrop_detach(&v[k])) {
				free(v);
				return -EIO;
			}
		}
	free(v);

	for (int dir = TCDROP_INGRESS; dir <= TCDROP_EGRESS; dir++) {
		if (!(dirs & (1u << dir)))
			continue;
		t.dir = dir;
		err = tcdrop_attach(&t);
		if (err) {
			if (done)
				goto undo;
			return err == -TPK_EINPUT ? err : -EIO;
		}
		done |= 1u << dir;
	}
	return 0;

undo:
	n = tcdrop_store_list(&v);
	for (int dir = TCDROP_INGRESS; dir <= TCDROP_EGRESS; dir++) {
		int k = (done & (1u << dir)) ? find_entry(v, n, t.ifindex, env.dev, dir) : -1;

		if (k >= 0)
			tcdrop_detach(&v[k]);
	}
	free(v);
	return -EIO;
}

static int cmd_detach(char **args, int nargs)
{
	struct tcdrop_entry *v = NULL;
	int n, idx[2], ifindex, found = 0, err = 0;
	unsigned int dirs = env.dirs ? env.dirs : DIR_IN | DIR_OUT;

	(void)args, (void)nargs;
	err = prepare(true, false);
	if (err)
		return err;
	/* A deleted device can still have pins: find them by the name they had. */
	ifindex = if_nametoindex(env.dev);
	n = tcdrop_store_list(&v);
	if (n < 0) {
		tpk_err_errno(n, "cannot read %s", tcdrop_store_dir());
		return -EIO;
	}
	for (int dir = TCDROP_INGRESS; dir <= TCDROP_EGRESS; dir++) {
		idx[dir] = (dirs & (1u << dir)) ? find_entry(v, n, ifindex, env.dev, dir) : -1;
		found += idx[dir] >= 0;
		if (idx[dir] < 0 && env.dirs && (dirs & (1u << dir))) {
			tpk_err("%s %s: tcdrop is not attached there", env.dev, dir_word(dir));
			free(v);
			return -TPK_EINPUT;
		}
	}
	if (!found) {
		if (ifindex <= 0)
			tpk_err("no such device '%s', and no tcdrop attachment by that name", env.dev);
		else
			tpk_err("%s: tcdrop is not attached there", env.dev);
		free(v);
		return -TPK_EINPUT;
	}
	for (int dir = TCDROP_INGRESS; dir <= TCDROP_EGRESS; dir++)
		if (idx[dir] >= 0 && tcdrop_detach(&v[idx[dir]]))
			err = -EIO;
	free(v);
	return err;
}

static int cmd_status(char **args, int nargs)
{
	struct tcdrop_entry *v = NULL;
	struct tcdrop_row *rows = NULL;
	int n, ifindex = 0, err;

	(void)args, (void)nargs;
	if (env.dev) {
		ifindex = if_nametoindex(env.dev);
		if (!ifindex) {
			tpk_err("no such device '%s'", env.dev);
			return -TPK_EINPUT;
		}
	}
	err = prepare(false, false);
	if (err)
		return err;
	n = tcdrop_store_list(&v);
	if (n < 0) {
		tpk_err_errno(n, "cannot read %s", tcdrop_store_dir());
		return -EIO;
	}
	n = tcdrop_status_collect(v, n, ifindex, &rows);
	err = n < 0 || tcdrop_status_render(stdout, rows, n, cmds.json) ? -EIO : 0;
	free(rows);
	free(v);
	return err;
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		options, parse_opt, "attach DEV | detach DEV | status [DEV]", doc, NULL, NULL, NULL
	};

	tpk_progname = "tcdrop";
	return tpk_cmds_main(&cmds, &argp, argc, argv);
}
