// SPDX-License-Identifier: GPL-2.0
/* progdump cbpf: a pcap filter expression compiled and printed (or refused
 * with one line), and the classic BPF printer on arbitrary instructions. */
#include <stdio.h>
#include <pcap/pcap.h>

#include "cbpf.h"
#include "fuzz.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, line[256];
	size_t n = size / sizeof(struct bpf_insn);
	struct bpf_insn *in;

	if (size > 512)
		return 0;	/* longer expressions only slow libpcap's parser */
	tpk_progname = "fuzz";
	in = malloc((n ? n : 1) * sizeof(*in));
	if (!in)
		abort();
	memcpy(in, data, n * sizeof(*in));
	for (size_t i = 0; i < n; i++)
		pd_cbpf_format(line, sizeof(line), &in[i], (int)i);
	free(in);
	s = fuzz_str(data, size);
	pd_cbpf_dump(s, NULL, PD_LINKTYPE_DEFAULT, 262144, size & 1);
	free(s);
	return 0;
}
