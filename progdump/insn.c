// SPDX-License-Identifier: GPL-2.0
/* The instruction printer. Its wording follows what bpftool 7.5 prints, so
 * that scripts reading one read the other; the tables below are written from
 * the instruction-set documentation. Table holes print as "(null)", which is
 * what bpftool's printf shows for them. */
#include <stdio.h>
#include <string.h>

#include "insn.h"

#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80
#endif
#ifndef BPF_JCOND
#define BPF_JCOND 0xe0
#endif
#define PD_NOSPEC 0xc0		/* kernel-internal mode, not in uapi */
#define PD_MAY_GOTO 0		/* src_reg of a JCOND may_goto */
#define PD_ADDR_SPACE_CAST 1	/* off of an ALU64 MOV X addr_space_cast */
#define PD_ADDR_PERCPU (-1)	/* off of an ALU64 MOV X per-cpu address */
#define PD_PSEUDO_CALL 1
#define PD_PSEUDO_KFUNC 2
#define PD_PSEUDO_MAP_FD 1
#define PD_PSEUDO_MAP_VALUE 2

#define S(s) ((s) ? (s) : "(null)")

static const char *const alu_op[16] = {
	"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=",
	"neg", "%=", "^=", "=", "s>>=", "endian", NULL, NULL,
};

static const char *const jmp_op[16] = {
	"jmp", "==", ">", ">=", "&", "!=", "s>", "s>=",
	"call", "exit", "<", "<=", "s<", "s<=", NULL, NULL,
};

/* Indexed by BPF_SIZE >> 3: W, H, B, DW. */
static const char *const size_u[4] = { "u32", "u16", "u8", "u64" };
static const char *const size_s[4] = { "s32", "s16", "s8", NULL };

static const char *atomic_op(int32_t imm)
{
	switch (imm & 0xf0) {
	case BPF_ADD: return "add";
	case BPF_AND: return "and";
	case BPF_OR: return "or";
	case BPF_XOR: return "xor";
	}
	return NULL;
}

static const char *movsx_cast(int16_t off)
{
	switch (off) {
	case 8: return "(s8)";
	case 16: return "(s16)";
	case 32: return "(s32)";
	}
	return NULL;
}

static int fmt_alu(char *buf, size_t size, const struct bpf_insn *in)
{
	int cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	char r = cls == BPF_ALU ? 'w' : 'r';
	const char *ops = alu_op[op >> 4];

	if (op == BPF_END) {
		if (cls == BPF_ALU64)
			return snprintf(buf, size, "(%02x) r%d = bswap%d r%d\n",
					in->code, in->dst_reg, in->imm, in->dst_reg);
		return snprintf(buf, size, "(%02x) r%d = %s%d r%d\n", in->code,
				in->dst_reg, BPF_SRC(in->code) == BPF_TO_BE ? "be" : "le",
				in->imm, in->dst_reg);
	}
	if (op == BPF_NEG)
		return snprintf(buf, size, "(%02x) %c%d = -%c%d\n", in->code,
				r, in->dst_reg, r, in->dst_reg);
	if (in->code == (BPF_ALU64 | BPF_MOV | BPF_X) && in->off == PD_ADDR_SPACE_CAST)
		return snprintf(buf, size, "(%02x) r%d = addr_space_cast(r%d, %d, %d)\n",
				in->code, in->dst_reg, in->src_reg,
				(int)((uint32_t)in->imm >> 16), (int)(uint16_t)in->imm);
	if (in->code == (BPF_ALU64 | BPF_MOV | BPF_X) && in->off == PD_ADDR_PERCPU)
		return snprintf(buf, size, "(%02x) r%d = &(void __percpu *)(r%d)\n",
				in->code, in->dst_reg, in->src_reg);
	if ((op == BPF_DIV || op == BPF_MOD) && in->off == 1)
		ops = op == BPF_DIV ? "s/=" : "s%=";
	if (BPF_SRC(in->code) == BPF_X) {
		const char *cast = "";

		if (op == BPF_MOV && (in->off == 8 || in->off == 16 || in->off == 32))
			cast = movsx_cast(in->off);
		return snprintf(buf, size, "(%02x) %c%d %s %s%c%d\n", in->code, r,
				in->dst_reg, S(ops), cast, r, in->src_reg);
	}
	return snprintf(buf, size, "(%02x) %c%d %s %d\n", in->code, r,
			in->dst_reg, S(ops), in->imm);
}

