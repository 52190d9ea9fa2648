// SPDX-License-Identifier: GPL-2.0
/* lib/addr.c and lib/util.c's number parser on arbitrary strings: every
 * parser either refuses or gives a value that prints and parses back the same. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>

#include "addr.h"
#include "fuzz.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), text[INET6_ADDRSTRLEN + 8];
	struct tpk_addr a;
	struct tpk_prefix p, back;
	struct tpk_port_range r;
	uint64_t u;
	int proto;

	tpk_progname = "fuzz";
	if (!tpk_addr_parse(s, &a)) {
		if (a.family != AF_INET && a.family != AF_INET6)
			abort();
		tpk_addr_str(a.family, a.bytes, text, sizeof(text));
	}
	for (int host_bits = 0; host_bits < 2; host_bits++) {
		if (tpk_prefix_parse(s, host_bits, &p))
			continue;
		if (p.len > (p.addr.family == AF_INET ? 32u : 128u))
			abort();
		if (tpk_prefix_str(&p, text, sizeof(text)) < 0 ||
		    tpk_prefix_parse(text, false, &back) || back.len != p.len ||
		    memcmp(back.addr.bytes, p.addr.bytes, sizeof(p.addr.bytes)))
			abort();
	}
	if (!tpk_port_range_parse(s, &r) && (!r.lo || r.lo > r.hi))
		abort();
	if (!tpk_proto_parse(s, &proto)) {
		if (proto < -1 || proto > 255)
			abort();
		tpk_proto_name(proto);	/* NULL for numbers without a name */
	}
	if (!tpk_parse_u64(s, 1, 65535, &u) && (u < 1 || u > 65535))
		abort();
	free(s);
	return 0;
}
