// SPDX-License-Identifier: GPL-2.0
/* Classic BPF to eBPF, for a pcap-filter expression run in the kernel at
 * each probe. The kernel has its own converter (bpf_convert_filter) for
 * socket filters, but it is not reachable from user space, and its output
 * reads the packet from an skb: ours reads a copy of the packet's first
 * bytes in a map value, with every load checked so that the verifier can
 * prove it in bounds.
 *
 * Registers: r6 the packet copy, r7 A, r8 X, r9 the bytes copied (at most
 * TPK_CBPF_PKT_MAX); the packet's real length at r10-72, the 16 scratch
 * words at r10-64 .. r10-4; r1, r2 for addresses. r6-r9 are the callee's
 * to use in a BPF-to-BPF call. All arithmetic is 32-bit, as classic BPF's
 * is, and compares are JMP32, so a constant above 0x7fffffff compares as
 * the unsigned 32-bit value it is. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbpf.h"

#define R_PKT	BPF_REG_6
#define R_A	BPF_REG_7
#define R_X	BPF_REG_8
#define R_CAP	BPF_REG_9
#define WIRELEN_OFF	(-72)
#define MEM_OFF(k)	(-64 + 4 * (int)(k))

/* A jump whose offset is known once every instruction has its place. */
struct fixup {
	int at;		/* the eBPF jump */
	int target;	/* a classic instruction, or n for the reject block */
};

struct emit {
	struct bpf_insn *out;
	int max, len;
	struct fixup *fix;
	int nfix;
	bool full;
};

static void put(struct emit *e, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (e->len >= e->max) {
		e->full = true;
		return;
	}
	e->out[e->len++] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src,
					       .off = off, .imm = imm };
}

/* A jump (code, with its operands) to classic instruction target. */
static void jump(struct emit *e, uint8_t code, uint8_t dst, uint8_t src, int32_t imm, int target)
{
	e->fix[e->nfix++] = (struct fixup){ e->len, target };
	put(e, code, dst, src, 0, imm);
}

/* Reject unless the packet holds size bytes at offset k (a constant). */
static void load_abs(struct emit *e, int reject, uint8_t dst, uint32_t k, int size, uint8_t sz)
{
	if ((uint64_t)k + size > TPK_CBPF_PKT_MAX) {
		/* Always taken (r9 <= the maximum): no load to prove. */
		jump(e, BPF_JMP32 | BPF_JLE | BPF_K, R_CAP, 0, TPK_CBPF_PKT_MAX, reject);
		return;
	}
	jump(e, BPF_JMP32 | BPF_JLT | BPF_K, R_CAP, 0, (int32_t)(k + size), reject);
	put(e, BPF_LDX | BPF_MEM | sz, dst, R_PKT, (int16_t)k, 0);
}

/* Reject unless the packet holds size bytes at X + k. */
static void load_ind(struct emit *e, int reject, uint32_t k, int size, uint8_t sz)
{
	put(e, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, R_X, 0, 0);
	put(e, BPF_ALU | BPF_ADD | BPF_K, BPF_REG_1, 0, 0, (int32_t)k);
	jump(e, BPF_JMP32 | BPF_JGT | BPF_K, BPF_REG_1, 0, TPK_CBPF_PKT_MAX - size, reject);
	put(e, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_1, 0, 0);
	put(e, BPF_ALU | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, size);
	jump(e, BPF_JMP32 | BPF_JGT | BPF_X, BPF_REG_2, R_CAP, 0, reject);
	put(e, BPF_ALU64 | BPF_ADD | BPF_X, BPF_REG_1, R_PKT, 0, 0);
	put(e, BPF_LDX | BPF_MEM | sz, R_A, BPF_REG_1, 0, 0);
}

/* Network byte order, as classic BPF loads words and halfwords. */
static void to_host(struct emit *e, uint8_t reg, int size)
{
	if (size > 1)
		put(e, BPF_ALU | BPF_END | BPF_TO_BE, reg, 0, 0, size * 8);
}

static int size_of(uint16_t code, uint8_t *sz)
{
	switch (BPF_SIZE(code)) {
	case BPF_W: *sz = BPF_W; return 4;
	case BPF_H: *sz = BPF_H; return 2;
	case BPF_B: *sz = BPF_B; return 1;
	}
	return 0;
}

/* The loads A and X share: a constant, the packet's length, a scratch
 * word. 1 when f is none of them. */
static int load_reg(struct emit *e, const struct sock_filter *f, uint8_t dst)
{
	switch (BPF_MODE(f->code)) {
	case BPF_IMM:
		put(e, BPF_ALU | BPF_MOV | BPF_K, dst, 0, 0, (int32_t)f->k);
		return 0;
	case BPF_LEN:
		put(e, BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_10, WIRELEN_OFF, 0);
		return 0;
	case BPF_MEM:
		if (f->k >= BPF_MEMWORDS)
			return -1;
		put(e, BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_10, MEM_OFF(f->k), 0);
		return 0;
	}
	return 1;
}

