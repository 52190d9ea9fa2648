// SPDX-License-Identifier: GPL-2.0
#include <argp.h>
#include <bpf/libbpf.h>

#include "util.h"
#include "version.h"

/* The Makefile passes the options that change the binary's behaviour or
 * footprint; other builds of this file (fuzzers) do not. */
#ifndef TPK_BUILD_OPTS
#define TPK_BUILD_OPTS "unknown"
#endif

void tpk_version_print(FILE *f, struct argp_state *state)
{
	(void)state;
	fprintf(f, "%s %s\n", tpk_progname, TRACEPKT_VERSION);
	fprintf(f, "libbpf %s\n", libbpf_version_string());
	fprintf(f, "build: %s\n", TPK_BUILD_OPTS);
}
