// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>

#include "util.h"
#include "xlated.h"

#define PSEUDO_MAP_FD 1
#define PSEUDO_MAP_VALUE 2
#define PSEUDO_MAP_IDX_VALUE 6
#define PSEUDO_FUNC 4
#define PSEUDO_CALL 1

static const char *cb_helper(void *ctx, int32_t id)
{
	struct pd_dump *d = ctx;

	return pd_helper_name(&d->names, id);
}

/* Helpers and kfuncs carry their address relative to __bpf_call_base after
 * the verifier; subprogram calls carry the subprogram's index in imm and
 * the relative jump in off. */
static const char *cb_call(void *ctx, const struct bpf_insn *in)
{
	struct pd_dump *d = ctx;
	const struct pd_prog *p = d->prog;
	unsigned long addr = pd_call_base(&d->names) + in->imm;
	const char *sym;

	if (in->src_reg == PSEUDO_CALL && (__u32)in->imm < p->info.nr_jited_ksyms && p->jited_ksyms)
		addr = p->jited_ksyms[in->imm];
	sym = pd_ksym_find(&d->names, addr);
	if (in->src_reg == PSEUDO_CALL) {
		if (!p->info.nr_jited_ksyms)
			snprintf(d->scratch, sizeof(d->scratch), "%+d", in->off);
		else if (sym)
			snprintf(d->scratch, sizeof(d->scratch), "%+d#%s", in->off, sym);
		else
			snprintf(d->scratch, sizeof(d->scratch), "%+d#0x%lx", in->off, addr);
	} else if (sym) {
		snprintf(d->scratch, sizeof(d->scratch), "%s", sym);
	} else {
		snprintf(d->scratch, sizeof(d->scratch), "%#lx", addr);
	}
	return d->scratch;
}

static const char *cb_imm(void *ctx, const struct bpf_insn *in, uint64_t full)
{
	struct pd_dump *d = ctx;
	char *s = d->scratch;
	size_t n = sizeof(d->scratch);

	/* The second half is only read when the kernel gave us both. */
	if (in->src_reg == PSEUDO_MAP_FD)
		snprintf(s, n, "map[id:%u]", (unsigned int)in->imm);
	else if (in->src_reg == PSEUDO_MAP_VALUE)
		snprintf(s, n, "map[id:%u][0]+%u", (unsigned int)in->imm, (unsigned int)(full >> 32));
	else if (in->src_reg == PSEUDO_MAP_IDX_VALUE)
		snprintf(s, n, "map[idx:%u]+%u", (unsigned int)in->imm, (unsigned int)(full >> 32));
	else if (in->src_reg == PSEUDO_FUNC)
		snprintf(s, n, "subprog[%+d]", in->imm);
	else
		snprintf(s, n, "0x%llx", (unsigned long long)full);
	return s;
}

int pd_dump_open(struct pd_dump *d, struct pd_prog *p)
{
	memset(d, 0, sizeof(*d));
	d->prog = p;
	if (!p->nr_insns) {
		tpk_err("no instructions returned for program %u: kernel.kptr_restrict set?",
			p->info.id);
		return -EIO;
	}
	if (p->info.btf_id) {
		d->btf = btf__load_from_kernel_by_id(p->info.btf_id);
		if (!d->btf) {
			tpk_err("can't load BTF %u of program %u", p->info.btf_id, p->info.id);
			return -EIO;
		}
	}
	/* libbpf checks only that insn_off fits in a record; we read all
	 * of struct bpf_line_info. */
	if (p->info.nr_line_info && p->info.line_info_rec_size >= sizeof(struct bpf_line_info)) {
		d->linfo = bpf_prog_linfo__new(&p->info);
		if (!d->linfo) {
			tpk_err_errno(-errno, "can't read line info of program %u", p->info.id);
			return -EIO;
		}
	}
	pd_names_init(&d->names);
	d->cbs.helper = cb_helper;
	d->cbs.call = cb_call;
	d->cbs.imm = cb_imm;
	d->cbs.ctx = d;
	return 0;
}

void pd_dump_close(struct pd_dump *d)
{
	btf__free(d->btf);
	bpf_prog_linfo__free(d->linfo);
	pd_names_free(&d->names);
	d->btf = NULL;
	d->linfo = NULL;
}

/* A prototype in bpftool's spelling: "int f(struct x * p, __u32 n)". */
static int type_only(const struct btf *btf, __u32 id, char *buf, int pos, int size);

#define PUT(...) do { \
	pos += snprintf(buf + pos, size - pos, __VA_ARGS__); \
	if (pos >= size) \
		return -1; \
} while (0)
#define PUT_TYPE(id) do { \
	pos = type_only(btf, id, buf, pos, size); \
	if (pos < 0) \
		return -1; \
} while (0)

