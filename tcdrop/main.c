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
#include "sys.h"
#include "util.h"
#include "version.h"
#include "attach.h"
#include "filter.h"
#include "defroute.h"
#include "status.h"
#include "store.h"

enum cmd { CMD_NONE, CMD_ATTACH, CMD_DETACH, CMD_STATUS };

#define DIR_IN	(1 << TCDROP_INGRESS)
#define DIR_OUT	(1 << TCDROP_EGRESS)

static struct env {
	enum cmd cmd;
	const char *dev;
	unsigned int dirs;	/* DIR_* bits, 0: the command's default */
	bool legacy, force, json, verbose;
	bool narrowed;
	struct tcdrop_opts opts;
} env = {
	.opts.proto = -1,
};

void (*argp_program_version_hook)(FILE *, struct argp_state *) = tpk_version_print;
const char *argp_program_bug_address = "the project's issue tracker";

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
	OPT_JSON,
};

static const struct argp_option options[] = {
	{ "ingress", 'i', NULL, 0, "Packets DEV receives (attach's default)", 0 },
	{ "egress", 'e', NULL, 0, "Packets DEV sends", 0 },
	{ "both", 'b', NULL, 0, "Ingress and egress", 0 },
	{ "proto", 'p', "PROTO", 0, "attach: only this IP protocol (icmp, tcp, udp, icmpv6, sctp, a number; any: every one, the default)", 1 },
	{ "src", 's', "PREFIX", 0, "attach: only packets from ADDR[/LEN]", 1 },
	{ "dst", 'd', "PREFIX", 0, "attach: only packets to ADDR[/LEN]", 1 },
	{ "port", 'P', "PORT[-PORT]", 0, "attach: only TCP/UDP/SCTP packets from or to these ports", 1 },
	{ "legacy", OPT_LEGACY, NULL, 0, "attach: clsact + cls_bpf filter even when tcx exists", 2 },
	{ "force", 'f', NULL, 0, "attach: even on the device of the default route", 2 },
	{ "json", OPT_JSON, NULL, 0, "status: one JSON document", 3 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's messages", 3 },
	{ 0 },
};

static enum cmd parse_cmd(const char *s)
{
	if (!strcmp(s, "attach"))
		return CMD_ATTACH;
	if (!strcmp(s, "detach"))
		return CMD_DETACH;
	if (!strcmp(s, "status"))
		return CMD_STATUS;
	return CMD_NONE;
}

static void check_end(struct argp_state *state)
{
	if (env.cmd == CMD_NONE)
		argp_failure(state, TPK_EXIT_USAGE, 0, "missing command: attach, detach or status");
	if (env.cmd != CMD_STATUS && !env.dev)
		argp_failure(state, TPK_EXIT_USAGE, 0, "missing device");
	if (env.cmd != CMD_ATTACH && (env.narrowed || env.legacy || env.force))
		argp_failure(state, TPK_EXIT_USAGE, 0,
			     "--proto, --src, --dst, --port, --legacy and --force go with attach");
	if (env.cmd == CMD_STATUS && env.dirs)
		argp_failure(state, TPK_EXIT_USAGE, 0,
			     "--ingress, --egress and --both go with attach and detach");
	if (env.cmd != CMD_STATUS && env.json)
		argp_failure(state, TPK_EXIT_USAGE, 0, "--json goes with status");
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

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct tcdrop_opts *o = &env.opts;
	struct tcdrop_cfg cfg;
	const char *why;

	switch (key) {
	case 'p': once(state, key, "--proto"); break;
	case 's': once(state, key, "--src"); break;
	case 'd': once(state, key, "--dst"); break;
	case 'P': once(state, key, "--port"); break;
	}
	switch (key) {
	case 'i':
		env.dirs |= DIR_IN;
		break;
	case 'e':
		env.dirs |= DIR_OUT;
		break;
	case 'b':
		env.dirs |= DIR_IN | DIR_OUT;
		break;
	case 'p':
		if (tpk_proto_parse(arg, &o->proto))
			argp_failure(state, TPK_EXIT_USAGE, 0, "invalid protocol '%s'", arg);
		env.narrowed |= o->proto >= 0;
		break;
	case 's':
	case 'd':
		if (tpk_prefix_parse(arg, false, key == 's' ? &o->src : &o->dst))
			argp_failure(state, TPK_EXIT_USAGE, 0,
				     "invalid prefix '%s' (ADDR or ADDR/LEN, host bits zero)", arg);
		*(key == 's' ? &o->src_set : &o->dst_set) = true;
		env.narrowed = true;
		break;
	case 'P':
		if (tpk_port_range_parse(arg, &o->port))
			argp_failure(state, TPK_EXIT_USAGE, 0, "invalid port '%s' (N or N-M, 1-65535)", arg);
		o->port_set = env.narrowed = true;
		break;
	case OPT_LEGACY:
		env.legacy = true;
		break;
	case 'f':
		env.force = true;
		break;
	case OPT_JSON:
		env.json = true;
		break;
	case 'v':
		env.verbose = true;
		break;
	case ARGP_KEY_ARG:
		if (state->arg_num == 0) {
			env.cmd = parse_cmd(arg);
			if (env.cmd == CMD_NONE)
				argp_failure(state, TPK_EXIT_USAGE, 0,
					     "unknown command '%s' (attach, detach or status)", arg);
		} else if (state->arg_num == 1) {
			if (!*arg || strlen(arg) >= IF_NAMESIZE || strchr(arg, '/'))
				argp_failure(state, TPK_EXIT_USAGE, 0, "invalid device name '%s'", arg);
			env.dev = arg;
		} else {
			argp_failure(state, TPK_EXIT_USAGE, 0, "too many arguments: '%s'", arg);
		}
		break;
	case ARGP_KEY_END:
		check_end(state);
		why = tcdrop_cfg_build(o, &cfg);
		if (why)
			argp_failure(state, TPK_EXIT_USAGE, 0, "%s", why);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
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

static int cmd_attach(void)
{
	struct tcdrop_target t = { .ifname = env.dev };
	struct tcdrop_entry *v = NULL;
	int n, done = 0, err;
	unsigned int dirs = env.dirs ? env.dirs : DIR_IN;

	t.ifindex = tpk_ifindex(env.dev);
	if (t.ifindex < 0)
		return TPK_EXIT_USAGE;
	if (!env.force && tpk_way_out_refuse(env.dev, t.ifindex))
		return TPK_EXIT_USAGE;
	tcdrop_cfg_build(&env.opts, &t.cfg);
	t.cfg.no_l2 = no_l2(env.dev);
	t.mech = !env.legacy && tcdrop_tcx_supported() ? TCDROP_TCX : TCDROP_LEGACY;

	/* Refuse before changing anything, so --both never half-applies. An
	 * entry whose link or filter is gone (removed with tc, or left by a
	 * namespace whose inode got reused) is no attachment: replace it. */
	n = tcdrop_store_list(&v);
	for (int pass = 0; pass < 2; pass++)
		for (int dir = TCDROP_INGRESS; dir <= TCDROP_EGRESS; dir++) {
			int k = (dirs & (1u << dir)) ? find_entry(v, n, t.ifindex, NULL, dir) : -1;
			bool gone = k >= 0 && tcdrop_entry_state(&v[k]) == TCDROP_ST_GONE;

			if (k >= 0 && !gone && !pass) {
				tpk_err("%s %s: already attached (see tcdrop status %s)", env.dev,
					dir_word(dir), env.dev);
				free(v);
				return TPK_EXIT_USAGE;
			}
			if (gone && pass && tcdrop_detach(&v[k])) {
				free(v);
				return TPK_EXIT_FAIL;
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
			return err == -EEXIST ? TPK_EXIT_USAGE : TPK_EXIT_FAIL;
		}
		done |= 1u << dir;
	}
	return TPK_EXIT_OK;

undo:
	n = tcdrop_store_list(&v);
	for (int dir = TCDROP_INGRESS; dir <= TCDROP_EGRESS; dir++) {
		int k = (done & (1u << dir)) ? find_entry(v, n, t.ifindex, NULL, dir) : -1;

		if (k >= 0)
			tcdrop_detach(&v[k]);
	}
	free(v);
	return TPK_EXIT_FAIL;
}

static int cmd_detach(void)
{
	struct tcdrop_entry *v = NULL;
	int n, idx[2], ifindex, found = 0, rc = TPK_EXIT_OK;
	unsigned int dirs = env.dirs ? env.dirs : DIR_IN | DIR_OUT;
	/* A deleted device can still have pins: find them by the name they had. */
	ifindex = if_nametoindex(env.dev);
	n = tcdrop_store_list(&v);
	if (n < 0) {
		tpk_err_errno(n, "cannot read %s", tcdrop_store_dir());
		return TPK_EXIT_FAIL;
	}
	for (int dir = TCDROP_INGRESS; dir <= TCDROP_EGRESS; dir++) {
		idx[dir] = (dirs & (1u << dir)) ? find_entry(v, n, ifindex, env.dev, dir) : -1;
		found += idx[dir] >= 0;
		if (idx[dir] < 0 && env.dirs && (dirs & (1u << dir))) {
			tpk_err("%s %s: tcdrop is not attached there", env.dev, dir_word(dir));
			free(v);
			return TPK_EXIT_USAGE;
		}
	}
	if (!found) {
		if (ifindex <= 0)
			tpk_err("no such device '%s', and no tcdrop attachment by that name", env.dev);
		else
			tpk_err("%s: tcdrop is not attached there", env.dev);
		free(v);
		return TPK_EXIT_USAGE;
	}
	for (int dir = TCDROP_INGRESS; dir <= TCDROP_EGRESS; dir++)
		if (idx[dir] >= 0 && tcdrop_detach(&v[idx[dir]]))
			rc = TPK_EXIT_FAIL;
	free(v);
	return rc;
}

static int cmd_status(void)
{
	struct tcdrop_entry *v = NULL;
	int n, ifindex = 0, rc;

	if (env.dev) {
		ifindex = if_nametoindex(env.dev);
		if (!ifindex) {
			tpk_err("no such device '%s'", env.dev);
			return TPK_EXIT_USAGE;
		}
	}
	n = tcdrop_store_list(&v);
	if (n < 0) {
		tpk_err_errno(n, "cannot read %s", tcdrop_store_dir());
		return TPK_EXIT_FAIL;
	}
	rc = tcdrop_status_print(stdout, v, n, ifindex, env.json);
	free(v);
	return rc ? TPK_EXIT_FAIL : TPK_EXIT_OK;
}

static volatile sig_atomic_t interrupted;

int main(int argc, char **argv)
{
	static const struct argp argp = {
		options, parse_opt, "attach DEV | detach DEV | status [DEV]", doc, NULL, NULL, NULL
	};

	tpk_progname = "tcdrop";
	tpk_stdout_guard();
	argp_err_exit_status = TPK_EXIT_USAGE;
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return TPK_EXIT_USAGE;
	if (tpk_require_root())
		return TPK_EXIT_FAIL;
	tpk_libbpf_setup(env.verbose);
	if (tcdrop_store_open())
		return TPK_EXIT_FAIL;
	if (tcdrop_lock() < 0)
		return TPK_EXIT_FAIL;
	if (env.cmd != CMD_STATUS && tpk_require_writable(tcdrop_store_dir()))
		return TPK_EXIT_FAIL;
	/* A deleted namespace leaves its pins: every command sweeps them. */
	tcdrop_store_prune();
	/* And a command killed half way leaves a hidden or partial entry. */
	tcdrop_recover();
	/* Ctrl-C only sets a flag nobody reads: an attach or detach, once
	 * started, runs to its end (or its undo) rather than stop half way. */
	if (env.cmd != CMD_STATUS)
		tpk_signals_setup(&interrupted);
	switch (env.cmd) {
	case CMD_ATTACH:
		return cmd_attach();
	case CMD_DETACH:
		return cmd_detach();
	default:
		return cmd_status();
	}
}
