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
#include "tracepkt.skel.h"

static const char *const backend_names[] = {
	[TPK_NF_NONE] = "off",
	[TPK_NF_FEXIT] = "fexit",
	[TPK_NF_KPROBE] = "kprobe",
	[TPK_NF_NFHOOK] = "nfhook",
};

const char *tpk_nf_backend_name(enum tpk_nf_backend b)
{
	return b < ARRAY_SIZE(backend_names) ? backend_names[b] : "?";
}

int tpk_nf_backend_parse(const char *s, int *out)
{
	if (!strcmp(s, "auto")) {
		*out = -1;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(backend_names); i++) {
		if (!strcmp(s, backend_names[i])) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

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

static void probe_func(struct tpk_nf *nf, const struct btf *vmlinux, const char *module,
		       const char *func, bool *present, bool *new_abi)
{
	struct btf *mod_btf = NULL;
	const struct btf *in = NULL;
	const struct btf_type *proto;

	proto = func_proto(vmlinux, &mod_btf, module, func, &in);
	if (!proto && vmlinux) {
		/* Hooks in modules exist only once loaded (the Python tool's
		 * README asks users to modprobe them): load it, look again. */
		if (!tpk_modprobe(module))
			proto = func_proto(vmlinux, &mod_btf, module, func, &in);
		if (!proto)
			snprintf(nf->missing + strlen(nf->missing),
				 sizeof(nf->missing) - strlen(nf->missing), "%s%s",
				 nf->missing[0] ? " " : "", module);
	}
	*present = proto != NULL;
	if (proto && new_abi)
		*new_abi = first_param_is_void_ptr(in, proto);
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
	probe_func(nf, vmlinux, "ip_tables", "ipt_do_table", &nf->ipt, &nf->ipt_new);
	probe_func(nf, vmlinux, "ip6_tables", "ip6t_do_table", &nf->ip6t, &nf->ip6t_new);
	probe_func(nf, vmlinux, "nf_tables", "nft_do_chain", &nf->nft, NULL);
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
	return 0;
}

static void autoload(struct tracepkt_bpf *skel, const char *name, bool on)
{
	struct bpf_program *p = bpf_object__find_program_by_name(skel->obj, name);

	if (p)
		bpf_program__set_autoload(p, on);
}

int tpk_nf_autoload(struct tracepkt_bpf *skel, const struct tpk_nf *nf, enum tpk_nf_backend b,
		    bool drops)
{
	bool fx = b == TPK_NF_FEXIT, kp = b == TPK_NF_KPROBE, nh = b == TPK_NF_NFHOOK;
	char name[32];

	if ((fx || kp) && !nf->ipt && !nf->ip6t && !nf->nft)
		return -ENODATA;
	if (fx && nf->fexit_err < 0)
		return nf->fexit_err;
	/* Do not pay for loading the programs to find out. */
	if (kp && !tpk_kprobes_usable())
		return -ENOSYS;
	autoload(skel, "fexit_ipt_new", fx && nf->ipt && nf->ipt_new);
	autoload(skel, "fexit_ipt_old", fx && nf->ipt && !nf->ipt_new);
	autoload(skel, "fexit_ip6t_new", fx && nf->ip6t && nf->ip6t_new);
	autoload(skel, "fexit_ip6t_old", fx && nf->ip6t && !nf->ip6t_new);
	autoload(skel, "fexit_nft", fx && nf->nft);
	autoload(skel, "kp_ipt", kp && nf->ipt);
	autoload(skel, "krp_ipt_new", kp && nf->ipt && nf->ipt_new);
	autoload(skel, "krp_ipt_old", kp && nf->ipt && !nf->ipt_new);
	autoload(skel, "kp_ip6t", kp && nf->ip6t);
	autoload(skel, "krp_ip6t_new", kp && nf->ip6t && nf->ip6t_new);
	autoload(skel, "krp_ip6t_old", kp && nf->ip6t && !nf->ip6t_new);
	autoload(skel, "kp_nft", kp && nf->nft);
	autoload(skel, "krp_nft", kp && nf->nft);
	for (int k = 0; k < TPK_NF_MAXPOS; k++) {
		snprintf(name, sizeof(name), "nf_pos%d", k);
		autoload(skel, name, nh);
	}
	/* nfhook learns DROP verdicts from the free; --drops needs it too. */
	if ((nh || drops) && !nf->free_reason)
		return -EOPNOTSUPP;
	autoload(skel, "btf_kfree_skb", (nh || drops) && nf->free_btf);
	autoload(skel, "raw_kfree_skb", (nh || drops) && !nf->free_btf);
	skel->rodata->want_drops = drops;
	return 0;
}

void tpk_nf_note(struct tpk_nf *nf, enum tpk_nf_backend b, int err)
{
	size_t n = strlen(nf->why);
	const char *msg = err == -ENODATA ? "no ipt_do_table, ip6t_do_table or nft_do_chain"
			: err == -EOPNOTSUPP ? "skb:kfree_skb has no drop reason"
			: err == -ENOSYS ? "the kernel has no kprobes"
			: strerror(-err);

	snprintf(nf->why + n, sizeof(nf->why) - n, "%s%s: %s", n ? "; " : "",
		 tpk_nf_backend_name(b), msg);
}

const char *tpk_nf_reason_name(const struct tpk_nf *nf, unsigned int reason)
{
	return reason < nf->nreasons ? nf->reasons[reason] : NULL;
}

void tpk_nf_free(struct tpk_nf *nf)
{
	for (unsigned int i = 0; i < nf->nreasons; i++)
		free(nf->reasons[i]);
	free(nf->reasons);
	nf->reasons = NULL;
	nf->nreasons = 0;
	tpk_nfhook_detach(&nf->hooks);
}