static int fmt_stx(char *buf, size_t size, const struct bpf_insn *in)
{
	const char *sz = size_u[BPF_SIZE(in->code) >> 3];
	const char *bits = BPF_SIZE(in->code) == BPF_DW ? "64" : "";
	int32_t imm = in->imm;

	if (BPF_MODE(in->code) == BPF_MEM)
		return snprintf(buf, size, "(%02x) *(%s *)(r%d %+d) = r%d\n",
				in->code, sz, in->dst_reg, in->off, in->src_reg);
	if (BPF_MODE(in->code) != BPF_ATOMIC)
		return snprintf(buf, size, "BUG_%02x\n", in->code);
	if (imm == BPF_ADD || imm == BPF_AND || imm == BPF_OR || imm == BPF_XOR)
		return snprintf(buf, size, "(%02x) lock *(%s *)(r%d %+d) %s r%d\n",
				in->code, sz, in->dst_reg, in->off,
				S(alu_op[imm >> 4]), in->src_reg);
	if (imm == (BPF_ADD | BPF_FETCH) || imm == (BPF_AND | BPF_FETCH) ||
	    imm == (BPF_OR | BPF_FETCH) || imm == (BPF_XOR | BPF_FETCH))
		return snprintf(buf, size, "(%02x) r%d = atomic%s_fetch_%s((%s *)(r%d %+d), r%d)\n",
				in->code, in->src_reg, bits, S(atomic_op(imm)), sz,
				in->dst_reg, in->off, in->src_reg);
	if (imm == BPF_CMPXCHG)
		return snprintf(buf, size, "(%02x) r0 = atomic%s_cmpxchg((%s *)(r%d %+d), r0, r%d)\n",
				in->code, bits, sz, in->dst_reg, in->off, in->src_reg);
	if (imm == BPF_XCHG)
		return snprintf(buf, size, "(%02x) r%d = atomic%s_xchg((%s *)(r%d %+d), r%d)\n",
				in->code, in->src_reg, bits, sz, in->dst_reg, in->off,
				in->src_reg);
	return snprintf(buf, size, "BUG_%02x\n", in->code);
}

static int fmt_ld(char *buf, size_t size, const struct bpf_insn *in,
		  size_t avail, const struct pd_insn_cbs *cbs)
{
	const char *sz = size_u[BPF_SIZE(in->code) >> 3];
	uint64_t full;
	const char *txt = NULL;
	char tmp[64];

	switch (BPF_MODE(in->code)) {
	case BPF_ABS:
		return snprintf(buf, size, "(%02x) r0 = *(%s *)skb[%d]\n",
				in->code, sz, in->imm);
	case BPF_IND:
		return snprintf(buf, size, "(%02x) r0 = *(%s *)skb[r%d + %d]\n",
				in->code, sz, in->src_reg, in->imm);
	case BPF_IMM:
		if (BPF_SIZE(in->code) != BPF_DW)
			break;
		/* A truncated pair reads as a zero upper half, never past the end. */
		full = (uint32_t)in->imm;
		if (avail >= 2)
			full |= (uint64_t)(uint32_t)in[1].imm << 32;
		if (cbs && cbs->imm)
			txt = cbs->imm(cbs->ctx, in, full);
		if (!txt) {
			snprintf(tmp, sizeof(tmp), "0x%llx", (unsigned long long)full);
			txt = tmp;
		}
		return snprintf(buf, size, "(%02x) r%d = %s\n", in->code, in->dst_reg, txt);
	}
	return snprintf(buf, size, "BUG_ld_%02x\n", in->code);
}

