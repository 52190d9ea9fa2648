/* SPDX-License-Identifier: GPL-2.0 */
/* The netfilter backends in one table: start-up tries them, --probe
 * predicts which one start-up would pick, and events name theirs. */
#ifndef TRACEPKT_BACKEND_H
#define TRACEPKT_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include "tracepkt.h"

struct tpk_nf;
struct tpk_nfhook;
struct tracepkt_bpf;

/* Why a backend cannot run here. */
enum tpk_why_code {
	TPK_WHY_OK,
	TPK_WHY_NO_FUNCS,	/* no ipt_do_table, ip6t_do_table or nft_do_chain */
	TPK_WHY_NO_FUNC_BTF,	/* they are there, no BTF describes them */
	TPK_WHY_NO_KPROBES,
	TPK_WHY_NO_LINKS,	/* no netfilter links */
	TPK_WHY_NO_REASON,	/* skb:kfree_skb has no drop reason */
	TPK_WHY_ERRNO,		/* the kernel or libbpf refused: err */
};

struct tpk_why {
	enum tpk_why_code code;
	int err;		/* -errno, with TPK_WHY_ERRNO */
};

#define TPK_WHY(c)	((struct tpk_why){ .code = (c) })

/* 0 or -errno as a reason. */
static inline struct tpk_why tpk_why_err(int err)
{
	return (struct tpk_why){ .code = err ? TPK_WHY_ERRNO : TPK_WHY_OK, .err = err };
}

struct tpk_backend {
	const char *name;		/* --netfilter's word, and in messages */
	const char *event_name;		/* "backend" in JSON events */
	const char *tells;		/* --probe's detail: what its verdicts are */
	const char *needs[3];		/* --probe features it needs, NULL-ended */
	bool inferred;			/* verdicts guessed, not read */
	/* Can it run, by what the kernel's BTF says? Costs no load. */
	struct tpk_why (*check)(const struct tpk_nf *nf);
	/* Autoload its programs (on), or none of them. */
	void (*programs)(struct tracepkt_bpf *skel, const struct tpk_nf *nf, bool on);
	/* After the skeleton's attach; NULL: nothing more. 0 or -errno. */
	int (*attach)(struct tracepkt_bpf *skel, struct tpk_nfhook *hooks);
};

/* Indexed by enum tpk_nf_backend, whose order from TPK_NF_FEXIT on is the
 * order of preference. */
#define TPK_NF_BACKENDS 4
extern const struct tpk_backend tpk_backends[TPK_NF_BACKENDS];

const char *tpk_nf_backend_name(enum tpk_nf_backend b);
int tpk_nf_backend_parse(const char *s, int *out);	/* -1 = auto */
/* The name an event of backend b carries ("?" for none known). */
const char *tpk_backend_event_name(unsigned int b);

/* Check backend b, then autoload its programs, none of the others', and
 * the skb frees' where b, --drops or following packets (track) need them. */
struct tpk_why tpk_backend_prepare(struct tracepkt_bpf *skel, const struct tpk_nf *nf,
				   enum tpk_nf_backend b, bool drops, bool track);
/* Append "NAME: why" to a "; "-separated list. */
void tpk_why_note(char *list, size_t size, enum tpk_nf_backend b, struct tpk_why w);

#endif
