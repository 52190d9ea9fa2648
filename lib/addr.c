// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "util.h"

int tpk_addr_parse(const char *s, struct tpk_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (!s || !*s)
		return -EINVAL;
	if (inet_pton(AF_INET, s, out->bytes) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->bytes) == 1) {
		static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };

		out->family = AF_INET6;
		/* ::ffff:a.b.c.d is how IPv6 sockets name an IPv4 peer; on the
		 * wire, and in every rule, that is IPv4 a.b.c.d. */
		if (!memcmp(out->bytes, v4mapped, sizeof(v4mapped))) {
			memmove(out->bytes, out->bytes + 12, 4);
			memset(out->bytes + 4, 0, 12);
			out->family = AF_INET;
		}
		return 0;
	}
	return -EINVAL;
}

int tpk_prefix_parse(const char *s, bool allow_host_bits, struct tpk_prefix *out)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash;
	unsigned int max, i;
	uint64_t len;
	bool dirty = false;

	memset(out, 0, sizeof(*out));
	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		buf[slash - buf] = '\0';
	if (tpk_addr_parse(buf, &out->addr))
		return -EINVAL;
	max = out->addr.family == AF_INET ? 32 : 128;
	len = max;
	if (out->addr.family == AF_INET && strchr(buf, ':') && slash) {
		/* ::ffff:a.b.c.d/LEN: LEN counts the 96 bits before it. */
		if (tpk_parse_u64(slash + 1, 96, 128, &len))
			return -ERANGE;
		len -= 96;
	} else if (slash && tpk_parse_u64(slash + 1, 0, max, &len)) {
		return -ERANGE;
	}
	out->len = len;
	for (i = 0; i < max / 8; i++) {
		unsigned int bits = len > i * 8 ? len - i * 8 : 0;
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		if (out->addr.bytes[i] & ~mask)
			dirty = true;
		out->addr.bytes[i] &= mask;
	}
	if (dirty && !allow_host_bits)
		return -EINVAL;
	return 0;
}

int tpk_port_range_parse(const char *s, struct tpk_port_range *out)
{
	char buf[16];
	char *dash;
	uint64_t lo, hi;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (tpk_parse_u64(buf, 1, 65535, &lo))
		return -ERANGE;
	hi = lo;
	if (dash && tpk_parse_u64(dash + 1, 1, 65535, &hi))
		return -ERANGE;
	if (hi < lo)
		return -ERANGE;
	out->lo = lo;
	out->hi = hi;
	return 0;
}

static const struct {
	const char *name;
	int proto;
} protos[] = {
	{ "icmp", IPPROTO_ICMP },
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{ "icmpv6", IPPROTO_ICMPV6 },
	{ "sctp", IPPROTO_SCTP },
	/* What a followed packet becomes in a tunnel's underlay. */
	{ "ipip", IPPROTO_IPIP },
	{ "ipv6", IPPROTO_IPV6 },
	{ "gre", IPPROTO_GRE },
};

int tpk_proto_parse(const char *s, int *out)
{
	uint64_t v;
	size_t i;

	if (!s)
		return -EINVAL;
	if (!strcasecmp(s, "any")) {
		*out = -1;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		if (!strcasecmp(s, protos[i].name)) {
			*out = protos[i].proto;
			return 0;
		}
	}
	if (tpk_parse_u64(s, 0, 255, &v))
		return -EINVAL;
	*out = v;
	return 0;
}

const char *tpk_proto_name(int proto)
{
	size_t i;

	if (proto < 0)
		return "any";
	for (i = 0; i < ARRAY_SIZE(protos); i++)
		if (protos[i].proto == proto)
			return protos[i].name;
	return NULL;
}

const char *tpk_addr_str(int family, const void *bytes, char *buf, size_t len)
{
	if (!inet_ntop(family, bytes, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

int tpk_prefix_str(const struct tpk_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	tpk_addr_str(p->addr.family, p->addr.bytes, a, sizeof(a));
	return snprintf(buf, len, "%s/%u", a, p->len);
}

bool tpk_addr_is_v4(const struct tpk_addr *a)
{
	return a->family == AF_INET;
}
