// SPDX-License-Identifier: GPL-2.0
/* progdump's eBPF instruction printer: one instruction of each class and
 * shape against the text bpftool 7.5 prints for it, then random bytes (no
 * crash, no read past the buffer, always one line). */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "insn.h"

#define I(c, d, s, o, i) { .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) }

struct ebpf_case {
	struct bpf_insn in[2];
	const char *want;
};

static const char *fake_helper(void *ctx, int32_t id)
{
	(void)ctx;
	return id == 1 ? "bpf_map_lookup_elem" : id == 12 ? "bpf_tail_call" : NULL;
}

static const struct ebpf_case cases[] = {
	{ { I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1) }, "(b7) r0 = 1\n" },
	{ { I(BPF_ALU | BPF_ADD | BPF_K, 1, 0, 0, -5) }, "(04) w1 += -5\n" },
	{ { I(BPF_ALU64 | BPF_LSH | BPF_X, 2, 3, 0, 0) }, "(6f) r2 <<= r3\n" },
	{ { I(BPF_ALU64 | BPF_ARSH | BPF_K, 1, 0, 0, 32) }, "(c7) r1 s>>= 32\n" },
	{ { I(BPF_ALU | BPF_NEG, 4, 0, 0, 0) }, "(84) w4 = -w4\n" },
	{ { I(BPF_ALU64 | BPF_DIV | BPF_K, 1, 0, 1, -3) }, "(37) r1 s/= -3\n" },
	{ { I(BPF_ALU | BPF_MOD | BPF_X, 1, 2, 1, 0) }, "(9c) w1 s%= w2\n" },
	{ { I(BPF_ALU64 | BPF_MOV | BPF_X, 3, 1, 8, 0) }, "(bf) r3 = (s8)r1\n" },
	{ { I(BPF_ALU | BPF_MOV | BPF_X, 3, 1, 16, 0) }, "(bc) w3 = (s16)w1\n" },
	{ { I(BPF_ALU64 | BPF_MOV | BPF_X, 3, 1, 32, 0) }, "(bf) r3 = (s32)r1\n" },
	{ { I(BPF_ALU64 | BPF_MOV | BPF_X, 0, 0, -1, 0) }, "(bf) r0 = &(void __percpu *)(r0)\n" },
	{ { I(BPF_ALU64 | BPF_MOV | BPF_X, 1, 2, 1, 0x10000) }, "(bf) r1 = addr_space_cast(r2, 1, 0)\n" },
	{ { I(BPF_ALU | BPF_END | BPF_TO_BE, 1, 0, 0, 16) }, "(dc) r1 = be16 r1\n" },
	{ { I(BPF_ALU | BPF_END | BPF_TO_LE, 1, 0, 0, 64) }, "(d4) r1 = le64 r1\n" },
	{ { I(BPF_ALU64 | BPF_END, 1, 0, 0, 32) }, "(d7) r1 = bswap32 r1\n" },
	{ { I(BPF_ALU64 | 0xe0 | BPF_K, 1, 0, 0, 2) }, "(e7) r1 (null) 2\n" },
	{ { I(BPF_LDX | BPF_MEM | BPF_W, 1, 6, 112, 0) }, "(61) r1 = *(u32 *)(r6 +112)\n" },
	{ { I(BPF_LDX | BPF_MEMSX | BPF_B, 3, 10, -8, 0) }, "(91) r3 = *(s8 *)(r10 -8)\n" },
	{ { I(BPF_LDX | BPF_MEMSX | BPF_DW, 3, 10, -8, 0) }, "(99) r3 = *((null) *)(r10 -8)\n" },
	{ { I(BPF_LDX | BPF_ABS | BPF_W, 0, 0, 0, 0) }, "BUG_ldx_21\n" },
	{ { I(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -16, 65535) }, "(7a) *(u64 *)(r10 -16) = 65535\n" },
	{ { I(BPF_ST | 0xc0, 0, 0, 0, 0) }, "(c2) nospec\n" },
	{ { I(BPF_ST | BPF_ABS | BPF_H, 0, 0, 0, 0) }, "BUG_st_2a\n" },
	{ { I(BPF_STX | BPF_MEM | BPF_B, 10, 1, -1, 0) }, "(73) *(u8 *)(r10 -1) = r1\n" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 8, 0, BPF_ADD) }, "(db) lock *(u64 *)(r1 +0) += r8\n" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_W, 10, 1, -24, BPF_XOR | BPF_FETCH) },
	  "(c3) r1 = atomic_fetch_xor((u32 *)(r10 -24), r1)\n" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 0, 0, BPF_XCHG) }, "(db) r0 = atomic64_xchg((u64 *)(r1 +0), r0)\n" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, BPF_CMPXCHG) },
	  "(db) r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)\n" },
	{ { I(BPF_STX | BPF_ATOMIC | BPF_W, 1, 2, 0, 0x100) }, "BUG_c3\n" },
	{ { I(BPF_LD | BPF_ABS | BPF_H, 0, 0, 0, 12) }, "(28) r0 = *(u16 *)skb[12]\n" },
	{ { I(BPF_LD | BPF_IND | BPF_B, 0, 7, 0, 14) }, "(50) r0 = *(u8 *)skb[r7 + 14]\n" },
	{ { I(BPF_LD | BPF_IMM | BPF_DW, 4, 0, 0, 0x12345678), I(0, 0, 0, 0, 0x9abcdef) },
	  "(18) r4 = 0x9abcdef12345678\n" },
	{ { I(BPF_LD | BPF_IMM | BPF_W, 4, 0, 0, 1) }, "BUG_ld_00\n" },
	{ { I(BPF_JMP | BPF_JA, 0, 0, -9, 0) }, "(05) goto pc-9\n" },
	{ { I(BPF_JMP32 | BPF_JA, 0, 0, 0, 70000) }, "(06) gotol pc+70000\n" },
	{ { I(BPF_JMP | BPF_JCOND, 0, 0, 2, 0) }, "(e5) may_goto pc+2\n" },
	{ { I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0) }, "(95) exit\n" },
	{ { I(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 14, 0) }, "(15) if r1 == 0x0 goto pc+14\n" },
	{ { I(BPF_JMP | BPF_JSGT | BPF_X, 3, 2, 5, 0) }, "(6d) if r3 s> r2 goto pc+5\n" },
	{ { I(BPF_JMP32 | BPF_JLE | BPF_K, 1, 0, -1, -2) }, "(b6) if w1 <= 0xfffffffe goto pc-1\n" },
	{ { I(BPF_JMP32 | BPF_JSET | BPF_X, 1, 2, 1, 0) }, "(4e) if w1 & w2 goto pc+1\n" },
	{ { I(BPF_JMP | BPF_CALL, 0, 0, 0, 1) }, "(85) call bpf_map_lookup_elem#1\n" },
	{ { I(BPF_JMP | BPF_CALL, 0, 0, 0, 12) }, "(85) call bpf_tail_call#12\n" },
	{ { I(BPF_JMP | BPF_CALL, 0, 0, 0, 343552) }, "(85) call unknown#343552\n" },
	{ { I(BPF_JMP | BPF_CALL, 0, 1, 40, 1) }, "(85) call pc+1\n" },
	{ { I(BPF_JMP | BPF_CALL, 0, 2, 0, 777) }, "(85) call kernel-function#777\n" },
};

