// SPDX-License-Identifier: GPL-2.0
/* progdump's printers on arbitrary instruction bytes: one instruction at a
 * time (with how many follow it, for ld_imm64), then the whole program
 * through the plain, JSON and DOT printers. */
#include <stdio.h>

#include "cfg.h"
#include "fuzz.h"
#include "insn.h"
#include "xlated.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = size / sizeof(struct bpf_insn);
	static struct pd_prog p;
	static struct pd_dump d;
	static struct bpf_insn first;
	struct tpk_json j;
	struct bpf_insn *in;
	char line[512];

	if (!n || n > 4096)
		return 0;
	/* Opened once: it reads the kernel's symbols. */
	if (!p.insns) {
		p.insns = &first;
		p.nr_insns = 1;
		if (pd_dump_open(&d, &p))
			abort();
	}
	in = malloc(n * sizeof(*in));
	if (!in)
		abort();
	memcpy(in, data, n * sizeof(*in));
	for (size_t i = 0; i < n; i++)
		pd_insn_format(line, sizeof(line), &in[i], n - i, NULL);
	p.insns = in;
	p.nr_insns = n;
	d.opcodes = data[0] & 1;
	pd_dump_plain(&d);
	tpk_json_init(&j, stdout, data[0] & 2);
	pd_dump_json(&d, &j);
	pd_dump_cfg(&d);
	p.insns = &first;
	free(in);
	return 0;
}
