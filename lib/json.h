/* SPDX-License-Identifier: GPL-2.0 */
/* The one JSON writer of the four tools. Compact, or with pretty 4-space
 * indented members and scalar arrays kept on one line: the spacing of
 * bpftool's --json and --pretty, which progdump's users compare against.
 * Strings follow one rule: valid UTF-8 passes through, '"' and '\\' and
 * control bytes are escaped (\n and friends, else \u00XX), and a byte that
 * is not part of valid UTF-8 becomes \u00XX, so the document always parses. */
#ifndef TPK_JSON_H
#define TPK_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct tpk_json {
	FILE *out;
	bool pretty;
	int depth;
	char sep;	/* ',' once a value was written at this level */
};

void tpk_json_init(struct tpk_json *j, FILE *out, bool pretty);
void tpk_json_key(struct tpk_json *j, const char *name);
void tpk_json_object(struct tpk_json *j);
void tpk_json_object_end(struct tpk_json *j);
void tpk_json_array(struct tpk_json *j);
void tpk_json_array_end(struct tpk_json *j);
void tpk_json_string(struct tpk_json *j, const char *s);
/* At most max bytes of s (a kernel's fixed char array need not end in 0). */
void tpk_json_stringn(struct tpk_json *j, const char *s, size_t max);
void tpk_json_raw(struct tpk_json *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tpk_json_uint(struct tpk_json *j, uint64_t v);
void tpk_json_int(struct tpk_json *j, int64_t v);
void tpk_json_bool(struct tpk_json *j, bool v);
void tpk_json_null(struct tpk_json *j);
/* A member: key, then its value. */
void tpk_json_kstring(struct tpk_json *j, const char *key, const char *s);
void tpk_json_kuint(struct tpk_json *j, const char *key, uint64_t v);
void tpk_json_kint(struct tpk_json *j, const char *key, int64_t v);
void tpk_json_kbool(struct tpk_json *j, const char *key, bool v);
/* Ends the document: a newline, as bpftool does, if anything was written. */
void tpk_json_finish(struct tpk_json *j);

/* The string rule alone, quotes included, for one string in other output. */
void tpk_json_quote(FILE *f, const char *s, size_t max);

#endif
