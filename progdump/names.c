// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>

#include "names.h"

/* bpftool orders kallsyms with a comparator that truncates the address
 * difference to int, and looks names up with bsearch through the same
 * comparator. Sorting and searching the same way with the same libc picks
 * the same symbol wherever several share an address. */
static int ksym_cmp(const void *a, const void *b)
{
	return ((const struct pd_ksym *)a)->addr - ((const struct pd_ksym *)b)->addr;
}

/* The whole file in one buffer, NUL-terminated: a few large reads instead
 * of a stdio stream, since the kernel formats 100k+ lines on every read. */
static char *read_all(const char *path)
{
	size_t cap = 1 << 20, len = 0;
	char *buf, *grown;
	ssize_t got;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	while (buf) {
		if (cap - len < 65536) {
			grown = realloc(buf, cap * 2);
			if (!grown) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = grown;
			cap *= 2;
		}
		got = read(fd, buf + len, cap - len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += got;
	}
	close(fd);
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* One "ADDRESS TYPE NAME [MODULE]" line, as bpftool's
 * sscanf("%p %*c %s [%[^]]s") reads it; NAME is cut off in place. */
static int parse_ksym(char *line, unsigned long *addr, const char **name)
{
	char *p, *end;

	*addr = strtoul(line, &end, 16);
	if (end == line)
		return -1;
	for (p = end; isspace((unsigned char)*p); p++)
		;
	if (!*p)
		return -1;
	for (p++; isspace((unsigned char)*p); p++)	/* past the type letter */
		;
	if (!*p)
		return -1;
	*name = p;
	while (*p && !isspace((unsigned char)*p))
		p++;
	*p = '\0';
	return 0;
}

static void load_kallsyms(struct pd_names *n)
{
	char *line, *next;
	size_t cap = 0;

	n->have_syms = true;
	n->text = read_all("/proc/kallsyms");
	if (!n->text)
		return;
	for (line = n->text; *line; line = next) {
		struct pd_ksym *grown;
		unsigned long addr;
		const char *name;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (parse_ksym(line, &addr, &name) || !addr)
			continue;
		if (n->nr_syms == cap) {
			cap = cap ? cap * 2 : 65536;
			grown = realloc(n->syms, cap * sizeof(*grown));
			if (!grown)
				break;
			n->syms = grown;
		}
		n->syms[n->nr_syms].addr = addr;
		n->syms[n->nr_syms].name = name;
		if (!strcmp(name, "__bpf_call_base"))
			n->call_base = addr;
		n->nr_syms++;
	}
	if (n->nr_syms)
		qsort(n->syms, n->nr_syms, sizeof(*n->syms), ksym_cmp);
}

static void load_helpers(struct pd_names *n)
{
	static const char prefix[] = "BPF_FUNC_";
	const struct btf_enum *e;
	const struct btf_type *t;
	struct btf *btf;
	int id, i;

	btf = btf__load_vmlinux_btf();
	if (!btf)
		return;
	id = btf__find_by_name_kind(btf, "bpf_func_id", BTF_KIND_ENUM);
	if (id < 0)
		goto out;
	t = btf__type_by_id(btf, id);
	e = btf_enum(t);
	for (i = 0; i < btf_vlen(t); i++) {
		const char *s = btf__name_by_offset(btf, e[i].name_off);
		uint32_t v = e[i].val;

		if (!s || strncmp(s, prefix, sizeof(prefix) - 1) || v > 65535)
			continue;
		if (v >= n->nr_helpers) {
			char **grown = realloc(n->helpers, (v + 1) * sizeof(*grown));

			if (!grown)
				break;
			memset(grown + n->nr_helpers, 0, (v + 1 - n->nr_helpers) * sizeof(*grown));
			n->helpers = grown;
			n->nr_helpers = v + 1;
		}
		free(n->helpers[v]);
		if (asprintf(&n->helpers[v], "bpf_%s", s + sizeof(prefix) - 1) < 0)
			n->helpers[v] = NULL;
	}
out:
	btf__free(btf);
}

void pd_names_init(struct pd_names *n)
{
	memset(n, 0, sizeof(*n));
}

void pd_names_free(struct pd_names *n)
{
	size_t i;

	for (i = 0; i < n->nr_helpers; i++)
		free(n->helpers[i]);
	free(n->syms);
	free(n->text);
	free(n->helpers);
	memset(n, 0, sizeof(*n));
}

const char *pd_ksym_find(struct pd_names *n, unsigned long addr)
{
	struct pd_ksym key = { .addr = addr }, *hit;

	if (!n->have_syms)
		load_kallsyms(n);
	if (!n->nr_syms)
		return NULL;
	hit = bsearch(&key, n->syms, n->nr_syms, sizeof(*n->syms), ksym_cmp);
	return hit ? hit->name : NULL;
}

unsigned long pd_call_base(struct pd_names *n)
{
	if (!n->have_syms)
		load_kallsyms(n);
	return n->call_base;
}

const char *pd_helper_name(struct pd_names *n, int32_t id)
{
	if (id < 0 || id > 65535)	/* no helper ID, no need for the table */
		return NULL;
	if (!n->have_helpers) {
		n->have_helpers = true;
		load_helpers(n);
	}
	if ((size_t)id >= n->nr_helpers)
		return NULL;
	return n->helpers[id];
}
