/* SPDX-License-Identifier: GPL-2.0 */
/* Finding loaded programs and reading what the kernel tells about them. */
#ifndef PD_PROG_H
#define PD_PROG_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>

struct pd_prog {
	struct bpf_prog_info info;	/* line_info hooked in, for bpf_prog_linfo__new */
	bool orphaned;
	struct bpf_insn *insns;
	size_t nr_insns;
	__u32 *map_ids;
	__u64 *jited_ksyms;
	struct bpf_func_info *func_info;	/* func_info_rec_size apart */
	struct bpf_line_info *line_info;	/* line_info_rec_size apart */
};

/* Descriptors of the programs a selector names, in ID order: "ID", "id ID",
 * "name NAME", "tag TAG", "pinned PATH". argc and argv move past what was
 * consumed. Returns the count (>= 1), or after one error line -TPK_EINPUT
 * (a bad selector, no such program) or -errno. */
int pd_prog_select(int *argc, char ***argv, int **fds);

/* Info only (arrays == false), or with instructions, map IDs, func/line
 * info and jited symbols. Returns 0 or -errno. */
int pd_prog_fetch(int fd, struct pd_prog *p, bool arrays);
void pd_prog_free(struct pd_prog *p);

/* Name with the 15-character kernel limit lifted through BTF, as bpftool. */
void pd_prog_full_name(const struct bpf_prog_info *info, int fd, char *buf, size_t size);

#endif