static int translate_ld(struct emit *e, const struct sock_filter *f, int reject)
{
	uint8_t sz;
	int size = size_of(f->code, &sz), err = load_reg(e, f, R_A);

	if (err <= 0)
		return err;
	switch (BPF_MODE(f->code)) {
	case BPF_ABS:
		if (!size)
			return -1;
		load_abs(e, reject, R_A, f->k, size, sz);
		to_host(e, R_A, size);
		return 0;
	case BPF_IND:
		if (!size)
			return -1;
		load_ind(e, reject, f->k, size, sz);
		to_host(e, R_A, size);
		return 0;
	}
	return -1;
}

static int translate_ldx(struct emit *e, const struct sock_filter *f, int reject)
{
	int err = load_reg(e, f, R_X);

	if (err <= 0)
		return err;
	switch (BPF_MODE(f->code)) {
	case BPF_MSH:	/* X = 4 * (P[k] & 0xf): an IPv4 header's length */
		load_abs(e, reject, R_X, f->k, 1, BPF_B);
		put(e, BPF_ALU | BPF_AND | BPF_K, R_X, 0, 0, 0xf);
		put(e, BPF_ALU | BPF_LSH | BPF_K, R_X, 0, 0, 2);
		return 0;
	}
	return -1;
}

static int translate_alu(struct emit *e, const struct sock_filter *f, int reject)
{
	uint8_t op = BPF_OP(f->code);

	switch (op) {
	case BPF_ADD: case BPF_SUB: case BPF_MUL: case BPF_DIV: case BPF_MOD:
	case BPF_OR: case BPF_AND: case BPF_XOR: case BPF_LSH: case BPF_RSH:
		break;
	case BPF_NEG:
		put(e, BPF_ALU | BPF_NEG, R_A, 0, 0, 0);
		return 0;
	default:
		return -1;
	}
	if (BPF_SRC(f->code) == BPF_K) {
		/* Classic BPF fails a division by zero; eBPF would give 0. */
		if ((op == BPF_DIV || op == BPF_MOD) && !f->k)
			return -1;
		put(e, BPF_ALU | op | BPF_K, R_A, 0, 0, (int32_t)f->k);
		return 0;
	}
	if (op == BPF_DIV || op == BPF_MOD)
		jump(e, BPF_JMP32 | BPF_JEQ | BPF_K, R_X, 0, 0, reject);
	put(e, BPF_ALU | op | BPF_X, R_A, R_X, 0, 0);
	return 0;
}

static int translate_jmp(struct emit *e, const struct sock_filter *f, int i, int n)
{
	uint8_t op = BPF_OP(f->code);
	int t = i + 1 + f->jt, fl = i + 1 + f->jf;

	if (op == BPF_JA) {
		if ((uint64_t)i + 1 + f->k >= (uint64_t)n)
			return -1;
		jump(e, BPF_JMP | BPF_JA, 0, 0, 0, i + 1 + (int)f->k);
		return 0;
	}
	if (op != BPF_JEQ && op != BPF_JGT && op != BPF_JGE && op != BPF_JSET)
		return -1;
	if (t >= n || fl >= n)
		return -1;
	if (BPF_SRC(f->code) == BPF_K)
		jump(e, BPF_JMP32 | op | BPF_K, R_A, 0, (int32_t)f->k, t);
	else
		jump(e, BPF_JMP32 | op | BPF_X, R_A, R_X, 0, t);
	if (fl != i + 1)
		jump(e, BPF_JMP | BPF_JA, 0, 0, 0, fl);
	return 0;
}

