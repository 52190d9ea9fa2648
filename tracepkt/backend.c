// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <bpf/libbpf.h>

#include "backend.h"
#include "nf.h"
#include "nfhook.h"
#include "sys.h"
#include "util.h"
#include "tracepkt.skel.h"

static void autoload(struct tracepkt_bpf *skel, const char *name, bool on)
{
	struct bpf_program *p = bpf_object__find_program_by_name(skel->obj, name);

	if (p)
		bpf_program__set_autoload(p, on);
}

/* fexit and kprobes need a table function; which of them the kernel has is
 * the same question for both, asked of different facts. */
static struct tpk_why funcs_there(const struct tpk_nf *nf, bool ipt, bool ip6t, bool nft)
{
	if (ipt || ip6t || nft)
		return TPK_WHY(TPK_WHY_OK);
	return TPK_WHY(nf->nobtf ? TPK_WHY_NO_FUNC_BTF : TPK_WHY_NO_FUNCS);
}

static struct tpk_why none_check(const struct tpk_nf *nf)
{
	(void)nf;
	return TPK_WHY(TPK_WHY_OK);
}

static void none_programs(struct tracepkt_bpf *skel, const struct tpk_nf *nf, bool on)
{
	(void)skel, (void)nf, (void)on;
}

static struct tpk_why fexit_check(const struct tpk_nf *nf)
{
	struct tpk_why w = funcs_there(nf, nf->ipt.btf, nf->ip6t.btf, nf->nft.btf);

	if (w.code == TPK_WHY_OK && nf->fexit_err < 0)
		w = tpk_why_err(nf->fexit_err);
	return w;
}

/* Since 5.16 the xtables functions take (priv, skb, state): one program
 * per argument order, the kernel's BTF says which. */
static void fexit_programs(struct tracepkt_bpf *skel, const struct tpk_nf *nf, bool on)
{
	const struct tpk_nf_fn *ipt = &nf->ipt, *ip6t = &nf->ip6t;

	autoload(skel, "fexit_ipt_new", on && ipt->btf && ipt->new_abi);
	autoload(skel, "fexit_ipt_old", on && ipt->btf && !ipt->new_abi);
	autoload(skel, "fexit_ip6t_new", on && ip6t->btf && ip6t->new_abi);
	autoload(skel, "fexit_ip6t_old", on && ip6t->btf && !ip6t->new_abi);
	autoload(skel, "fexit_nft", on && nf->nft.btf);
}

static struct tpk_why kprobe_check(const struct tpk_nf *nf)
{
	struct tpk_why w = funcs_there(nf, nf->ipt.usable, nf->ip6t.usable, nf->nft.usable);

	/* Do not pay for loading the programs to find out. */
	if (w.code == TPK_WHY_OK && !tpk_kprobes_usable())
		w = TPK_WHY(TPK_WHY_NO_KPROBES);
	return w;
}

static void kprobe_programs(struct tracepkt_bpf *skel, const struct tpk_nf *nf, bool on)
{
	const struct tpk_nf_fn *ipt = &nf->ipt, *ip6t = &nf->ip6t;

	autoload(skel, "kp_ipt", on && ipt->usable);
	autoload(skel, "krp_ipt_new", on && ipt->usable && ipt->new_abi);
	autoload(skel, "krp_ipt_old", on && ipt->usable && !ipt->new_abi);
	autoload(skel, "kp_ip6t", on && ip6t->usable);
	autoload(skel, "krp_ip6t_new", on && ip6t->usable && ip6t->new_abi);
	autoload(skel, "krp_ip6t_old", on && ip6t->usable && !ip6t->new_abi);
	autoload(skel, "kp_nft", on && nf->nft.usable);
	autoload(skel, "krp_nft", on && nf->nft.usable);
}

/* nfhook learns DROP verdicts from the reason of the free. */
static struct tpk_why nfhook_check(const struct tpk_nf *nf)
{
	if (!nf->nf_links)
		return TPK_WHY(TPK_WHY_NO_LINKS);
	if (!nf->free_reason)
		return TPK_WHY(TPK_WHY_NO_REASON);
	return TPK_WHY(TPK_WHY_OK);
}

static void nfhook_programs(struct tracepkt_bpf *skel, const struct tpk_nf *nf, bool on)
{
	(void)nf;
	autoload(skel, "nf_first", on);
	autoload(skel, "nf_next", on);
}

