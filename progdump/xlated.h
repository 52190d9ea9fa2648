/* SPDX-License-Identifier: GPL-2.0 */
/* `dump xlated`: the kernel's post-verifier instructions, annotated with the
 * program's BTF function prototypes and source lines. */
#ifndef PD_XLATED_H
#define PD_XLATED_H

#include <stdbool.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "insn.h"
#include "json.h"
#include "names.h"
#include "prog.h"

struct pd_dump {
	struct pd_prog *prog;
	struct btf *btf;		/* program BTF, or NULL */
	struct bpf_prog_linfo *linfo;	/* NULL without line info */
	struct pd_names names;
	struct pd_insn_cbs cbs;
	bool opcodes, linum;
	char scratch[256];
};

/* 0, or -EIO after one error line. */
int pd_dump_open(struct pd_dump *d, struct pd_prog *p);
void pd_dump_close(struct pd_dump *d);
void pd_dump_plain(struct pd_dump *d);
/* bpftool -j prog dump xlated: an array of {proto, src, disasm, opcodes}. */
void pd_dump_json(struct pd_dump *d, struct tpk_json *j);

/* Shared with the graph printer. */
void pd_func_sig(const struct btf *btf, __u32 type_id, char *buf, int size);
const struct bpf_func_info *pd_finfo(const struct pd_prog *p, __u32 i);
/* Bytes as "xx xx ..." (bpftool's opcodes column). */
void pd_hex(char *buf, size_t size, const void *data, size_t n);

#endif
