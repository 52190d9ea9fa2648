// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "nf.h"
#include "sys.h"
#include "util.h"

/* The FUNC_PROTO of a kernel function, from vmlinux or its module's BTF. */
static const struct btf_type *func_proto(const struct btf *vmlinux, struct btf **mod_btf,
					 const char *module, const char *func, const struct btf **in)
{
	const struct btf *b = vmlinux;
	char path[128];
	int id = -ENOENT;

	if (vmlinux)
		id = btf__find_by_name_kind(vmlinux, func, BTF_KIND_FUNC);
	if (id < 0 && vmlinux) {
		snprintf(path, sizeof(path), "/sys/kernel/btf/%s", module);
		if (!*mod_btf && !access(path, R_OK))
			*mod_btf = btf__parse_split(path, (struct btf *)vmlinux);
		if (*mod_btf && !libbpf_get_error(*mod_btf)) {
			b = *mod_btf;
			id = btf__find_by_name_kind(b, func, BTF_KIND_FUNC);
		} else {
			*mod_btf = NULL;
		}
	}
	if (id < 0)
		return NULL;
	*in = b;
	return btf__type_by_id(b, btf__type_by_id(b, id)->type);
}

/* 5.16 turned (skb, state, table) into (priv, skb, state): the first
 * parameter is a void pointer on new kernels. */
static bool first_param_is_void_ptr(const struct btf *b, const struct btf_type *proto)
{
	const struct btf_param *p = btf_params(proto);
	const struct btf_type *t;

	if (btf_vlen(proto) < 1)
		return false;
	t = btf__type_by_id(b, p[0].type);
	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(b, t->type);
	return t && btf_is_ptr(t) && t->type == 0;
}

static bool has_member(const struct btf *b, const char *st, const char *member)
{
	int id = b ? btf__find_by_name_kind(b, st, BTF_KIND_STRUCT) : -1;
	const struct btf_type *t = id > 0 ? btf__type_by_id(b, id) : NULL;
	const struct btf_member *m = t ? btf_members(t) : NULL;

	for (int i = 0; t && i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(b, m[i].name_off), member))
			return true;
	return false;
}

static void add_word(char *list, size_t size, const char *word)
{
	size_t n = strlen(list);

	snprintf(list + n, size - n, "%s%s", n ? " " : "", word);
}

/* Whether FUNC of MODULE is there, and how the backends can use it: fexit
 * needs its BTF prototype; kprobes attach by symbol, but read its arguments
 * as typed structs, so they need the argument order and the types. Kernels
 * before 5.11 have no module BTF: for the xtables functions, the argument
 * order is then the old one if struct netns_ipv4/6 still holds the per-netns
 * table pointers (OLD_MEMBER), removed in 5.13, three releases before the
 * order changed; their xt_table is in vmlinux's BTF. nft_do_chain's
 * structs live only in nf_tables' own BTF. */
static void probe_func(struct tpk_nf *nf, const struct btf *vmlinux, const char *module,
		       const char *func, struct tpk_nf_fn *fn, const char *old_struct,
		       const char *old_member)
{
	struct btf *mod_btf = NULL;
	const struct btf *in = NULL;
	const struct btf_type *proto;
	bool sym = false;

	proto = func_proto(vmlinux, &mod_btf, module, func, &in);
	if (!proto && vmlinux && !(sym = tpk_ksym_exists(func))) {
		/* Hooks in modules exist only once loaded (the Python tool's
		 * README asks users to modprobe them): load it, look again. */
		if (!tpk_modprobe(module)) {
			proto = func_proto(vmlinux, &mod_btf, module, func, &in);
			sym = !proto && tpk_ksym_exists(func);
		}
	}
	if (proto) {
		fn->btf = fn->usable = true;
		fn->new_abi = first_param_is_void_ptr(in, proto);
	} else if (sym) {
		nf->nobtf = true;
		fn->usable = old_struct && has_member(vmlinux, old_struct, old_member);
		if (!fn->usable)
			add_word(nf->unread, sizeof(nf->unread), module);
	} else if (vmlinux) {
		add_word(nf->missing, sizeof(nf->missing), module);
	}
	btf__free(mod_btf);
}

