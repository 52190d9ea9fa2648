// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>

#include "json.h"

void pd_json_init(struct pd_json *j, FILE *out, bool pretty)
{
	j->out = out;
	j->pretty = pretty;
	j->depth = 0;
	j->sep = '\0';
}

static void newline(struct pd_json *j)
{
	int i;

	if (!j->pretty)
		return;
	putc('\n', j->out);
	for (i = 0; i < j->depth; i++)
		fputs("    ", j->out);
}

static void separate(struct pd_json *j)
{
	if (j->sep)
		putc(j->sep, j->out);
	j->sep = ',';
}

static void quoted(struct pd_json *j, const char *s)
{
	putc('"', j->out);
	for (; *s; s++) {
		switch (*s) {
		case '\t': fputs("\\t", j->out); break;
		case '\n': fputs("\\n", j->out); break;
		case '\r': fputs("\\r", j->out); break;
		case '\f': fputs("\\f", j->out); break;
		case '\b': fputs("\\b", j->out); break;
		case '\\': fputs("\\\\", j->out); break;
		case '"': fputs("\\\"", j->out); break;
		default:
			/* Other control bytes would make invalid JSON. */
			if ((unsigned char)*s < 0x20)
				fprintf(j->out, "\\u%04x", (unsigned char)*s);
			else
				putc(*s, j->out);
		}
	}
	putc('"', j->out);
}

void pd_json_name(struct pd_json *j, const char *name)
{
	separate(j);
	newline(j);
	j->sep = '\0';
	quoted(j, name);
	putc(':', j->out);
	if (j->pretty)
		putc(' ', j->out);
}

static void begin(struct pd_json *j, int c)
{
	separate(j);
	putc(c, j->out);
	j->depth++;
	j->sep = '\0';
}

static void end(struct pd_json *j, int c)
{
	j->depth--;
	if (j->sep)
		newline(j);
	putc(c, j->out);
	j->sep = ',';
}

void pd_json_start_object(struct pd_json *j) { begin(j, '{'); }
void pd_json_end_object(struct pd_json *j) { end(j, '}'); }
void pd_json_start_array(struct pd_json *j) { begin(j, '['); }
void pd_json_end_array(struct pd_json *j) { end(j, ']'); }

void pd_json_string(struct pd_json *j, const char *s)
{
	separate(j);
	quoted(j, s);
}

void pd_json_raw(struct pd_json *j, const char *fmt, ...)
{
	va_list ap;

	separate(j);
	va_start(ap, fmt);
	vfprintf(j->out, fmt, ap);
	va_end(ap);
}

void pd_json_uint(struct pd_json *j, uint64_t v)
{
	pd_json_raw(j, "%llu", (unsigned long long)v);
}

void pd_json_bool(struct pd_json *j, bool v)
{
	pd_json_raw(j, "%s", v ? "true" : "false");
}

void pd_json_finish(struct pd_json *j)
{
	/* Nothing written (an error came first): no stray newline. */
	if (j->sep)
		putc('\n', j->out);
}
