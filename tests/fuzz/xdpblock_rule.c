// SPDX-License-Identifier: GPL-2.0
/* One line of an xdpblock rule file: refused with a message, or a rule whose
 * text parses back to the same rule. */
#include <stdio.h>

#include "fuzz.h"
#include "rules.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), err[256], text[256];
	struct xb_rule r, back;
	struct xdpb_key k1, k2;
	struct xdpb_match m1, m2;
	int got;

	tpk_progname = "fuzz";
	err[0] = '\0';
	got = xb_rule_parse_line(s, &r, err, sizeof(err));
	if (got < 0 && !err[0])
		abort();	/* a refusal always says why */
	if (got > 0) {
		xb_rule_str(&r, text, sizeof(text));
		if (xb_rule_parse_line(text, &back, err, sizeof(err)) <= 0)
			abort();
		xb_rule_key(&r, &k1);
		xb_rule_key(&back, &k2);
		xb_rule_match(&r, &m1);
		xb_rule_match(&back, &m2);
		if (memcmp(&k1, &k2, sizeof(k1)) || m1.flags != m2.flags || m1.proto != m2.proto ||
		    m1.port_lo != m2.port_lo || m1.port_hi != m2.port_hi)
			abort();
	}
	free(s);
	return 0;
}
