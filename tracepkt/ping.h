/* SPDX-License-Identifier: GPL-2.0 */
/* The ping tracepkt runs and follows. */
#ifndef TRACEPKT_PING_H
#define TRACEPKT_PING_H

#include <sys/types.h>

struct tpk_ping {
	pid_t pid;
	int pidfd;	/* readable once ping has exited; -1 if unsupported */
	int go_fd;	/* write end of the pipe ping waits on before exec */
	int status;	/* exit status once reaped, -1 before */
};

/* How to ping. */
struct tpk_ping_opts {
	const char *target;	/* as the user gave it: a name, ADDR%ZONE */
	const char *wait;	/* ping -W, NULL: ping's default */
	const char *size;	/* ping -s, NULL: ping's default */
	int family;		/* ping -4 / -6, 0: as ping chooses */
};

/* Fork `ping -c1 [-4|-6] [-W wait] [-s size] TARGET` held before exec, so
 * the tracer can learn its pid and arm the kernel side before a packet
 * leaves. ping's stdout is discarded (the README of the Python tool,
 * https://github.com/yadutaf/tracepkt, shows only the trace); its errors
 * stay on stderr. */
int tpk_ping_spawn(struct tpk_ping *p, const struct tpk_ping_opts *o);
/* Can ping's TARGET be resolved as ping would (getaddrinfo, -4/-6)? 0, or
 * an EAI_* code. */
int tpk_ping_resolve(const struct tpk_ping_opts *o);
/* Let ping exec. */
int tpk_ping_release(struct tpk_ping *p);
/* Non-blocking reap: 1 when ping has exited (status in p->status). */
int tpk_ping_reap(struct tpk_ping *p, int block);
/* Stop a ping still running (Ctrl-C, --count reached) and reap it. */
void tpk_ping_stop(struct tpk_ping *p);
/* ping's exit code, as a shell would report it. */
int tpk_ping_exit_code(const struct tpk_ping *p);

#endif
