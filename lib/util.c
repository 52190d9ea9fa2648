// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "json.h"
#include "util.h"

const char *tpk_progname = "tracepkt";
bool tpk_verbose;
bool tpk_json_errors;

const char *tpk_vis(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	for (; *s && n + 5 < len; s++) {
		unsigned char c = *s;

		if (c < 0x20 || c == 0x7f)
			n += snprintf(buf + n, len - n, "\\x%02x", c);
		else
			buf[n++] = c;
	}
	buf[n] = '\0';
	return buf;
}

/* Messages quote file contents and device names: control bytes in them
 * must not reach the terminal as such. */
static void err_line(const char *fmt, va_list ap, const char *tail)
{
	char msg[1024], vis[4 * sizeof(msg)];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!tpk_json_errors) {
		fprintf(stderr, "%s: %s%s\n", tpk_progname, tpk_vis(msg, vis, sizeof(vis)), tail);
		return;
	}
	/* What reads --json reads stdout: the error is an object there, as
	 * bpftool's are. JSON escapes control bytes itself. */
	snprintf(vis, sizeof(vis), "%s%s", msg, tail);
	fputs("{\"error\":", stdout);
	tpk_json_quote(stdout, vis, sizeof(vis));
	fputs("}\n", stdout);
}

void tpk_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_line(fmt, ap, "");
	va_end(ap);
}

static void warn_line(const char *kind, const char *fmt, va_list ap)
{
	char msg[1024], vis[4 * sizeof(msg)];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s: %s%s\n", tpk_progname, kind, tpk_vis(msg, vis, sizeof(vis)));
}

void tpk_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	warn_line("note: ", fmt, ap);
	va_end(ap);
}

void tpk_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	warn_line("", fmt, ap);
	va_end(ap);
}

void tpk_err_errno(int err, const char *fmt, ...)
{
	char tail[128];
	va_list ap;

	if (err < 0)
		err = -err;
	/* 524 is the kernel-internal ENOTSUPP, which libc has no text for. */
	snprintf(tail, sizeof(tail), ": %s", err == 524 ? "Operation not supported by this kernel" : strerror(err));
	va_start(ap, fmt);
	err_line(fmt, ap, tail);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	if (!tpk_verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void tpk_libbpf_setup(bool verbose)
{
	tpk_verbose = verbose;
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	libbpf_set_print(libbpf_print);
}

/* stdout must reach its destination before we say we succeeded. A reader
 * that went away (EPIPE: SIGPIPE is ignored) ends us quietly with the
 * status SIGPIPE would have given; any other write error (a full disk) is
 * one line and exit 1. */
static void close_stdout(void)
{
	int err = 0;

	errno = 0;
	/* err -1: a write failed earlier, and its errno is long gone. */
	if (fflush(stdout) == EOF || ferror(stdout))
		err = errno ? errno : -1;
	if (fclose(stdout) == EOF && !err)
		err = errno ? errno : -1;
	if (!err)
		return;
	if (err == EPIPE)
		_exit(128 + SIGPIPE);
	if (err < 0)
		tpk_err("cannot write output");
	else
		tpk_err_errno(err, "cannot write output");
	_exit(TPK_EXIT_FAIL);
}

void tpk_stdout_guard(void)
{
	atexit(close_stdout);
}

void tpk_signals_hold(sigset_t *old)
{
	sigset_t all;

	/* Every signal that can be held; the ones a fault raises stay as they
	 * are (held, they would kill us all the same, or hang). */
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGABRT);
	sigprocmask(SIG_BLOCK, &all, old);
}

void tpk_signals_release(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

static volatile sig_atomic_t *stop_flag;

static void on_signal(int sig)
{
	if (stop_flag)
		*stop_flag = sig;
}

void tpk_signals_setup(volatile sig_atomic_t *flag)
{
	struct sigaction sa = { .sa_handler = on_signal };

	stop_flag = flag;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking poll or waitpid must return on Ctrl-C. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int tpk_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int tpk_require_root(const char *caps)
{
	if (geteuid() == 0)
		return 0;
	tpk_err("must run as root (needs %s)", caps ? caps : "CAP_BPF and CAP_NET_ADMIN");
	return -EPERM;
}

#ifdef __SANITIZE_ADDRESS__
#include <fcntl.h>
#include <signal.h>

/* make check SANITIZE=1: a sanitizer that stops a process aborts it, and a
 * test that expected the command to fail would not notice. So every abort
 * leaves a file in TPK_SANITIZE_DIR, which fails the run. (UBSan's own
 * reports ignore log_path when ASan is linked in, and skip the death
 * callback.) Only what is async-signal-safe here. */
static char san_mark[4096];
static size_t san_len;

static void san_abort(int sig)
{
	char path[sizeof(san_mark) + 12], digits[12];
	unsigned int pid = (unsigned int)getpid();
	size_t len = san_len, n = 0;
	int fd;

	memcpy(path, san_mark, len);
	do
		digits[n++] = '0' + pid % 10;
	while ((pid /= 10));
	while (n)
		path[len++] = digits[--n];
	path[len] = '\0';
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	signal(sig, SIG_DFL);
	raise(sig);
}

__attribute__((constructor)) static void san_setup(void)
{
	const char *dir = getenv("TPK_SANITIZE_DIR");
	int n;

	if (!dir)
		return;
	n = snprintf(san_mark, sizeof(san_mark), "%s/abort.", dir);
	if (n < 0 || (size_t)n >= sizeof(san_mark))
		return;
	san_len = (size_t)n;
	signal(SIGABRT, san_abort);
}
#endif

char *tpk_words_join(char **words, int n)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < n; i++)
		len += strlen(words[i]) + 1;
	s = calloc(1, len);
	if (!s) {
		tpk_err("out of memory");
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, words[i]);
	}
	return s;
}