static int proto_only(const struct btf *btf, const struct btf_type *proto,
		      const struct btf_type *func, char *buf, int pos, int size)
{
	const struct btf_param *arg = btf_params(proto);
	int i;

	PUT_TYPE(proto->type);
	if (func)
		PUT("%s(", btf__name_by_offset(btf, func->name_off));
	else
		PUT("(");
	for (i = 0; i < btf_vlen(proto); i++, arg++) {
		if (i)
			PUT(", ");
		if (!arg->type) {
			PUT("...");
			continue;
		}
		PUT_TYPE(arg->type);
		if (arg->name_off)
			PUT("%s", btf__name_by_offset(btf, arg->name_off));
		else if (pos && buf[pos - 1] == ' ')
			buf[--pos] = '\0';
	}
	PUT(")");
	return pos;
}

static int type_only(const struct btf *btf, __u32 id, char *buf, int pos, int size)
{
	const struct btf_type *t, *proto;

	if (!id) {
		PUT("void ");
		return pos;
	}
	t = btf__type_by_id(btf, id);
	if (!t)
		return -1;
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_FLOAT:
		PUT("%s ", btf__name_by_offset(btf, t->name_off));
		break;
	case BTF_KIND_STRUCT:
		PUT("struct %s ", btf__name_by_offset(btf, t->name_off));
		break;
	case BTF_KIND_UNION:
		PUT("union %s ", btf__name_by_offset(btf, t->name_off));
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		PUT("enum %s ", btf__name_by_offset(btf, t->name_off));
		break;
	case BTF_KIND_ARRAY:
		PUT_TYPE(btf_array(t)->type);
		PUT("[%u]", btf_array(t)->nelems);
		break;
	case BTF_KIND_PTR:
		PUT_TYPE(t->type);
		PUT("* ");
		break;
	case BTF_KIND_FWD:
		PUT("%s %s ", btf_kflag(t) ? "union" : "struct", btf__name_by_offset(btf, t->name_off));
		break;
	case BTF_KIND_VOLATILE:
		PUT("volatile ");
		PUT_TYPE(t->type);
		break;
	case BTF_KIND_CONST:
		PUT("const ");
		PUT_TYPE(t->type);
		break;
	case BTF_KIND_RESTRICT:
		PUT("restrict ");
		PUT_TYPE(t->type);
		break;
	case BTF_KIND_FUNC_PROTO:
		pos = proto_only(btf, t, NULL, buf, pos, size);
		break;
	case BTF_KIND_FUNC:
		proto = btf__type_by_id(btf, t->type);
		if (!proto)
			return -1;
		pos = proto_only(btf, proto, t, buf, pos, size);
		break;
	case BTF_KIND_VAR:
		if (btf_var(t)->linkage == BTF_VAR_STATIC)
			PUT("static ");
		PUT_TYPE(t->type);
		PUT(" %s", btf__name_by_offset(btf, t->name_off));
		break;
	case BTF_KIND_DATASEC:
		PUT("section (\"%s\") ", btf__name_by_offset(btf, t->name_off));
		break;
	default:
		return -1;
	}
	return pos;
}

void pd_func_sig(const struct btf *btf, __u32 type_id, char *buf, int size)
{
	buf[0] = '\0';
	if (btf && type_only(btf, type_id, buf, 0, size) < 0)
		buf[0] = '\0';
}

const struct bpf_func_info *pd_finfo(const struct pd_prog *p, __u32 i)
{
	if (!p->func_info || i >= p->info.nr_func_info)
		return NULL;
	return (const void *)((const char *)p->func_info + (size_t)i * p->info.func_info_rec_size);
}

void pd_hex(char *buf, size_t size, const void *data, size_t n)
{
	const unsigned char *b = data;
	size_t i, pos = 0;

	buf[0] = '\0';
	for (i = 0; i < n && pos < size; i++)
		pos += snprintf(buf + pos, size - pos, "%s%02x", i ? " " : "", b[i]);
}

static const char *ltrim(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == '\v')
		s++;
	return s;
}

static void linfo_plain(const struct pd_dump *d, const struct bpf_line_info *l)
{
	const char *line = d->btf ? btf__name_by_offset(d->btf, l->line_off) : NULL;
	const char *file;

	if (!line)
		return;
	line = ltrim(line);
	if (!d->linum) {
		printf("; %s\n", line);
		return;
	}
	file = btf__name_by_offset(d->btf, l->file_name_off);
	printf("; %s [file:%s line_num:%u line_col:%u]\n", line, file ? file : "",
	       BPF_LINE_INFO_LINE_NUM(l->line_col), BPF_LINE_INFO_LINE_COL(l->line_col));
}

