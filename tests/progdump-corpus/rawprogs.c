// SPDX-License-Identifier: GPL-2.0
/* Loads hand-assembled socket filters that clang 14 cannot emit (cpu v4:
 * sign-extending moves and loads, signed division, byte swaps, gotol) along
 * with every ALU/JMP operation in both widths, legacy packet loads,
 * may_goto and every atomic, and pins them under DIR for progdump's tests.
 * Usage: rawprogs DIR   (pins DIR/alu, jmp, mem, loop, branch) */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>

#define I(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOV64I(d, i) I(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define EXIT() I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static const int alu_ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH,
			       BPF_RSH, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH };
static const int jmp_ops[] = { BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT, BPF_JSGE,
			       BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE };

static struct bpf_insn prog[512];
static int n;

static void put(struct bpf_insn in)
{
	prog[n++] = in;
}

static int load_pin(const char *dir, const char *name)
{
	char path[256], log[65536];
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log, .log_size = sizeof(log), .log_level = 1);
	int fd;

	log[0] = '\0';
	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, name, "GPL", prog, n, &o);
	n = 0;
	if (fd < 0) {
		fprintf(stderr, "rawprogs: %s refused:\n%s\n", name, log);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (bpf_obj_pin(fd, path)) {
		perror(path);
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	size_t k;
	int w, err = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: rawprogs DIR\n");
		return 2;
	}

	/* alu: every operation, 32 and 64 bit, immediate and register. */
	put(MOV64I(1, 7));
	put(MOV64I(2, 3));
	for (w = 0; w < 2; w++) {
		int cls = w ? BPF_ALU64 : BPF_ALU;

		for (k = 0; k < sizeof(alu_ops) / sizeof(alu_ops[0]); k++) {
			int sh = alu_ops[k] == BPF_LSH || alu_ops[k] == BPF_RSH || alu_ops[k] == BPF_ARSH;

			put(I(cls | alu_ops[k] | BPF_K, 1, 0, 0, sh ? 3 : 5));
			put(MOV64I(2, 3));
			put(I(cls | alu_ops[k] | BPF_X, 1, 2, 0, 0));
			put(MOV64I(1, 7));
		}
		put(I(cls | BPF_NEG, 1, 0, 0, 0));
		put(I(cls | BPF_DIV | BPF_K, 1, 0, 1, -3));	/* sdiv */
		put(I(cls | BPF_MOD | BPF_K, 1, 0, 1, -3));	/* smod */
		put(I(cls | BPF_DIV | BPF_X, 1, 2, 1, 0));
		put(I(cls | BPF_MOD | BPF_X, 1, 2, 1, 0));
		put(I(cls | BPF_MOV | BPF_X, 3, 1, 8, 0));	/* movsx */
		put(I(cls | BPF_MOV | BPF_X, 3, 1, 16, 0));
	}
	put(I(BPF_ALU64 | BPF_MOV | BPF_X, 3, 1, 32, 0));
	put(I(BPF_ALU | BPF_END | BPF_TO_LE, 1, 0, 0, 16));
	put(I(BPF_ALU | BPF_END | BPF_TO_BE, 1, 0, 0, 32));
	put(I(BPF_ALU | BPF_END | BPF_TO_BE, 1, 0, 0, 64));
	put(I(BPF_ALU64 | BPF_END, 1, 0, 0, 16));	/* bswap */
	put(I(BPF_ALU64 | BPF_END, 1, 0, 0, 32));
	put(I(BPF_ALU64 | BPF_END, 1, 0, 0, 64));
	put(MOV64I(0, 0));
	put(EXIT());
	err |= load_pin(argv[1], "alu");

	/* jmp: every comparison in both widths, gotol, may_goto, packet loads. */
	put(I(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0));
	put(MOV64I(1, 7));
	put(MOV64I(2, -3));
	for (w = 0; w < 2; w++) {
		int cls = w ? BPF_JMP : BPF_JMP32;

		for (k = 0; k < sizeof(jmp_ops) / sizeof(jmp_ops[0]); k++) {
			put(I(cls | jmp_ops[k] | BPF_K, 1, 0, 1, 5));
			put(I(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, 1));
			put(I(cls | jmp_ops[k] | BPF_X, 1, 2, 1, 0));
			put(I(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, 1));
		}
	}
	put(I(BPF_JMP | BPF_JA, 0, 0, 0, 0));
	put(I(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, 1));
	put(I(BPF_JMP32 | BPF_JA, 0, 0, 0, 0));	/* gotol */
	put(I(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, 1));
	put(I(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, 12));
	put(I(BPF_LD | BPF_ABS | BPF_H, 0, 0, 0, 12));
	put(I(BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, 12));
	put(MOV64I(7, 2));
	put(I(BPF_LD | BPF_IND | BPF_B, 0, 7, 0, 12));
	put(I(BPF_LD | BPF_IND | BPF_H, 0, 7, 0, 12));
	put(I(BPF_LD | BPF_IND | BPF_W, 0, 7, 0, 12));
	put(I(BPF_LD | BPF_IMM | BPF_DW, 4, 0, 0, 0x12345678));
	put(I(0, 0, 0, 0, 0x9abcdef));
	put(MOV64I(0, 0));
	put(EXIT());
	err |= load_pin(argv[1], "jmp");

	/* mem: stores, loads and sign-extending loads of every size, every
	 * atomic in both widths, all on the stack. */
	for (k = 0; k < 4; k++) {
		static const int sizes[] = { BPF_DW, BPF_W, BPF_H, BPF_B };

		put(I(BPF_ST | BPF_MEM | sizes[k], 10, 0, -8, 1));
		put(MOV64I(1, 2));
		put(I(BPF_STX | BPF_MEM | sizes[k], 10, 1, -16, 0));
		put(I(BPF_LDX | BPF_MEM | sizes[k], 3, 10, -16, 0));
		if (sizes[k] != BPF_DW)
			put(I(BPF_LDX | BPF_MEMSX | sizes[k], 3, 10, -8, 0));
	}
	put(I(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -24, 0));
	for (w = 0; w < 2; w++) {
		static const int ops[] = { BPF_ADD, BPF_AND, BPF_OR, BPF_XOR };
		int sz = w ? BPF_DW : BPF_W;

		for (k = 0; k < 4; k++) {
			put(MOV64I(1, 1));
			put(I(BPF_STX | BPF_ATOMIC | sz, 10, 1, -24, ops[k]));
			put(I(BPF_STX | BPF_ATOMIC | sz, 10, 1, -24, ops[k] | BPF_FETCH));
		}
		put(I(BPF_STX | BPF_ATOMIC | sz, 10, 1, -24, BPF_XCHG));
		put(MOV64I(0, 0));
		put(I(BPF_STX | BPF_ATOMIC | sz, 10, 1, -24, BPF_CMPXCHG));
	}
	put(MOV64I(0, 0));
	put(EXIT());
	err |= load_pin(argv[1], "mem");

	/* loop: may_goto bounds an otherwise endless loop. */
	put(MOV64I(0, 0));
	put(I(BPF_JMP | BPF_JCOND, 0, 0, 2, 0));
	put(I(BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 1));
	put(I(BPF_JMP | BPF_JA, 0, 0, -3, 0));
	put(MOV64I(0, 0));
	put(EXIT());
	err |= load_pin(argv[1], "loop");

	/* branch: a gotol that skips, to see where its block edge goes. */
	put(MOV64I(0, 0));
	put(I(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1, 0));
	put(I(BPF_JMP32 | BPF_JA, 0, 0, 0, 1));
	put(MOV64I(0, 1));
	put(EXIT());
	err |= load_pin(argv[1], "branch");
	return err;
}
