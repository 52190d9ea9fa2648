/* SPDX-License-Identifier: GPL-2.0 */
/* The verdicts of tc and XDP programs on followed packets: an fexit
 * program (bpf/tracepkt_verdict.bpf.c) on each tc and XDP program loaded
 * when tracepkt starts, where the kernel allows fexit on BPF programs. */
#ifndef TRACEPKT_VERDICTS_H
#define TRACEPKT_VERDICTS_H

#include <stdbool.h>
#include <stddef.h>

struct tracepkt_bpf;
struct tracepkt_verdict_bpf;
struct bpf_link;

#define TPK_VERDICTS_MAX 64	/* programs watched, at most */

struct tpk_verdict_target {
	unsigned int id;
	char name[16];		/* BPF_OBJ_NAME_LEN */
	struct tracepkt_verdict_bpf *skel;
	struct bpf_link *link;
};

struct tpk_verdicts {
	int n;			/* targets attached */
	int candidates;		/* tc and XDP programs seen */
	struct tpk_verdict_target t[TPK_VERDICTS_MAX];
	char why[256];		/* why some or all are not watched */
};

/* Watch every tc and XDP program loaded now, lending them main's ring
 * buffer and tracking maps and its --netns/--ifname filters. How many are
 * watched; why any is not in v->why. */
int tpk_verdicts_start(struct tpk_verdicts *v, struct tracepkt_bpf *main);
void tpk_verdicts_stop(struct tpk_verdicts *v);
/* The watched program with this id, or NULL. */
const struct tpk_verdict_target *tpk_verdicts_find(const struct tpk_verdicts *v, unsigned int id);
/* Can this kernel attach fexit to a tc program? For --probe: a tc program
 * of our own as the target. why says what happened. */
bool tpk_verdicts_probe(char *why, size_t len);

#endif
