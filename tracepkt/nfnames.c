// SPDX-License-Identifier: GPL-2.0
#include "nfnames.h"

#define UNK "~UNK~"

static const char *const hook_names[] = {
	"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING",
};

static const char *const verdict_names[] = {
	"DROP", "ACCEPT", "STOLEN", "QUEUE", "REPEAT", "STOP",
};

const char *tpk_hook_name(unsigned int hook)
{
	return hook < sizeof(hook_names) / sizeof(hook_names[0]) ? hook_names[hook] : UNK;
}

const char *tpk_verdict_name(int verdict)
{
	/* The Python tool stored the verdict in a u64: negatives were huge. */
	if (verdict < 0 || verdict >= (int)(sizeof(verdict_names) / sizeof(verdict_names[0])))
		return UNK;
	return verdict_names[verdict];
}
