// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "metadata.h"
#include "prog.h"
#include "show.h"
#include "util.h"

/* Load time is nanoseconds since boot; turn it into wall-clock seconds the
 * way bpftool does, so both print the same second. */
static void load_time(__u64 nsecs, bool epoch, char *buf, size_t size)
{
	struct timespec real, boot;
	time_t secs;
	struct tm tm;

	if (clock_gettime(CLOCK_REALTIME, &real) || clock_gettime(CLOCK_BOOTTIME, &boot)) {
		snprintf(buf, size, "%llu", (unsigned long long)(nsecs / 1000000000));
		return;
	}
	secs = (real.tv_sec - boot.tv_sec) + (real.tv_nsec - boot.tv_nsec + nsecs) / 1000000000;
	if (!localtime_r(&secs, &tm)) {
		snprintf(buf, size, "%llu", (unsigned long long)(nsecs / 1000000000));
		return;
	}
	strftime(buf, size, epoch ? "%s" : "%FT%T%z", &tm);
}

/* "memlock" from /proc/self/fdinfo: the kernel's own accounting. */
static char *fdinfo_value(int fd, const char *key)
{
	char path[64], *line = NULL, *val = NULL;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	while (getline(&line, &n, f) > 0) {
		char *tab;

		if (!strstr(line, key))
			continue;
		tab = strchr(line, '\t');
		if (tab && tab[1]) {
			val = strdup(tab + 1);
			if (val)
				val[strcspn(val, "\n")] = '\0';
		}
		break;
	}
	free(line);
	fclose(f);
	return val;
}

static const char *type_name(__u32 type, char *buf, size_t size)
{
	const char *s = libbpf_bpf_prog_type_str(type);

	if (s)
		return s;
	snprintf(buf, size, "%u", type);
	return NULL;
}

void pd_show_header(const struct bpf_prog_info *info, int fd, struct tpk_json *j)
{
	char name[128], num[16];
	const char *type = type_name(info->type, num, sizeof(num));
	int i;

	if (*info->name)
		pd_prog_full_name(info, fd, name, sizeof(name));
	if (j) {
		tpk_json_key(j, "id");
		tpk_json_uint(j, info->id);
		tpk_json_key(j, "type");
		if (type)
			tpk_json_string(j, type);
		else
			tpk_json_uint(j, info->type);
		if (*info->name) {
			tpk_json_key(j, "name");
			tpk_json_string(j, name);
		}
		tpk_json_key(j, "tag");
		tpk_json_raw(j, "\"%02x%02x%02x%02x%02x%02x%02x%02x\"",
			    info->tag[0], info->tag[1], info->tag[2], info->tag[3],
			    info->tag[4], info->tag[5], info->tag[6], info->tag[7]);
		tpk_json_key(j, "gpl_compatible");
		tpk_json_bool(j, info->gpl_compatible);
		if (info->run_time_ns) {
			tpk_json_key(j, "run_time_ns");
			tpk_json_uint(j, info->run_time_ns);
			tpk_json_key(j, "run_cnt");
			tpk_json_uint(j, info->run_cnt);
		}
		if (info->recursion_misses) {
			tpk_json_key(j, "recursion_misses");
			tpk_json_uint(j, info->recursion_misses);
		}
		return;
	}
	printf("%u: ", info->id);
	if (type)
		printf("%s  ", type);
	else
		printf("type %s  ", num);
	if (*info->name)
		printf("name %s  ", name);
	printf("tag ");
	for (i = 0; i < BPF_TAG_SIZE; i++)
		printf("%02x", info->tag[i]);
	printf("%s", info->gpl_compatible ? "  gpl" : "");
	if (info->run_time_ns)
		printf(" run_time_ns %llu run_cnt %llu", (unsigned long long)info->run_time_ns,
		       (unsigned long long)info->run_cnt);
	if (info->recursion_misses)
		printf(" recursion_misses %llu", (unsigned long long)info->recursion_misses);
	printf("\n");
}

