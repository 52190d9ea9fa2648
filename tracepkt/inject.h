/* SPDX-License-Identifier: GPL-2.0 */
/* A pcap-filter expression's eBPF, put into tracepkt's programs at load in
 * place of the stub tpk_pcap_run (bpf/tracepkt_pkt.bpf.h). */
#ifndef TRACEPKT_INJECT_H
#define TRACEPKT_INJECT_H

#include <stddef.h>

struct bpf_insn;
struct bpf_object;

/* Before the object is opened: from then on, every program that calls the
 * stub is loaded with filter (n instructions, copied) in its place. libbpf
 * hands a program's final instructions only to a section's own handler, so
 * this registers tracepkt's for the sections it uses (their attach target
 * set from the section's name, as libbpf's own would). 0 or -errno. */
int tpk_inject_start(const struct bpf_insn *filter, int n);
/* After open and autoload, before load: the attach targets of the
 * programs that will load. 0 or -errno (printed). */
int tpk_inject_targets(struct bpf_object *obj);
/* Once nothing loads or attaches any more. */
void tpk_inject_stop(void);

#endif
