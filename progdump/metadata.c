// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "metadata.h"

#define PREFIX "bpf_metadata_"

/* The first single-entry .rodata array with BTF: its value and info. */
static void *find_rodata(const __u32 *ids, __u32 n, struct bpf_map_info *info)
{
	__u32 i, key = 0;

	for (i = 0; i < n; i++) {
		__u32 len = sizeof(*info);
		void *value;
		int fd;

		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			return NULL;
		memset(info, 0, sizeof(*info));
		if (bpf_map_get_info_by_fd(fd, info, &len)) {
			close(fd);
			return NULL;
		}
		if (info->type != BPF_MAP_TYPE_ARRAY || info->key_size != sizeof(int) ||
		    info->max_entries != 1 || !info->btf_value_type_id ||
		    !strstr(info->name, ".rodata")) {
			close(fd);
			continue;
		}
		value = malloc(info->value_size);
		if (value && bpf_map_lookup_elem(fd, &key, value)) {
			free(value);
			value = NULL;
		}
		close(fd);
		return value;
	}
	return NULL;
}

static int dump(const struct btf *btf, __u32 id, const void *data, struct tpk_json *j, bool plain);

static int dump_int(const struct btf_type *t, const void *data, struct tpk_json *j, bool plain)
{
	__u32 enc = btf_int_encoding(t), bits = btf_int_bits(t);
	char c;

	if (btf_int_offset(t) || (bits != 8 && bits != 16 && bits != 32 && bits != 64))
		return -1;	/* bitfields and odd widths: not printed */
	switch (enc) {
	case 0:
		if (bits == 64)
			tpk_json_raw(j, "%llu", *(const unsigned long long *)data);
		else if (bits == 32)
			tpk_json_raw(j, "%u", *(const __u32 *)data);
		else if (bits == 16)
			tpk_json_raw(j, "%hu", *(const __u16 *)data);
		else
			tpk_json_raw(j, "%hhu", *(const __u8 *)data);
		return 0;
	case BTF_INT_SIGNED:
		if (bits == 64)
			tpk_json_raw(j, "%lld", *(const long long *)data);
		else if (bits == 32)
			tpk_json_raw(j, "%d", *(const __s32 *)data);
		else if (bits == 16)
			tpk_json_raw(j, "%hd", *(const __s16 *)data);
		else
			tpk_json_raw(j, "%hhd", *(const __s8 *)data);
		return 0;
	case BTF_INT_CHAR:
		c = *(const char *)data;
		if (isprint((unsigned char)c))
			tpk_json_raw(j, "\"%c\"", c);
		else if (plain)
			tpk_json_raw(j, "0x%hhx", (unsigned char)c);
		else
			tpk_json_raw(j, "\"\\u00%02hhx\"", (unsigned char)c);
		return 0;
	case BTF_INT_BOOL:
		tpk_json_bool(j, *(const _Bool *)data);
		return 0;
	}
	return -1;
}

/* A char array holding a NUL-terminated printable string prints as one. */
static bool is_string(const struct btf *btf, const struct btf_array *a, const char *s)
{
	const struct btf_type *e = btf__type_by_id(btf, a->type);
	const char *end = s + a->nelems;

	if (!a->nelems)
		return false;
	while (e && (btf_is_const(e) || btf_is_volatile(e) || btf_is_restrict(e)))
		e = btf__type_by_id(btf, e->type);
	if (!e || !btf_is_int(e) || e->size != 1)
		return false;
	if (btf_int_encoding(e) != BTF_INT_CHAR && strcmp("char", btf__name_by_offset(btf, e->name_off)))
		return false;
	for (; s < end; s++) {
		if (!*s)
			return true;
		if (*s <= 0x1f || *s >= 0x7f)
			return false;
	}
	return false;
}

static int dump(const struct btf *btf, __u32 id, const void *data, struct tpk_json *j, bool plain)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_array *a;
	__s64 size;
	__u32 i;

	if (!t)
		return -1;
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		return dump_int(t, data, j, plain);
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
		return dump(btf, t->type, data, j, plain);
	case BTF_KIND_ARRAY:
		a = btf_array(t);
		if (is_string(btf, a, data)) {
			tpk_json_string(j, data);
			return 0;
		}
		size = btf__resolve_size(btf, a->type);
		if (size < 0)
			return -1;
		tpk_json_array(j);
		for (i = 0; i < a->nelems; i++)
			if (dump(btf, a->type, (const char *)data + i * size, j, plain))
				return -1;
		tpk_json_array_end(j);
		return 0;
	}
	return -1;	/* structs, enums, pointers: left out (progdump.8) */
}

void pd_metadata_show(const __u32 *ids, __u32 n, struct tpk_json *json)
{
	const struct btf_var_secinfo *v;
	const struct btf_type *sec;
	struct bpf_map_info info;
	struct btf *btf = NULL;
	bool header = false;
	void *value;
	int i;

	if (!n)
		return;
	value = find_rodata(ids, n, &info);
	if (!value)
		return;
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!btf)
		goto out;
	sec = btf__type_by_id(btf, info.btf_value_type_id);
	if (!sec || !btf_is_datasec(sec))
		goto out;
	v = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, v++) {
		const struct btf_type *var = btf__type_by_id(btf, v->type);
		const char *name = var ? btf__name_by_offset(btf, var->name_off) : NULL;
		struct tpk_json plain;

		if (!name || strncmp(name, PREFIX, strlen(PREFIX)) ||
		    v->offset + (__u64)v->size > info.value_size)
			continue;
		if (json) {
			if (!header) {
				tpk_json_key(json, "metadata");
				tpk_json_object(json);
				header = true;
			}
			tpk_json_key(json, name + strlen(PREFIX));
			if (dump(btf, var->type, (char *)value + v->offset, json, false))
				break;
			continue;
		}
		if (!header) {
			printf("\tmetadata:");
			header = true;
		}
		printf("\n\t\t%s = ", name + strlen(PREFIX));
		tpk_json_init(&plain, stdout, false);
		if (dump(btf, var->type, (char *)value + v->offset, &plain, true))
			break;
	}
	if (header) {
		if (json)
			tpk_json_object_end(json);
		else
			printf("\n");
	}
out:
	btf__free(btf);
	free(value);
}
