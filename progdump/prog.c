// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "prog.h"
#include "util.h"

void pd_prog_full_name(const struct bpf_prog_info *info, int fd, char *buf, size_t size)
{
	const char *name = info->name;
	struct bpf_func_info finfo = {};
	struct bpf_prog_info one = {};
	__u32 len = sizeof(one);
	const struct btf_type *t;
	struct btf *btf = NULL;

	/* Only a name that filled the kernel's 16 bytes can be truncated. */
	if (strlen(info->name) < BPF_OBJ_NAME_LEN - 1 || !info->btf_id || !info->nr_func_info)
		goto copy;
	one.nr_func_info = 1;
	one.func_info_rec_size = info->func_info_rec_size;
	if (one.func_info_rec_size > sizeof(finfo))
		one.func_info_rec_size = sizeof(finfo);
	one.func_info = (__u64)(uintptr_t)&finfo;
	if (bpf_prog_get_info_by_fd(fd, &one, &len))
		goto copy;
	btf = btf__load_from_kernel_by_id(one.btf_id);
	if (!btf)
		goto copy;
	t = btf__type_by_id(btf, finfo.type_id);
	if (t && btf_is_func(t))
		name = btf__name_by_offset(btf, t->name_off);
copy:
	snprintf(buf, size, "%s", name ? name : "");
	btf__free(btf);
}

void pd_prog_free(struct pd_prog *p)
{
	free(p->insns);
	free(p->map_ids);
	free(p->jited_ksyms);
	free(p->func_info);
	free(p->line_info);
	memset(p, 0, sizeof(*p));
}

static void *array_of(__u32 n, __u32 size, __u64 *field)
{
	void *a = n && size ? calloc(n, size) : NULL;

	*field = (__u64)(uintptr_t)a;
	return a;
}

int pd_prog_fetch(int fd, struct pd_prog *p, bool arrays)
{
	struct bpf_prog_info *i = &p->info, want = {};
	__u32 len = sizeof(*i);
	int err;

	memset(p, 0, sizeof(*p));
	err = bpf_prog_get_info_by_fd(fd, i, &len);
	/* An offloaded program whose device went away: info is still there. */
	if (err == -ENODEV)
		p->orphaned = true;
	else if (err)
		return err;
	if (!arrays)
		return 0;

	/* Second call with buffers sized by the first; the kernel reports
	 * the sizes again, so a program cannot change under us unnoticed. */
	want.xlated_prog_len = i->xlated_prog_len;
	want.nr_map_ids = i->nr_map_ids;
	want.nr_jited_ksyms = i->nr_jited_ksyms;
	want.nr_func_info = i->nr_func_info;
	want.func_info_rec_size = i->func_info_rec_size;
	want.nr_line_info = i->nr_line_info;
	want.line_info_rec_size = i->line_info_rec_size;
	p->insns = array_of(1, want.xlated_prog_len, &want.xlated_prog_insns);
	p->map_ids = array_of(want.nr_map_ids, sizeof(__u32), &want.map_ids);
	p->jited_ksyms = array_of(want.nr_jited_ksyms, sizeof(__u64), &want.jited_ksyms);
	p->func_info = array_of(want.nr_func_info, want.func_info_rec_size, &want.func_info);
	p->line_info = array_of(want.nr_line_info, want.line_info_rec_size, &want.line_info);
	if ((want.xlated_prog_len && !p->insns) || (want.nr_map_ids && !p->map_ids) ||
	    (want.nr_jited_ksyms && !p->jited_ksyms) ||
	    (want.nr_func_info && want.func_info_rec_size && !p->func_info) ||
	    (want.nr_line_info && want.line_info_rec_size && !p->line_info)) {
		pd_prog_free(p);
		return -ENOMEM;
	}
	len = sizeof(want);
	err = bpf_prog_get_info_by_fd(fd, &want, &len);
	if (err && err != -ENODEV) {
		pd_prog_free(p);
		return err;
	}
	if (want.xlated_prog_len > i->xlated_prog_len || want.nr_map_ids > i->nr_map_ids ||
	    want.nr_func_info > i->nr_func_info || want.nr_line_info > i->nr_line_info ||
	    want.nr_jited_ksyms > i->nr_jited_ksyms) {
		pd_prog_free(p);
		return -EAGAIN;
	}
	/* The kernel leaves xlated_prog_insns' buffer empty without the
	 * right to see raw instructions (kernel.kptr_restrict). */
	p->nr_insns = want.xlated_prog_insns ? want.xlated_prog_len / sizeof(struct bpf_insn) : 0;
	p->info.xlated_prog_len = want.xlated_prog_len;
	p->info.nr_map_ids = want.nr_map_ids;
	p->info.nr_jited_ksyms = want.nr_jited_ksyms;
	p->info.nr_func_info = want.func_info ? want.nr_func_info : 0;
	p->info.nr_line_info = want.line_info ? want.nr_line_info : 0;
	p->info.line_info = want.line_info;
	return 0;
}

