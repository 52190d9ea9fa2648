/* SPDX-License-Identifier: GPL-2.0 */
/* Small things every tool needs: error lines, libbpf logging, signals,
 * strict number parsing. */
#ifndef TPK_UTIL_H
#define TPK_UTIL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit codes shared by the tools (ping's own status passes through tracepkt). */
enum {
	TPK_EXIT_OK = 0,
	TPK_EXIT_FAIL = 1,	/* runtime failure: load, attach, kernel said no */
	TPK_EXIT_USAGE = 2,	/* bad command line or input */
};

/* What a command returns when the user's input is wrong (invalid, no such
 * device, already there, not there), its message printed: no errno, so
 * that a kernel's refusal (a verifier's -EINVAL, a map's -ENOSPC) is never
 * taken for the user's mistake. Only the code that judged the input
 * returns it. */
#define TPK_EINPUT 4096

/* Program name used as the prefix of every error line. */
extern const char *tpk_progname;

/* At exit, check that stdout was written: a closed pipe exits 141 quietly,
 * another write error is one line and exit 1. Call first thing in main. */
void tpk_stdout_guard(void);

/* Hold every signal but SIGKILL and SIGSTOP (and those a fault raises)
 * around a change that must be whole: one that arrives meanwhile acts once
 * the change is done or undone. */
void tpk_signals_hold(sigset_t *old);
void tpk_signals_release(const sigset_t *old);

/* s with control bytes as \xNN, in buf: for text that came from a file, a
 * device name or the kernel, before it reaches a terminal. */
const char *tpk_vis(const char *s, char *buf, size_t len);
/* -v was given: say more about what failed and why. */
extern bool tpk_verbose;

/* With --json: errors are {"error":"message"} lines on stdout. */
extern bool tpk_json_errors;

/* "PROG: message\n" on stderr (see tpk_json_errors). */
void tpk_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "PROG: note: message\n" on stderr, whatever the output format. */
void tpk_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "PROG: message\n" on stderr, whatever the output format: a warning for
 * the person watching, about output that did succeed. */
void tpk_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "PROG: message: strerror(err)\n"; err may be negative (libbpf style). */
void tpk_err_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Route libbpf's messages to stderr only with verbose, keep warnings otherwise
 * silent: a user wants one clear line, not the verifier log. */
void tpk_libbpf_setup(bool verbose);

/* SIGINT/SIGTERM/SIGHUP set *flag to the signal's number; SIGPIPE ignored so a closed pipe ends
 * output with EPIPE instead of killing the tool mid-cleanup. */
void tpk_signals_setup(volatile sig_atomic_t *flag);

/* Strict decimal parse of the whole string into [min, max]. 0 or -EINVAL/-ERANGE. */
int tpk_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Words joined with spaces, as tcpdump joins its arguments into a filter
 * expression: malloc'ed, or NULL after "out of memory" on stderr. */
char *tpk_words_join(char **words, int n);

/* Refuse to go on without root, with one line naming what the tool needs
 * root for: caps, or CAP_BPF and CAP_NET_ADMIN when NULL. */
int tpk_require_root(const char *caps);

#endif