const struct tpk_backend tpk_backends[TPK_NF_BACKENDS] = {
	[TPK_NF_NONE] = {
		.name = "off", .event_name = "none", .tells = "no backend works here",
		.check = none_check, .programs = none_programs,
	},
	[TPK_NF_FEXIT] = {
		.name = "fexit", .event_name = "fexit", .tells = "real verdicts",
		.needs = { "fexit" },
		.check = fexit_check, .programs = fexit_programs,
	},
	[TPK_NF_KPROBE] = {
		.name = "kprobe", .event_name = "kprobe", .tells = "real verdicts",
		.needs = { "kprobe" },
		.check = kprobe_check, .programs = kprobe_programs,
	},
	[TPK_NF_NFHOOK] = {
		.name = "nfhook", .event_name = "nfhook", .tells = "verdicts inferred",
		.needs = { "netfilter_link", "drop_reasons" }, .inferred = true,
		.check = nfhook_check, .programs = nfhook_programs, .attach = tpk_nfhook_attach,
	},
};

const char *tpk_nf_backend_name(enum tpk_nf_backend b)
{
	return b < TPK_NF_BACKENDS ? tpk_backends[b].name : "?";
}

const char *tpk_backend_event_name(unsigned int b)
{
	return b < TPK_NF_BACKENDS ? tpk_backends[b].event_name : "?";
}

int tpk_nf_backend_parse(const char *s, int *out)
{
	if (!strcmp(s, "auto")) {
		*out = -1;
		return 0;
	}
	for (int i = 0; i < TPK_NF_BACKENDS; i++) {
		if (!strcmp(s, tpk_backends[i].name)) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* skb:kfree_skb, always: nfhook's drops, --drops, the last line of a
 * packet dropped where tc or XDP programs are, and the end of a followed
 * packet. With its reason where the kernel gives one (5.17+), tp_btf where
 * BTF describes it. skb:consume_skb, the other end, only for the last. */
static void free_programs(struct tracepkt_bpf *skel, const struct tpk_nf *nf, bool drops, bool track)
{
	const bool on = true;

	autoload(skel, "btf_kfree_skb", on && nf->free_btf && nf->free_reason);
	autoload(skel, "btf_kfree_skb_noreason", on && nf->free_btf && !nf->free_reason);
	autoload(skel, "raw_kfree_skb", on && !nf->free_btf);
	autoload(skel, "btf_consume_skb", track && nf->free_btf);
	autoload(skel, "raw_consume_skb", track && !nf->free_btf);
	skel->rodata->want_drops = drops;
	skel->rodata->track_on = track;
	if (nf->icmp6_frees_all) {
		uint64_t lo = 0, hi = 0;

		if (!tpk_ksym_range("icmpv6_rcv", &lo, &hi)) {
			skel->rodata->icmp6_rcv_lo = lo;
			skel->rodata->icmp6_rcv_hi = hi;
		}
	}
}

struct tpk_why tpk_backend_prepare(struct tracepkt_bpf *skel, const struct tpk_nf *nf,
				   enum tpk_nf_backend b, bool drops, bool track)
{
	struct tpk_why w = tpk_backends[b].check(nf);

	if (w.code != TPK_WHY_OK)
		return w;
	for (int i = 0; i < TPK_NF_BACKENDS; i++)
		tpk_backends[i].programs(skel, nf, (enum tpk_nf_backend)i == b);
	free_programs(skel, nf, drops, track);
	return w;
}

static const char *why_text(struct tpk_why w)
{
	switch (w.code) {
	case TPK_WHY_NO_FUNCS:
		return "no ipt_do_table, ip6t_do_table or nft_do_chain";
	case TPK_WHY_NO_FUNC_BTF:
		return "no BTF describes ipt_do_table, ip6t_do_table or nft_do_chain: "
		       "modules have BTF from 5.11";
	case TPK_WHY_NO_KPROBES:
		return "the kernel has no kprobes";
	case TPK_WHY_NO_LINKS:
		return "no netfilter links, which came in 6.4";
	case TPK_WHY_NO_REASON:
		return "skb:kfree_skb has no drop reason";
	default:
		return strerror(-w.err);
	}
}

void tpk_why_note(char *list, size_t size, enum tpk_nf_backend b, struct tpk_why w)
{
	size_t n = strlen(list);

	snprintf(list + n, size - n, "%s%s: %s", n ? "; " : "", tpk_nf_backend_name(b), why_text(w));
}
