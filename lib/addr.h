/* SPDX-License-Identifier: GPL-2.0 */
/* Addresses, prefixes, ports and protocols as users type them. */
#ifndef TPK_ADDR_H
#define TPK_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

struct tpk_addr {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t bytes[16];	/* network order; IPv4 in the first 4 */
};

struct tpk_prefix {
	struct tpk_addr addr;	/* host bits cleared */
	unsigned int len;	/* 0..32 or 0..128 */
};

struct tpk_port_range {
	uint16_t lo, hi;	/* host order, lo <= hi */
};

/* "198.18.0.1" or "2001:db8::1"; no names, no brackets. 0 or -EINVAL. */
int tpk_addr_parse(const char *s, struct tpk_addr *out);
/* "ADDR" (full length) or "ADDR/LEN". Host bits must be zero unless
 * allow_host_bits, in which case they are cleared. 0 or -EINVAL/-ERANGE. */
int tpk_prefix_parse(const char *s, bool allow_host_bits, struct tpk_prefix *out);
/* "N" or "N-M", 1..65535 (0 refused: it is not a port one can filter on). */
int tpk_port_range_parse(const char *s, struct tpk_port_range *out);
/* "icmp" "tcp" "udp" "icmpv6" or a number 0..255; "any" gives -1. */
int tpk_proto_parse(const char *s, int *out);
const char *tpk_proto_name(int proto);

/* inet_ntop of either family into buf (INET6_ADDRSTRLEN is enough). */
const char *tpk_addr_str(int family, const void *bytes, char *buf, size_t len);
int tpk_prefix_str(const struct tpk_prefix *p, char *buf, size_t len);
bool tpk_addr_is_v4(const struct tpk_addr *a);

#endif
