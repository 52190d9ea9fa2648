/* SPDX-License-Identifier: GPL-2.0 */
/* `list` and `show`: bpftool prog show's text and JSON. */
#ifndef PD_SHOW_H
#define PD_SHOW_H

#include <stdbool.h>
#include "json.h"
#include "pins.h"

/* One program; json == NULL prints text, pins == NULL leaves out pinned
 * paths. Returns 0 or -errno. */
int pd_show_fd(int fd, struct tpk_json *json, const struct pd_pins *pins);
/* Every loaded program in ID order. 0, or -EIO after one error line. */
int pd_show_all(struct tpk_json *json, const struct pd_pins *pins);
/* The "ID: type  name N  tag T  gpl" line, or its JSON fields. */
void pd_show_header(const struct bpf_prog_info *info, int fd, struct tpk_json *json);

#endif
