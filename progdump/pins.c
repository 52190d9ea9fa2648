// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "pins.h"

static size_t bucket_of(uint32_t id, size_t bits)
{
	if (!bits)
		return 0;
	return (size_t)(((uint64_t)id * 11400714819323198485llu) >> (64 - bits));
}

static void chain_front(struct pd_pin **head, struct pd_pin *p)
{
	p->next = *head;
	*head = p;
}

static int grow(struct pd_pins *t)
{
	size_t bits = t->cap_bits + 1 < 2 ? 2 : t->cap_bits + 1, b;
	struct pd_pin **nb = calloc((size_t)1 << bits, sizeof(*nb));

	if (!nb)
		return -ENOMEM;
	for (b = 0; t->buckets && b < ((size_t)1 << t->cap_bits); b++) {
		struct pd_pin *p = t->buckets[b], *next;

		for (; p; p = next) {
			next = p->next;
			chain_front(&nb[bucket_of(p->id, bits)], p);
		}
	}
	free(t->buckets);
	t->buckets = nb;
	t->cap_bits = bits;
	return 0;
}

static int add(struct pd_pins *t, uint32_t id, const char *path)
{
	size_t cap = t->buckets ? (size_t)1 << t->cap_bits : 0;
	struct pd_pin *p;

	/* Grow when empty or more than 75% full, as libbpf does. */
	if (!cap || (t->size + 1) * 4 / 3 > cap) {
		int err = grow(t);

		if (err)
			return err;
	}
	p = calloc(1, sizeof(*p));
	if (!p || !(p->path = strdup(path))) {
		free(p);
		return -ENOMEM;
	}
	p->id = id;
	chain_front(&t->buckets[bucket_of(id, t->cap_bits)], p);
	t->size++;
	return 0;
}

static struct pd_pins *walking;

static int is_prog_fd(int fd)
{
	char link[64], target[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = '\0';
	return !strcmp(target, "anon_inode:bpf-prog");
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd, err = 0;

	(void)st;
	(void)ftw;
	if (type != FTW_F)
		return 0;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;	/* not ours to read, or gone meanwhile */
	if (is_prog_fd(fd) && !bpf_prog_get_info_by_fd(fd, &info, &len))
		err = add(walking, info.id, path);
	close(fd);
	return err;
}

int pd_pins_load(struct pd_pins *t)
{
	struct mntent *m;
	FILE *f;
	int err = 0;

	memset(t, 0, sizeof(*t));
	f = setmntent("/proc/mounts", "r");
	if (!f)
		return -errno;
	walking = t;
	while (!err && (m = getmntent(f))) {
		if (strncmp(m->mnt_type, "bpf", 3))
			continue;
		err = nftw(m->mnt_dir, visit, 16, FTW_PHYS);
	}
	walking = NULL;
	endmntent(f);
	return err < 0 ? err : 0;
}

void pd_pins_free(struct pd_pins *t)
{
	size_t b;

	for (b = 0; t->buckets && b < ((size_t)1 << t->cap_bits); b++) {
		struct pd_pin *p = t->buckets[b], *next;

		for (; p; p = next) {
			next = p->next;
			free(p->path);
			free(p);
		}
	}
	free(t->buckets);
	memset(t, 0, sizeof(*t));
}

const char *pd_pins_next(const struct pd_pins *t, uint32_t id, const struct pd_pin **it)
{
	const struct pd_pin *p;

	if (!t->buckets)
		return NULL;
	p = *it ? (*it)->next : t->buckets[bucket_of(id, t->cap_bits)];
	for (; p; p = p->next) {
		if (p->id == id) {
			*it = p;
			return p->path;
		}
	}
	*it = NULL;
	return NULL;
}
