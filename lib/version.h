/* SPDX-License-Identifier: GPL-2.0 */
/* --version for every tool: what a bug report needs to name the build. */
#ifndef TPK_VERSION_H
#define TPK_VERSION_H

#include <stdio.h>

struct argp_state;

/* For argp_program_version_hook: "TOOL VERSION", then the libbpf the binary
 * runs with (a shared libbpf can differ from the headers it was built
 * against), then the build options. TOOL is tpk_progname. */
void tpk_version_print(FILE *f, struct argp_state *state);

#endif
