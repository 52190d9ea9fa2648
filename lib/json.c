// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "json.h"

void tpk_json_init(struct tpk_json *j, FILE *out, bool pretty)
{
	j->out = out;
	j->pretty = pretty;
	j->depth = 0;
	j->sep = '\0';
}

static void newline(struct tpk_json *j)
{
	int i;

	if (!j->pretty)
		return;
	putc('\n', j->out);
	for (i = 0; i < j->depth; i++)
		fputs("    ", j->out);
}

static void separate(struct tpk_json *j)
{
	if (j->sep)
		putc(j->sep, j->out);
	j->sep = ',';
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] < 0xc2 || s[0] > 0xf4 || len > n)
		return 0;
	/* No overlong forms, surrogates or code points past U+10FFFF. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

void tpk_json_quote(FILE *f, const char *str, size_t max)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strnlen(str, max), k;

	putc('"', f);
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '\t': fputs("\\t", f); continue;
		case '\n': fputs("\\n", f); continue;
		case '\r': fputs("\\r", f); continue;
		case '\f': fputs("\\f", f); continue;
		case '\b': fputs("\\b", f); continue;
		case '\\': fputs("\\\\", f); continue;
		case '"': fputs("\\\"", f); continue;
		}
		if (s[i] < 0x20) {
			fprintf(f, "\\u%04x", s[i]);
		} else if (s[i] < 0x80) {
			putc(s[i], f);
		} else if ((k = utf8_len(s + i, n - i))) {
			fwrite(s + i, 1, k, f);
			i += k - 1;
		} else {
			fprintf(f, "\\u%04x", s[i]);
		}
	}
	putc('"', f);
}

void tpk_json_key(struct tpk_json *j, const char *name)
{
	separate(j);
	newline(j);
	j->sep = '\0';
	tpk_json_quote(j->out, name, SIZE_MAX);
	putc(':', j->out);
	if (j->pretty)
		putc(' ', j->out);
}

static void begin(struct tpk_json *j, int c)
{
	separate(j);
	putc(c, j->out);
	j->depth++;
	j->sep = '\0';
}

static void end(struct tpk_json *j, int c)
{
	j->depth--;
	if (j->sep)
		newline(j);
	putc(c, j->out);
	j->sep = ',';
}

void tpk_json_object(struct tpk_json *j) { begin(j, '{'); }
void tpk_json_object_end(struct tpk_json *j) { end(j, '}'); }
void tpk_json_array(struct tpk_json *j) { begin(j, '['); }
void tpk_json_array_end(struct tpk_json *j) { end(j, ']'); }

void tpk_json_string(struct tpk_json *j, const char *s)
{
	tpk_json_stringn(j, s, SIZE_MAX);
}

void tpk_json_stringn(struct tpk_json *j, const char *s, size_t max)
{
	separate(j);
	tpk_json_quote(j->out, s, max);
}

void tpk_json_raw(struct tpk_json *j, const char *fmt, ...)
{
	va_list ap;

	separate(j);
	va_start(ap, fmt);
	vfprintf(j->out, fmt, ap);
	va_end(ap);
}

void tpk_json_uint(struct tpk_json *j, uint64_t v)
{
	tpk_json_raw(j, "%llu", (unsigned long long)v);
}

void tpk_json_int(struct tpk_json *j, int64_t v)
{
	tpk_json_raw(j, "%lld", (long long)v);
}

void tpk_json_bool(struct tpk_json *j, bool v)
{
	tpk_json_raw(j, "%s", v ? "true" : "false");
}

void tpk_json_null(struct tpk_json *j)
{
	tpk_json_raw(j, "null");
}

void tpk_json_kstring(struct tpk_json *j, const char *key, const char *s)
{
	tpk_json_key(j, key);
	tpk_json_string(j, s);
}

void tpk_json_kuint(struct tpk_json *j, const char *key, uint64_t v)
{
	tpk_json_key(j, key);
	tpk_json_uint(j, v);
}

void tpk_json_kint(struct tpk_json *j, const char *key, int64_t v)
{
	tpk_json_key(j, key);
	tpk_json_int(j, v);
}

void tpk_json_kbool(struct tpk_json *j, const char *key, bool v)
{
	tpk_json_key(j, key);
	tpk_json_bool(j, v);
}

void tpk_json_finish(struct tpk_json *j)
{
	/* Nothing written (an error came first): no stray newline. */
	if (j->sep)
		putc('\n', j->out);
}