static int translate_one(struct emit *e, const struct sock_filter *f, int i, int n)
{
	switch (BPF_CLASS(f->code)) {
	case BPF_LD:
		return translate_ld(e, f, n);
	case BPF_LDX:
		return translate_ldx(e, f, n);
	case BPF_ST:
	case BPF_STX:
		if (f->k >= BPF_MEMWORDS)
			return -1;
		put(e, BPF_STX | BPF_MEM | BPF_W, BPF_REG_10,
		    BPF_CLASS(f->code) == BPF_ST ? R_A : R_X, MEM_OFF(f->k), 0);
		return 0;
	case BPF_ALU:
		return translate_alu(e, f, n);
	case BPF_JMP:
		return translate_jmp(e, f, i, n);
	case BPF_RET:
		if (BPF_RVAL(f->code) == BPF_A)
			put(e, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_0, R_A, 0, 0);
		else if (BPF_RVAL(f->code) == BPF_K)
			put(e, BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, (int32_t)f->k);
		else
			return -1;
		put(e, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		return 0;
	case BPF_MISC:
		if (BPF_MISCOP(f->code) == BPF_TAX)
			put(e, BPF_ALU | BPF_MOV | BPF_X, R_X, R_A, 0, 0);
		else if (BPF_MISCOP(f->code) == BPF_TXA)
			put(e, BPF_ALU | BPF_MOV | BPF_X, R_A, R_X, 0, 0);
		else
			return -1;
		return 0;
	}
	return -1;
}

/* Which classic instructions a run can reach: the verifier refuses code no
 * path leads to, which classic BPF allows. */
static void reach(const struct sock_filter *in, int n, bool *seen)
{
	seen[0] = true;
	for (int i = 0; i < n; i++) {
		const struct sock_filter *f = &in[i];

		if (!seen[i] || BPF_CLASS(f->code) == BPF_RET)
			continue;
		if (BPF_CLASS(f->code) != BPF_JMP) {
			if (i + 1 < n)
				seen[i + 1] = true;
		} else if (BPF_OP(f->code) == BPF_JA) {
			if ((uint64_t)i + 1 + f->k < (uint64_t)n)
				seen[i + 1 + f->k] = true;
		} else {
			if (i + 1 + f->jt < n)
				seen[i + 1 + f->jt] = true;
			if (i + 1 + f->jf < n)
				seen[i + 1 + f->jf] = true;
		}
	}
}

static bool uses_mem(const struct sock_filter *in, int n)
{
	for (int i = 0; i < n; i++)
		if ((BPF_CLASS(in[i].code) == BPF_LD || BPF_CLASS(in[i].code) == BPF_LDX) &&
		    BPF_MODE(in[i].code) == BPF_MEM)
			return true;
	return false;
}

static void prologue(struct emit *e, bool mem)
{
	put(e, BPF_ALU64 | BPF_MOV | BPF_X, R_PKT, BPF_REG_1, 0, 0);
	put(e, BPF_ALU | BPF_MOV | BPF_X, R_CAP, BPF_REG_2, 0, 0);
	/* The verifier must know r9's bound to prove a load past it dead. */
	put(e, BPF_JMP32 | BPF_JLE | BPF_K, R_CAP, 0, 1, TPK_CBPF_PKT_MAX);
	put(e, BPF_ALU | BPF_MOV | BPF_K, R_CAP, 0, 0, TPK_CBPF_PKT_MAX);
	put(e, BPF_STX | BPF_MEM | BPF_W, BPF_REG_10, BPF_REG_3, WIRELEN_OFF, 0);
	put(e, BPF_ALU | BPF_MOV | BPF_K, R_A, 0, 0, 0);
	put(e, BPF_ALU | BPF_MOV | BPF_K, R_X, 0, 0, 0);
	/* Scratch words read before written read 0, as in the kernel's
	 * classic BPF; the verifier wants them written first anyway. */
	for (int k = 0; mem && k < BPF_MEMWORDS; k += 2)
		put(e, BPF_ST | BPF_MEM | BPF_DW, BPF_REG_10, 0, MEM_OFF(k), 0);
}

/* Every jump's offset, now that each classic instruction has its place. */
static int resolve(struct emit *e, const int *pos, int n)
{
	bool rejects = false;
	int reject = e->len;

	for (int i = 0; i < e->nfix; i++)
		rejects |= e->fix[i].target == n;
	if (rejects) {
		put(e, BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
		put(e, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	}
	for (int i = 0; i < e->nfix; i++) {
		int to = e->fix[i].target == n ? reject : pos[e->fix[i].target];
		int off = to - (e->fix[i].at + 1);

		if (off < INT16_MIN || off > INT16_MAX)
			return -1;
		if (e->fix[i].at < e->len)
			e->out[e->fix[i].at].off = (int16_t)off;
	}
	return 0;
}

int tpk_cbpf_translate(const struct sock_filter *in, int n, struct bpf_insn *out, int max,
		       char *why, size_t whylen)
{
	struct emit e = { .out = out, .max = max };
	int *pos = calloc(n + 1, sizeof(*pos));
	bool *seen = calloc(n + 1, sizeof(*seen));
	int ret = -EINVAL, i;

	/* A classic instruction makes at most two jumps. */
	e.fix = calloc(2 * (size_t)n + 1, sizeof(*e.fix));
	if (!pos || !seen || !e.fix) {
		snprintf(why, whylen, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	if (n < 1 || BPF_CLASS(in[n - 1].code) != BPF_RET) {
		snprintf(why, whylen, "a classic BPF program must end with a return");
		goto out;
	}
	reach(in, n, seen);
	prologue(&e, uses_mem(in, n));
	for (i = 0; i < n; i++) {
		pos[i] = e.len;
		if (seen[i] && translate_one(&e, &in[i], i, n)) {
			if (BPF_CLASS(in[i].code) == BPF_JMP && BPF_OP(in[i].code) == BPF_JA)
				snprintf(why, whylen, "the filter loops (a backward jump, as protochain "
					 "makes), which the kernel does not run");
			else
				snprintf(why, whylen, "classic BPF instruction %d (code 0x%04x) "
					 "cannot be run", i, in[i].code);
			goto out;
		}
	}
	if (resolve(&e, pos, n) || e.full) {
		snprintf(why, whylen, "the filter is too large (more than %d eBPF instructions)", max);
		ret = -E2BIG;
		goto out;
	}
	ret = e.len;
out:
	free(pos);
	free(seen);
	free(e.fix);
	return ret;
}
