/* SPDX-License-Identifier: GPL-2.0 */
/* A few TAP helpers for the C unit tests, read by prove. */
#ifndef TPK_TAP_H
#define TPK_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline void tap_plan(int n)
{
	printf("1..%d\n", n);
}

static inline void tap_ok(int cond, const char *desc)
{
	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, desc);
}

static inline void tap_is_str(const char *got, const char *want, const char *desc)
{
	int same = !strcmp(got, want);

	tap_ok(same, desc);
	if (!same)
		printf("#      got: '%s'\n# expected: '%s'\n", got, want);
}

static inline void tap_is_int(long long got, long long want, const char *desc)
{
	tap_ok(got == want, desc);
	if (got != want)
		printf("#      got: %lld\n# expected: %lld\n", got, want);
}

/* A comment for the reader of a failure, each line as "# ...". */
__attribute__((format(printf, 1, 2)))
static inline void tap_diag(const char *fmt, ...)
{
	char buf[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
		printf("# %s\n", l);
}

static inline int tap_exit(void)
{
	return tap_failed ? 1 : 0;
}

#endif
