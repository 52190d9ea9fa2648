// SPDX-License-Identifier: GPL-2.0
/* progdump cbpf: a pcap filter expression compiled and printed (or refused
 * with one line). */
#include "cbpf.h"
#include "fuzz.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > 512)
		return 0;	/* longer expressions only slow libpcap's parser */
	tpk_progname = "fuzz";
	s = fuzz_str(data, size);
	pd_cbpf_dump(s, NULL, PD_LINKTYPE_DEFAULT, 262144, size & 1);
	free(s);
	return 0;
}
