/* SPDX-License-Identifier: GPL-2.0 */
/* eBPF instruction printer: one instruction to the text bpftool 7.5 prints
 * for it in `prog dump xlated`. */
#ifndef PD_INSN_H
#define PD_INSN_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

struct pd_insn_cbs {
	/* Name of helper ID, or NULL: only consulted for src_reg == 0 calls. */
	const char *(*helper)(void *ctx, int32_t id);
	/* Text after "call " (helper/kfunc) or "call pc" (subprogram); NULL
	 * falls back to the generic form. */
	const char *(*call)(void *ctx, const struct bpf_insn *insn);
	/* Text for an ld_imm64 operand; NULL falls back to 0x%llx. */
	const char *(*imm)(void *ctx, const struct bpf_insn *insn, uint64_t full);
	void *ctx;
};

/* Format insn[0] (and insn[1] for ld_imm64, when avail >= 2) into buf as
 * "(op) text\n". Never reads past avail instructions; unknown encodings
 * come out as BUG_... lines like bpftool's. Returns snprintf's length. */
int pd_insn_format(char *buf, size_t size, const struct bpf_insn *insn,
		   size_t avail, const struct pd_insn_cbs *cbs);

/* True when insn is the first half of a 16-byte ld_imm64. */
static inline int pd_insn_is_ldimm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

#endif
