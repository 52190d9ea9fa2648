// SPDX-License-Identifier: GPL-2.0
/* progdump's commands: list, show and dump (bpftool prog's), cbpf
 * (tcpdump -d's). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "cbpf.h"
#include "cfg.h"
#include "commands.h"
#include "json.h"
#include "prog.h"
#include "show.h"
#include "util.h"
#include "xlated.h"

static int show(const struct pd_cli *c, int argc, char **argv, struct tpk_json *j)
{
	struct pd_pins table, *pins = NULL;
	int *fds = NULL, n = 0, i, err, ret = 0;

	if (c->bpffs) {
		err = pd_pins_load(&table);
		if (err) {
			pd_pins_free(&table);
			tpk_err_errno(err, "can't read pinned programs");
			return -EIO;
		}
		pins = &table;
	}
	if (!argc) {
		ret = pd_show_all(j, pins);
		goto out;
	}
	n = pd_prog_select(&argc, &argv, &fds);
	if (n < 0) {
		ret = n;
		n = 0;
		goto out;
	}
	if (argc) {
		tpk_err("unexpected argument '%s'", argv[0]);
		ret = -TPK_EINPUT;
		goto out;
	}
	if (j && n > 1)
		tpk_json_array(j);
	for (i = 0; i < n; i++) {
		err = pd_show_fd(fds[i], j, pins);
		if (err) {
			tpk_err_errno(err, "can't read program info");
			ret = -EIO;
			break;
		}
	}
	if (j && n > 1)
		tpk_json_array_end(j);
out:
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	if (pins)
		pd_pins_free(pins);
	return ret;
}

static int dump_one(int fd, bool visual, bool opcodes, bool linum, struct tpk_json *j)
{
	struct pd_dump d;
	struct pd_prog p;
	int err;

	err = pd_prog_fetch(fd, &p, true);
	if (err) {
		tpk_err_errno(err, "can't read program info");
		return -EIO;
	}
	err = pd_dump_open(&d, &p);
	if (!err) {
		d.opcodes = opcodes;
		d.linum = linum;
		if (j) {
			pd_dump_json(&d, j);
		} else if (visual) {
			if (pd_dump_cfg(&d)) {
				tpk_err("out of memory");
				err = -ENOMEM;
			}
		} else {
			pd_dump_plain(&d);
		}
	}
	pd_dump_close(&d);
	pd_prog_free(&p);
	return err;
}

static int dump(const struct pd_cli *c, int argc, char **argv, struct tpk_json *j)
{
	bool visual = false, opcodes = false, linum = false;
	int *fds, n, i, ret = 0;

	(void)c;	/* dump takes no option of progdump's own */
	if (!argc || strcmp(argv[0], "xlated")) {
		tpk_err("expected 'dump xlated PROG', got 'dump %s'", argc ? argv[0] : "");
		return -TPK_EINPUT;
	}
	if (argc < 2) {
		tpk_err("expected a program after 'dump xlated'");
		return -TPK_EINPUT;
	}
	argc--, argv++;
	/* Check the modifiers before opening anything: a bare ID is one
	 * word, every other selector two. */
	for (i = isdigit((unsigned char)argv[0][0]) ? 1 : 2; i < argc; i++) {
		if (!strcmp(argv[i], "opcodes"))
			opcodes = true;
		else if (!strcmp(argv[i], "linum"))
			linum = true;
		else if (!strcmp(argv[i], "visual"))
			visual = true;
		else {
			tpk_err("expected 'opcodes', 'linum' or 'visual', got '%s'", argv[i]);
			return -TPK_EINPUT;
		}
	}
	n = pd_prog_select(&argc, &argv, &fds);
	if (n < 0)
		return n;
	if (visual && n > 1) {
		tpk_err("several programs matched; 'visual' draws one");
		ret = -TPK_EINPUT;
		goto out;
	}
	if (j && visual) {
		tpk_err("'visual' has no JSON output");
		ret = -TPK_EINPUT;
		goto out;
	}
	/* Several programs: each under its show header (an object with
	 * "insns" in JSON), as bpftool does. */
	if (j && n > 1)
		tpk_json_array(j);
	for (i = 0; i < n && !ret; i++) {
		if (n > 1) {
			struct pd_prog p;

			if (j)
				tpk_json_object(j);
			if (pd_prog_fetch(fds[i], &p, false) == 0)
				pd_show_header(&p.info, fds[i], j);
			if (j)
				tpk_json_key(j, "insns");
		}
		ret = dump_one(fds[i], visual, opcodes, linum, j);
		if (j && n > 1)
			tpk_json_object_end(j);
		else if (n > 1 && i != n - 1)
			printf("\n");
	}
	if (j && n > 1)
		tpk_json_array_end(j);
out:
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	return ret;
}

int pd_cmd_cbpf(const struct pd_cli *c, char **args, int nargs)
{
	char *expr;
	int ret;

	expr = tpk_words_join(args, nargs);
	if (!expr)
		return -ENOMEM;
	ret = pd_cbpf_dump(expr, c->ifname, c->linktype, (int)c->snaplen, !c->no_optimize);
	free(expr);
	return ret;
}

/* list, show and dump: JSON (if asked) around what fn prints. */
static int with_json(const struct pd_cli *c,
		     int (*fn)(const struct pd_cli *c, int argc, char **argv, struct tpk_json *j),
		     char **args, int nargs)
{
	struct tpk_json json;
	int err;

	tpk_json_init(&json, stdout, c->pretty);
	err = fn(c, nargs, args, c->json ? &json : NULL);
	if (c->json)
		tpk_json_finish(&json);
	return err;
}

int pd_cmd_list(const struct pd_cli *c, char **args, int nargs)
{
	return with_json(c, show, args, nargs);
}

int pd_cmd_show(const struct pd_cli *c, char **args, int nargs)
{
	return with_json(c, show, args, nargs);
}

int pd_cmd_dump(const struct pd_cli *c, char **args, int nargs)
{
	return with_json(c, dump, args, nargs);
}
