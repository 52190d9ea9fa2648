// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "ping.h"
#include "util.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

int tpk_ping_resolve(const struct tpk_ping_opts *o)
{
	struct addrinfo hints = { .ai_family = o->family, .ai_socktype = SOCK_RAW,
				  .ai_protocol = o->family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP };
	struct addrinfo *res = NULL;
	int err = getaddrinfo(o->target, NULL, &hints, &res);

	if (res)
		freeaddrinfo(res);
	return err;
}

/* ping's command line, in argv (room for 11). */
static void ping_argv(const struct tpk_ping_opts *o, const char **argv)
{
	int n = 0;

	argv[n++] = "ping";
	if (o->family)
		argv[n++] = o->family == AF_INET6 ? "-6" : "-4";
	argv[n++] = "-c1";
	if (o->wait) {
		argv[n++] = "-W";
		argv[n++] = o->wait;
	}
	if (o->size) {
		argv[n++] = "-s";
		argv[n++] = o->size;
	}
	argv[n++] = "--";
	argv[n++] = o->target;
	argv[n] = NULL;
}

int tpk_ping_spawn(struct tpk_ping *p, const struct tpk_ping_opts *o)
{
	const char *argv[12];
	int pipefd[2];

	p->pid = -1;
	p->pidfd = -1;
	p->go_fd = -1;
	p->status = -1;
	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	p->pid = fork();
	if (p->pid < 0) {
		int err = -errno;

		close(pipefd[0]);
		close(pipefd[1]);
		return err;
	}
	if (p->pid == 0) {
		char go;
		int null;

		close(pipefd[1]);
		/* EOF without a byte: the tracer gave up, so must we. */
		if (read(pipefd[0], &go, 1) != 1)
			_exit(127);
		null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		signal(SIGPIPE, SIG_DFL);
		ping_argv(o, argv);
		execvp("ping", (char *const *)argv);
		fprintf(stderr, "%s: cannot run ping: %s\n", tpk_progname, strerror(errno));
		_exit(127);
	}
	close(pipefd[0]);
	p->go_fd = pipefd[1];
	p->pidfd = syscall(SYS_pidfd_open, p->pid, 0);
	return 0;
}

int tpk_ping_release(struct tpk_ping *p)
{
	int ret = 0;

	if (p->go_fd < 0)
		return -EINVAL;
	if (write(p->go_fd, "g", 1) != 1)
		ret = -errno;
	close(p->go_fd);
	p->go_fd = -1;
	return ret;
}

int tpk_ping_reap(struct tpk_ping *p, int block)
{
	int status;
	pid_t r;

	if (p->pid <= 0)
		return 1;
	r = waitpid(p->pid, &status, block ? 0 : WNOHANG);
	if (r == 0)
		return 0;
	if (r < 0)
		return errno == EINTR ? 0 : 1;
	p->status = status;
	p->pid = 0;
	if (p->pidfd >= 0) {
		close(p->pidfd);
		p->pidfd = -1;
	}
	return 1;
}

void tpk_ping_stop(struct tpk_ping *p)
{
	if (p->go_fd >= 0) {
		close(p->go_fd);	/* never released: it exits on EOF */
		p->go_fd = -1;
	}
	if (p->pid > 0) {
		kill(p->pid, SIGTERM);
		while (!tpk_ping_reap(p, 1))
			;
	}
	if (p->pidfd >= 0) {
		close(p->pidfd);
		p->pidfd = -1;
	}
}

int tpk_ping_exit_code(const struct tpk_ping *p)
{
	if (p->status < 0)
		return TPK_EXIT_FAIL;
	if (WIFEXITED(p->status))
		return WEXITSTATUS(p->status);
	if (WIFSIGNALED(p->status))
		return 128 + WTERMSIG(p->status);
	return TPK_EXIT_FAIL;
}