void pd_dump_plain(struct pd_dump *d)
{
	const struct pd_prog *p = d->prog;
	__u32 i, fi = 0, skip = 0;
	char text[512], hex[64];
	bool second = false;

	for (i = 0; i < p->nr_insns; i++) {
		const struct bpf_func_info *f = pd_finfo(p, fi);
		const struct bpf_line_info *l;

		if (second) {
			second = false;
			continue;
		}
		if (d->btf && f && f->insn_off == i) {
			char sig[1024];

			pd_func_sig(d->btf, f->type_id, sig, sizeof(sig));
			if (sig[0])
				printf("%s:\n", sig);
			fi++;
		}
		l = d->linfo ? bpf_prog_linfo__lfind(d->linfo, i, skip) : NULL;
		if (l) {
			linfo_plain(d, l);
			skip++;
		}
		second = pd_insn_is_ldimm64(&p->insns[i]);
		pd_insn_format(text, sizeof(text), &p->insns[i], p->nr_insns - i, &d->cbs);
		printf("%4d: %s", (int)i, text);
		if (d->opcodes) {
			pd_hex(hex, sizeof(hex), &p->insns[i], 8);
			printf("       %s", hex);
			if (second && i + 1 < p->nr_insns) {
				pd_hex(hex, sizeof(hex), &p->insns[i + 1], 8);
				printf(" %s", hex);
			}
			printf("\n");
		}
	}
}

static void hex_array(struct tpk_json *j, const void *data, size_t n)
{
	const unsigned char *b = data;
	size_t i;

	tpk_json_array(j);
	for (i = 0; i < n; i++)
		tpk_json_raw(j, "\"0x%02x\"", b[i]);
	tpk_json_array_end(j);
}

static void linfo_json(const struct pd_dump *d, struct tpk_json *j, const struct bpf_line_info *l)
{
	const char *line = d->btf ? btf__name_by_offset(d->btf, l->line_off) : NULL;
	const char *file;

	if (line) {
		tpk_json_key(j, "src");
		tpk_json_string(j, ltrim(line));
	}
	if (!d->linum)
		return;
	file = d->btf ? btf__name_by_offset(d->btf, l->file_name_off) : NULL;
	if (file) {
		tpk_json_key(j, "file");
		tpk_json_string(j, file);
	}
	if (BPF_LINE_INFO_LINE_NUM(l->line_col)) {
		tpk_json_key(j, "line_num");
		tpk_json_uint(j, BPF_LINE_INFO_LINE_NUM(l->line_col));
	}
	if (BPF_LINE_INFO_LINE_COL(l->line_col)) {
		tpk_json_key(j, "line_col");
		tpk_json_uint(j, BPF_LINE_INFO_LINE_COL(l->line_col));
	}
}

void pd_dump_json(struct pd_dump *d, struct tpk_json *j)
{
	const struct pd_prog *p = d->prog;
	__u32 i, fi = 0, skip = 0;
	bool second = false;
	char text[512];

	tpk_json_array(j);
	for (i = 0; i < p->nr_insns; i++) {
		const struct bpf_insn *in = &p->insns[i];
		const struct bpf_func_info *f = pd_finfo(p, fi);
		const struct bpf_line_info *l;
		int len;

		if (second) {
			second = false;
			continue;
		}
		second = pd_insn_is_ldimm64(in);
		tpk_json_object(j);
		if (d->btf && f && f->insn_off == i) {
			char sig[1024];

			pd_func_sig(d->btf, f->type_id, sig, sizeof(sig));
			if (sig[0]) {
				tpk_json_key(j, "proto");
				tpk_json_string(j, sig);
			}
			fi++;
		}
		l = d->linfo ? bpf_prog_linfo__lfind(d->linfo, i, skip) : NULL;
		if (l) {
			linfo_json(d, j, l);
			skip++;
		}
		/* bpftool quotes the instruction text without escaping it;
		 * the printer never emits quotes or backslashes. */
		len = pd_insn_format(text, sizeof(text), in, p->nr_insns - i, &d->cbs);
		if (len > 0 && (size_t)len < sizeof(text) && text[len - 1] == '\n')
			text[len - 1] = '\0';
		tpk_json_key(j, "disasm");
		tpk_json_raw(j, "\"%s\"", text);
		if (d->opcodes) {
			tpk_json_key(j, "opcodes");
			tpk_json_object(j);
			tpk_json_key(j, "code");
			tpk_json_raw(j, "\"0x%02x\"", in->code);
			tpk_json_key(j, "src_reg");
			tpk_json_raw(j, "\"0x%x\"", in->src_reg);
			tpk_json_key(j, "dst_reg");
			tpk_json_raw(j, "\"0x%x\"", in->dst_reg);
			tpk_json_key(j, "off");
			hex_array(j, &in->off, 2);
			tpk_json_key(j, "imm");
			/* The pair's imm runs on into the second instruction. */
			hex_array(j, &in->imm, second && i + 1 < p->nr_insns ? 12 : 4);
			tpk_json_object_end(j);
		}
		tpk_json_object_end(j);
	}
	tpk_json_array_end(j);
}
