// SPDX-License-Identifier: GPL-2.0
/* tracepkt's event formatter on whatever bytes the ring buffer could hold:
 * names without their NUL, unknown kinds, hooks, verdicts and families, and
 * buffers too small for the line. */
#include <stdio.h>

#include "format.h"
#include "fuzz.h"

static const char *reason(const void *ctx, unsigned int r)
{
	(void)ctx;
	return r == 2 ? "NOT_SPECIFIED" : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tpk_event *e = malloc(sizeof(*e));
	struct tpk_fmt_opts o = { .reason_name = reason };
	size_t small = size ? data[0] % 64 : 0;
	char *buf;
	size_t len;
	FILE *json;

	if (!e)
		abort();
	memset(e, 0, sizeof(*e));
	memcpy(e, data, size < sizeof(*e) ? size : sizeof(*e));
	o.timestamp = size && (data[size - 1] & 1);
	buf = malloc(4096);
	if (!buf)
		abort();
	tpk_fmt_line(buf, 4096, e, &o);
	tpk_fmt_header(buf, 4096, &o);
	free(buf);
	json = open_memstream(&buf, &len);
	if (!json)
		abort();
	tpk_fmt_json(json, e, &o);
	fclose(json);
	free(buf);
	/* Exactly `small` bytes, so ASan catches a write past the size given. */
	buf = malloc(small ? small : 1);
	if (!buf)
		abort();
	tpk_fmt_line(buf, small, e, &o);
	free(buf);
	free(e);
	return 0;
}