static void show_json(const struct pd_prog *p, int fd, struct tpk_json *j, const struct pd_pins *pins)
{
	const struct bpf_prog_info *i = &p->info;
	const struct pd_pin *it = NULL;
	const char *path;
	char *memlock;
	char buf[32];
	__u32 k;

	tpk_json_object(j);
	pd_show_header(i, fd, j);
	if (i->load_time) {
		load_time(i->load_time, true, buf, sizeof(buf));
		tpk_json_key(j, "loaded_at");
		tpk_json_raw(j, "%s", buf);
		tpk_json_key(j, "uid");
		tpk_json_uint(j, i->created_by_uid);
	}
	tpk_json_key(j, "orphaned");
	tpk_json_bool(j, p->orphaned);
	tpk_json_key(j, "bytes_xlated");
	tpk_json_uint(j, i->xlated_prog_len);
	tpk_json_key(j, "jited");
	tpk_json_bool(j, i->jited_prog_len);
	if (i->jited_prog_len) {
		tpk_json_key(j, "bytes_jited");
		tpk_json_uint(j, i->jited_prog_len);
	}
	memlock = fdinfo_value(fd, "memlock");
	if (memlock) {
		tpk_json_key(j, "bytes_memlock");
		tpk_json_raw(j, "%lld", atoll(memlock));
	}
	free(memlock);
	if (i->nr_map_ids && p->map_ids) {
		tpk_json_key(j, "map_ids");
		tpk_json_array(j);
		for (k = 0; k < i->nr_map_ids; k++)
			tpk_json_uint(j, p->map_ids[k]);
		tpk_json_array_end(j);
	}
	if (i->btf_id) {
		tpk_json_key(j, "btf_id");
		tpk_json_uint(j, i->btf_id);
	}
	/* bpftool prints the list, even empty, once any program is pinned. */
	if (pins && !pd_pins_empty(pins)) {
		tpk_json_key(j, "pinned");
		tpk_json_array(j);
		while ((path = pd_pins_next(pins, i->id, &it)))
			tpk_json_string(j, path);
		tpk_json_array_end(j);
	}
	pd_metadata_show(p->map_ids, p->map_ids ? i->nr_map_ids : 0, j);
	tpk_json_object_end(j);
}

static void show_plain(const struct pd_prog *p, int fd, const struct pd_pins *pins)
{
	const struct bpf_prog_info *i = &p->info;
	const struct pd_pin *it = NULL;
	const char *path;
	char *memlock;
	char buf[32];
	__u32 k;

	pd_show_header(i, fd, NULL);
	if (i->load_time) {
		load_time(i->load_time, false, buf, sizeof(buf));
		printf("\tloaded_at %s  uid %u\n", buf, i->created_by_uid);
	}
	printf("\txlated %uB", i->xlated_prog_len);
	if (i->jited_prog_len)
		printf("  jited %uB", i->jited_prog_len);
	else
		printf("  not jited");
	memlock = fdinfo_value(fd, "memlock");
	if (memlock)
		printf("  memlock %sB", memlock);
	free(memlock);
	if (p->orphaned)
		printf("  orphaned");
	if (i->nr_map_ids && p->map_ids) {
		printf("  map_ids ");
		for (k = 0; k < i->nr_map_ids; k++)
			printf("%u%s", p->map_ids[k], k + 1 == i->nr_map_ids ? "" : ",");
	}
	while (pins && (path = pd_pins_next(pins, i->id, &it)))
		printf("\n\tpinned %s", path);
	if (i->btf_id)
		printf("\n\tbtf_id %u", i->btf_id);
	printf("\n");
	pd_metadata_show(p->map_ids, p->map_ids ? i->nr_map_ids : 0, NULL);
}

int pd_show_fd(int fd, struct tpk_json *j, const struct pd_pins *pins)
{
	struct pd_prog p;
	int err;

	err = pd_prog_fetch(fd, &p, true);
	if (err)
		return err;
	if (j)
		show_json(&p, fd, j, pins);
	else
		show_plain(&p, fd, pins);
	pd_prog_free(&p);
	return 0;
}

int pd_show_all(struct tpk_json *j, const struct pd_pins *pins)
{
	int ret = 0;
	__u32 id = 0;

	if (j)
		tpk_json_array(j);
	for (;;) {
		int fd, err;

		if (bpf_prog_get_next_id(id, &id)) {
			if (errno != ENOENT) {
				tpk_err_errno(-errno, "can't get next program");
				ret = -EIO;
			}
			break;
		}
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0) {
			if (fd == -ENOENT)
				continue;	/* unloaded since get_next_id */
			tpk_err_errno(fd, "can't open program %u", id);
			ret = -EIO;
			break;
		}
		err = pd_show_fd(fd, j, pins);
		close(fd);
		if (err) {
			tpk_err_errno(err, "can't read program %u", id);
			ret = -EIO;
			break;
		}
	}
	if (j)
		tpk_json_array_end(j);
	return ret;
}
