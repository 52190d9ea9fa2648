/* SPDX-License-Identifier: GPL-2.0 */
/* runstat: run a command, then append one line to FILE:
 *   wall_ms=W maxrss_kb=R user_ms=U sys_ms=S status=X
 * Wall time from fork to exit with a monotonic clock (/usr/bin/time only
 * gives 10 ms steps), peak RSS and CPU from wait4(): the largest of the
 * command and the children it waited for (so tracepkt's ping counts).
 *
 *   runstat FILE COMMAND [ARG...]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double ms(const struct timeval *tv)
{
	return tv->tv_sec * 1e3 + tv->tv_usec / 1e3;
}

int main(int argc, char **argv)
{
	struct timespec a, b;
	struct rusage ru;
	FILE *out;
	pid_t pid;
	int status;

	if (argc < 3) {
		fprintf(stderr, "usage: runstat FILE COMMAND [ARG...]\n");
		return 2;
	}
	out = fopen(argv[1], "a");
	if (!out) {
		fprintf(stderr, "runstat: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "runstat: fork: %s\n", strerror(errno));
		return 2;
	}
	if (!pid) {
		fclose(out);
		execvp(argv[2], argv + 2);
		fprintf(stderr, "runstat: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "runstat: wait4: %s\n", strerror(errno));
			return 2;
		}
	clock_gettime(CLOCK_MONOTONIC, &b);
	fprintf(out, "wall_ms=%.2f maxrss_kb=%ld user_ms=%.1f sys_ms=%.1f status=%d\n",
		(b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6, ru.ru_maxrss,
		ms(&ru.ru_utime), ms(&ru.ru_stime),
		WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	fclose(out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
