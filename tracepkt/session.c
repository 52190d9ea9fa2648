// SPDX-License-Identifier: GPL-2.0
/* The event loop: the ring buffer, ping's exit and stdout's reader in one
 * epoll set. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "util.h"
#include "format.h"
#include "session.h"
#include "tracepkt.skel.h"

/* epoll's tags. */
enum { EV_RING = 1, EV_PING, EV_STDOUT };

/* State the ring-buffer callback needs. */
struct run {
	const struct tpk_trace_opts *o;
	struct tracer *t;
	struct tpk_fmt_opts fmt;
	uint64_t printed;
	bool done;
	char line[1024];
};

/* The signal handler's flag, the one global it can reach. */
static volatile sig_atomic_t stop;

static int on_event(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;
	struct tpk_event ev, *e = &ev;

	if (size < sizeof(*e) || r->done)
		return 0;
	memcpy(e, data, sizeof(*e));
	tracer_saw(r->t, e);
	if (r->o->json) {
		if (tpk_fmt_json(stdout, e, &r->fmt) < 0)
			return 0;
	} else {
		if (tpk_fmt_line(r->line, sizeof(r->line), e, &r->fmt) < 0)
			return 0;
		puts(r->line);
	}
	if (r->o->count && ++r->printed >= r->o->count)
		r->done = true;
	return 0;
}

/* Print events until ping exits, --count is reached, a signal comes or
 * stdout fails. */
static int follow(struct ring_buffer *rb, int epfd, struct tpk_ping *ping, const struct run *run)
{
	bool all = run->o->all;

	while (!stop && !run->done) {
		struct epoll_event evs[3];
		/* Without a pidfd, poll for ping's exit every 10 ms. */
		int n = epoll_wait(epfd, evs, 3, all || ping->pidfd >= 0 ? -1 : 10);
		bool reader_gone = false;

		if (n < 0 && errno != EINTR) {
			tpk_err_errno(errno, "epoll_wait");
			return TPK_EXIT_FAIL;
		}
		for (int i = 0; i < n; i++)
			reader_gone |= evs[i].data.u32 == EV_STDOUT;
		ring_buffer__consume(rb);
		if (fflush(stdout) == EOF || ferror(stdout) || reader_gone) {
			/* The exit handler says why (tpk_stdout_guard). */
			if (reader_gone && !ferror(stdout))
				stop = SIGPIPE;
			return TPK_EXIT_FAIL;
		}
		if (!all && tpk_ping_reap(ping, 0)) {
			/* The reply was delivered before ping could exit. */
			ring_buffer__consume(rb);
			break;
		}
	}
	return TPK_EXIT_OK;
}

static int watch(int epfd, int fd, uint32_t events, uint32_t tag)
{
	struct epoll_event ev = { .events = events, .data.u32 = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* Spawn ping held before exec, tell the kernel side its pid, let it go. */
static int start_ping(struct tracer *t, struct tpk_ping *ping, const struct tpk_ping_opts *o,
		      int epfd)
{
	int err = tpk_ping_spawn(ping, o);

	if (!err) {
		t->skel->bss->target_tgid = ping->pid;
		if (ping->pidfd >= 0)
			watch(epfd, ping->pidfd, EPOLLIN, EV_PING);
		err = tpk_ping_release(ping);
	}
	if (err)
		tpk_err_errno(err, "cannot start ping");
	return err;
}

/* What follow's end means, with a ping. */
static int ping_status(struct tpk_ping *ping, const struct run *run)
{
	tpk_ping_stop(ping);
	/* We stopped ping ourselves: say why, not how it died. */
	if (stop)
		return 128 + stop;
	if (run->done && ping->status >= 0 && WIFSIGNALED(ping->status))
		return TPK_EXIT_OK;
	return tpk_ping_exit_code(ping);
}

int tpk_session_run(struct tracer *t, const struct tpk_ping_opts *popts)
{
	struct tpk_ping ping = { .pid = -1, .pidfd = -1, .go_fd = -1, .status = -1 };
	struct run run = { .o = t->o, .t = t };
	struct ring_buffer *rb;
	int epfd = -1, exit_code = TPK_EXIT_FAIL;

	tpk_signals_setup(&stop);
	rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_event, &run, NULL);
	if (!rb) {
		tpk_err_errno(errno, "cannot open the ring buffer");
		goto cleanup;
	}
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0 || watch(epfd, ring_buffer__epoll_fd(rb), EPOLLIN, EV_RING)) {
		tpk_err_errno(errno, "epoll");
		goto cleanup;
	}

	run.fmt.timestamp = t->o->timestamp;
	run.fmt.reason_name = tracer_reason_name;
	run.fmt.table_of = tracer_table_of;
	run.fmt.progs_of = tracer_progs_of;
	run.fmt.prog_name = tracer_prog_name;
	run.fmt.ctx = t;
	if (!t->o->json) {
		tpk_fmt_header(run.line, sizeof(run.line), &run.fmt);
		puts(run.line);
		fflush(stdout);
	}
	if (popts && start_ping(t, &ping, popts, epfd))
		goto cleanup;

	/* A pipe whose reader has gone reports EPOLLERR on its write end: stop
	 * then, instead of holding the programs attached for nobody. (A file or
	 * terminal either cannot be polled or never says so: write errors are
	 * caught at fflush.) */
	watch(epfd, STDOUT_FILENO, 0, EV_STDOUT);

	exit_code = follow(rb, epfd, &ping, &run);
	if (popts)
		exit_code = ping_status(&ping, &run);
	if (stop == SIGPIPE)
		exit_code = 128 + SIGPIPE;	/* as if SIGPIPE had ended us */
	fflush(stdout);

cleanup:
	if (ping.pid > 0)
		tpk_ping_stop(&ping);
	if (epfd >= 0)
		close(epfd);
	ring_buffer__free(rb);
	return exit_code;
}