static int fmt_call(char *buf, size_t size, const struct bpf_insn *in,
		    const struct pd_insn_cbs *cbs)
{
	const char *name = NULL;
	char tmp[64];

	if (!in->src_reg && in->imm >= 0 && cbs && cbs->helper)
		name = cbs->helper(cbs->ctx, in->imm);
	if (!name && cbs && cbs->call)
		name = cbs->call(cbs->ctx, in);
	if (!name) {
		if (in->src_reg == PD_PSEUDO_CALL)
			snprintf(tmp, sizeof(tmp), "%+d", in->imm);
		else if (in->src_reg == PD_PSEUDO_KFUNC)
			snprintf(tmp, sizeof(tmp), "kernel-function");
		else
			snprintf(tmp, sizeof(tmp), "unknown");
		name = tmp;
	}
	if (in->src_reg == PD_PSEUDO_CALL)
		return snprintf(buf, size, "(%02x) call pc%s\n", in->code, name);
	return snprintf(buf, size, "(%02x) call %s#%d\n", in->code, name, in->imm);
}

static int fmt_jmp(char *buf, size_t size, const struct bpf_insn *in,
		   const struct pd_insn_cbs *cbs)
{
	int cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	char r = cls == BPF_JMP32 ? 'w' : 'r';

	if (op == BPF_CALL)
		return fmt_call(buf, size, in, cbs);
	if (in->code == (BPF_JMP | BPF_JA))
		return snprintf(buf, size, "(%02x) goto pc%+d\n", in->code, in->off);
	if (in->code == (BPF_JMP | BPF_JCOND) && in->src_reg == PD_MAY_GOTO)
		return snprintf(buf, size, "(%02x) may_goto pc%+d\n", in->code, in->off);
	if (in->code == (BPF_JMP32 | BPF_JA))
		return snprintf(buf, size, "(%02x) gotol pc%+d\n", in->code, in->imm);
	if (in->code == (BPF_JMP | BPF_EXIT))
		return snprintf(buf, size, "(%02x) exit\n", in->code);
	if (BPF_SRC(in->code) == BPF_X)
		return snprintf(buf, size, "(%02x) if %c%d %s %c%d goto pc%+d\n",
				in->code, r, in->dst_reg, S(jmp_op[op >> 4]), r,
				in->src_reg, in->off);
	return snprintf(buf, size, "(%02x) if %c%d %s 0x%x goto pc%+d\n", in->code,
			r, in->dst_reg, S(jmp_op[op >> 4]), (unsigned int)in->imm, in->off);
}

int pd_insn_format(char *buf, size_t size, const struct bpf_insn *in,
		   size_t avail, const struct pd_insn_cbs *cbs)
{
	int mode = BPF_MODE(in->code);

	switch (BPF_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		return fmt_alu(buf, size, in);
	case BPF_STX:
		return fmt_stx(buf, size, in);
	case BPF_ST:
		if (mode == BPF_MEM)
			return snprintf(buf, size, "(%02x) *(%s *)(r%d %+d) = %d\n",
					in->code, size_u[BPF_SIZE(in->code) >> 3],
					in->dst_reg, in->off, in->imm);
		if (mode == PD_NOSPEC)
			return snprintf(buf, size, "(%02x) nospec\n", in->code);
		return snprintf(buf, size, "BUG_st_%02x\n", in->code);
	case BPF_LDX:
		if (mode != BPF_MEM && mode != BPF_MEMSX)
			return snprintf(buf, size, "BUG_ldx_%02x\n", in->code);
		return snprintf(buf, size, "(%02x) r%d = *(%s *)(r%d %+d)\n", in->code,
				in->dst_reg,
				S((mode == BPF_MEM ? size_u : size_s)[BPF_SIZE(in->code) >> 3]),
				in->src_reg, in->off);
	case BPF_LD:
		return fmt_ld(buf, size, in, avail, cbs);
	default:	/* BPF_JMP, BPF_JMP32 */
		return fmt_jmp(buf, size, in, cbs);
	}
}
