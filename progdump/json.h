/* SPDX-License-Identifier: GPL-2.0 */
/* A JSON writer whose spacing matches bpftool's --json and --pretty output:
 * compact, or 4-space indented members with scalar arrays kept on one line. */
#ifndef PD_JSON_H
#define PD_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct pd_json {
	FILE *out;
	bool pretty;
	int depth;
	char sep;	/* ',' once a value was written at this level */
};

void pd_json_init(struct pd_json *j, FILE *out, bool pretty);
void pd_json_name(struct pd_json *j, const char *name);
void pd_json_start_object(struct pd_json *j);
void pd_json_end_object(struct pd_json *j);
void pd_json_start_array(struct pd_json *j);
void pd_json_end_array(struct pd_json *j);
void pd_json_string(struct pd_json *j, const char *s);
void pd_json_raw(struct pd_json *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pd_json_uint(struct pd_json *j, uint64_t v);
void pd_json_bool(struct pd_json *j, bool v);
/* Ends the document: a newline, as bpftool does, if anything was written. */
void pd_json_finish(struct pd_json *j);

#endif