/* Is fd a BPF program? "anon_inode:bpf-prog" says so; else *kind gets the
 * object's kind ("map", "link") when it is a BPF object at all. */
static bool fd_is_prog(int fd, char *kind, size_t len)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return true;	/* no /proc: let the kernel's answer decide */
	target[n] = '\0';
	if (!strcmp(target, "anon_inode:bpf-prog"))
		return true;
	if (!strncmp(target, "anon_inode:bpf-", 15))
		snprintf(kind, len, "%.15s", target + 15);
	return false;
}

static int parse_tag(const char *s, unsigned char tag[BPF_TAG_SIZE])
{
	int i;

	if (strlen(s) != 2 * BPF_TAG_SIZE)
		return -1;
	for (i = 0; i < BPF_TAG_SIZE; i++) {
		unsigned int b;

		if (sscanf(s + 2 * i, "%2x", &b) != 1 || !strchr("0123456789abcdefABCDEF", s[2 * i]) ||
		    !strchr("0123456789abcdefABCDEF", s[2 * i + 1]))
			return -1;
		tag[i] = b;
	}
	return 0;
}

static int add_fd(int **fds, int n, int fd)
{
	int *grown = realloc(*fds, (n + 1) * sizeof(int));

	if (!grown) {
		close(fd);
		return -ENOMEM;
	}
	grown[n] = fd;
	*fds = grown;
	return 0;
}

/* Every program whose name or tag matches. */
static int select_matching(const char *name, const unsigned char *tag, int **fds)
{
	__u32 id = 0;
	int n = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		char full[128];
		int fd;

		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;	/* unloaded meanwhile */
		if (bpf_prog_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		if (tag) {
			if (memcmp(tag, info.tag, BPF_TAG_SIZE)) {
				close(fd);
				continue;
			}
		} else {
			/* The full name only, as bpftool: a long name's 15-byte
			 * kernel prefix does not select it. */
			pd_prog_full_name(&info, fd, full, sizeof(full));
			if (strcmp(name, full)) {
				close(fd);
				continue;
			}
		}
		if (add_fd(fds, n, fd))
			goto fail;
		n++;
	}
	if (errno != ENOENT) {
		tpk_err_errno(-errno, "can't list programs");
		goto fail;
	}
	if (!n) {
		tpk_err("no program with %s %s", tag ? "tag" : "name", name);
		return -TPK_EINPUT;
	}
	return n;
fail:
	while (n--)
		close((*fds)[n]);
	return -EIO;
}

int pd_prog_select(int *argc, char ***argv, int **fds)
{
	const char *kind = (*argv)[0], *arg = *argc > 1 ? (*argv)[1] : NULL;
	unsigned char tag[BPF_TAG_SIZE];
	uint64_t id;
	int fd;

	*fds = NULL;
	if (!tpk_parse_u64(kind, 1, UINT32_MAX, &id)) {
		(*argc)--, (*argv)++;
		goto by_id;
	}
	if (!arg) {
		tpk_err("expected ID, 'id ID', 'name NAME', 'tag TAG' or 'pinned PATH', got '%s'", kind);
		return -TPK_EINPUT;
	}
	*argc -= 2, *argv += 2;
	if (!strcmp(kind, "id")) {
		if (tpk_parse_u64(arg, 0, UINT32_MAX, &id)) {
			tpk_err("bad program ID '%s'", arg);
			return -TPK_EINPUT;
		}
		goto by_id;
	}
	if (!strcmp(kind, "name"))
		return select_matching(arg, NULL, fds);
	if (!strcmp(kind, "tag")) {
		if (parse_tag(arg, tag)) {
			tpk_err("bad tag '%s': expected 16 hex digits", arg);
			return -TPK_EINPUT;
		}
		return select_matching(arg, tag, fds);
	}
	if (!strcmp(kind, "pinned")) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		char kindbuf[16] = "";

		fd = bpf_obj_get(arg);
		if (fd < 0) {
			tpk_err_errno(fd, "can't open pinned program %s", arg);
			return -TPK_EINPUT;
		}
		/* The kernel fills whatever info the object has: a map's would
		 * read as a program's. Its anon inode says what it is. */
		if (!fd_is_prog(fd, kindbuf, sizeof(kindbuf)) || bpf_prog_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			if (kindbuf[0])
				tpk_err("%s is not a pinned program: incorrect object type: %s", arg, kindbuf);
			else
				tpk_err("%s is not a pinned program", arg);
			return -TPK_EINPUT;
		}
		goto one;
	}
	tpk_err("expected 'id', 'name', 'tag' or 'pinned', got '%s'", kind);
	return -TPK_EINPUT;

by_id:
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0) {
		if (fd == -ENOENT)
			tpk_err("no program with id %llu", (unsigned long long)id);
		else
			tpk_err_errno(fd, "can't open program %llu", (unsigned long long)id);
		return fd == -ENOENT ? -TPK_EINPUT : -EIO;
	}
one:
	if (add_fd(fds, 0, fd))
		return -EIO;
	return 1;
}