static void read_reasons(struct tpk_nf *nf, const struct btf *vmlinux)
{
	const struct btf_type *t;
	const struct btf_enum *m;
	int id;

	id = btf__find_by_name_kind(vmlinux, "skb_drop_reason", BTF_KIND_ENUM);
	if (id < 0)
		return;
	t = btf__type_by_id(vmlinux, id);
	m = btf_enum(t);
	for (int i = 0; i < btf_vlen(t); i++) {
		const char *name = btf__name_by_offset(vmlinux, m[i].name_off);
		unsigned int v = m[i].val;
		char **grown;

		if (v > 4096)
			continue;	/* SKB_DROP_REASON_MAX and subsystem masks */
		if (v >= nf->nreasons) {
			grown = realloc(nf->reasons, (v + 1) * sizeof(*grown));
			if (!grown)
				return;
			memset(grown + nf->nreasons, 0, (v + 1 - nf->nreasons) * sizeof(*grown));
			nf->reasons = grown;
			nf->nreasons = v + 1;
		}
		if (!strncmp(name, "SKB_DROP_REASON_", 16))
			name += 16;
		else if (!strncmp(name, "SKB_", 4))
			name += 4;
		if (!nf->reasons[v])
			nf->reasons[v] = strdup(name);
	}
}

/* Can a trivial fexit program load against a vmlinux function? Some
 * kernels refuse BPF trampolines; finding out this way costs a verifier
 * run instead of loading the whole object. 0, -errno, or 1 when there is
 * nothing in vmlinux to try it on. */
static int fexit_probe(const struct btf *vmlinux)
{
	static const char *const targets[] = { "nft_do_chain", "ipt_do_table", "ip6t_do_table" };
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int id = -1, fd;

	for (size_t i = 0; vmlinux && id < 0 && i < ARRAY_SIZE(targets); i++)
		id = btf__find_by_name_kind(vmlinux, targets[i], BTF_KIND_FUNC);
	if (id < 0)
		return 1;
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FEXIT,
		    .attach_btf_id = id);
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, ARRAY_SIZE(insns), &opts);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int tpk_nf_probe(struct tpk_nf *nf, const struct btf *vmlinux)
{
	const struct btf_type *t;
	int id;

	nf->fexit_err = fexit_probe(vmlinux);
	probe_func(nf, vmlinux, "ip_tables", "ipt_do_table", &nf->ipt, "netns_ipv4", "iptable_filter");
	probe_func(nf, vmlinux, "ip6_tables", "ip6t_do_table", &nf->ip6t, "netns_ipv6",
		   "ip6table_filter");
	probe_func(nf, vmlinux, "nf_tables", "nft_do_chain", &nf->nft, NULL, NULL);
	if (!vmlinux)
		return 0;
	/* skb:kfree_skb gained its reason in 5.17: (skb, location, reason). */
	id = btf__find_by_name_kind(vmlinux, "btf_trace_kfree_skb", BTF_KIND_TYPEDEF);
	if (id > 0) {
		t = btf__type_by_id(vmlinux, btf__type_by_id(vmlinux, id)->type);	/* ptr */
		t = btf__type_by_id(vmlinux, t->type);					/* proto */
		nf->free_btf = true;
		nf->free_reason = t && btf_is_func_proto(t) && btf_vlen(t) >= 4;
	}
	read_reasons(nf, vmlinux);
	/* Until icmpv6_echo_reply returned a drop reason (6.2), icmpv6_rcv
	 * ended with kfree_skb for every message, answered or not. */
	id = btf__find_by_name_kind(vmlinux, "icmpv6_echo_reply", BTF_KIND_FUNC);
	t = id > 0 ? btf__type_by_id(vmlinux, btf__type_by_id(vmlinux, id)->type) : NULL;
	nf->icmp6_frees_all = t && btf_is_func_proto(t) && t->type == 0;
	/* The context of SEC("netfilter") programs came with netfilter links. */
	nf->nf_links = btf__find_by_name_kind(vmlinux, "bpf_nf_ctx", BTF_KIND_STRUCT) > 0;
	return 0;
}

const char *tpk_nf_reason_name(const struct tpk_nf *nf, unsigned int reason)
{
	if (reason == TPK_DROP_REASON_NONE)
		return "~UNK~";
	return reason < nf->nreasons ? nf->reasons[reason] : NULL;
}

void tpk_nf_free(struct tpk_nf *nf)
{
	for (unsigned int i = 0; i < nf->nreasons; i++)
		free(nf->reasons[i]);
	free(nf->reasons);
	nf->reasons = NULL;
	nf->nreasons = 0;
}