static void test_ebpf(void)
{
	struct pd_insn_cbs cbs = { .helper = fake_helper };
	char buf[256], desc[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pd_insn_format(buf, sizeof(buf), cases[i].in, 2, &cbs);
		snprintf(desc, sizeof(desc), "%.*s", (int)strlen(cases[i].want) - 1, cases[i].want);
		tap_is_str(buf, cases[i].want, desc);
	}
	/* A pair cut short by the end of the program reads no further. */
	pd_insn_format(buf, sizeof(buf), cases[31].in, 1, &cbs);
	tap_is_str(buf, "(18) r4 = 0x12345678\n", "ld_imm64 at the end: no read past it");
}

static void test_random(void)
{
	struct pd_insn_cbs cbs = { .helper = fake_helper };
	int i, bad = 0;
	char buf[256];

	srand(7);
	for (i = 0; i < 200000; i++) {
		/* Heap copies of exactly one instruction let ASan/valgrind
		 * catch a read past the end. */
		struct bpf_insn *in = malloc(sizeof(*in));
		unsigned char *b = (unsigned char *)in;
		size_t j;
		int len;

		if (!in)
			abort();
		for (j = 0; j < sizeof(*in); j++)
			b[j] = rand() & 0xff;
		len = pd_insn_format(buf, sizeof(buf), in, 1, &cbs);
		if (len <= 0 || (size_t)len >= sizeof(buf) || buf[len - 1] != '\n' ||
		    strchr(buf, '\n') != buf + len - 1)
			bad++;
		free(in);
	}
	tap_is_int(bad, 0, "200000 random eBPF instructions: one line each");
}

int main(void)
{
	tap_plan((int)(sizeof(cases) / sizeof(cases[0])) + 1 + 1);
	test_ebpf();
	test_random();
	return tap_exit();
}
