/*
 * Checksums over a seeded buffer: CRC-32 (reflected, polynomial 0xEDB88320) bit by bit, by a byte table
 * and by slicing-by-4; CRC-16/CCITT; Adler-32. The CRC-32 variants must agree with each other.
 */
#include <stdint.h>

#include "wl.h"

#define CRC_BUF 32768

static uint8_t buf[CRC_BUF + 8];
static uint32_t table[4][256];

static uint32_t crc32_bitwise(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

static void crc32_make_tables(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
		table[0][i] = c;
	}
	for (int t = 1; t < 4; t++)
		for (int i = 0; i < 256; i++)
			table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
}

static uint32_t crc32_table(uint32_t crc, const uint8_t *p, size_t n)
{
	uint32_t c = ~crc;

	while (n--)
		c = table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
	return ~c;
}

static uint32_t crc32_slice4(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	for (; n >= 4; n -= 4, p += 4) {
		c ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		c = table[3][c & 0xff] ^ table[2][(c >> 8) & 0xff] ^ table[1][(c >> 16) & 0xff] ^ table[0][c >> 24];
	}
	while (n--)
		c = table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
	return ~c;
}

static uint16_t crc16_ccitt(const uint8_t *p, size_t n)
{
	uint16_t c = 0xffff;

	while (n--) {
		c ^= (uint16_t)(*p++ << 8);
		for (int k = 0; k < 8; k++)
			c = c & 0x8000 ? (uint16_t)((c << 1) ^ 0x1021) : (uint16_t)(c << 1);
	}
	return c;
}

static uint32_t adler32(const uint8_t *p, size_t n)
{
	uint32_t a = 1, b = 0;

	while (n) {
		size_t chunk = n < 5552 ? n : 5552; /* the most bytes before b can overflow 32 bits */

		n -= chunk;
		while (chunk--) {
			a += *p++;
			b += a;
		}
		a %= 65521;
		b %= 65521;
	}
	return b << 16 | a;
}

uint64_t wl_test_crc(uint64_t seed)
{
	struct wl_rng r = wl_rng_seed(seed);
	uint64_t h = 0;

	for (size_t i = 0; i < CRC_BUF; i++)
		buf[i] = (uint8_t)wl_next(&r);
	crc32_make_tables();

	/* The check value of the standard: CRC-32("123456789") = 0xCBF43926. */
	h = wl_mix(h, crc32_table(0, (const uint8_t *)"123456789", 9));

	/* Bitwise on a slice (it is slow), table and slicing on all of it, at every start alignment. */
	uint32_t bit = crc32_bitwise(buf, 4096), tab = crc32_table(0, buf, 4096);
	h = wl_mix(h, bit);
	h = wl_mix(h, bit == tab);
	for (int off = 0; off < 8; off++) {
		uint32_t a = crc32_table(0, buf + off, CRC_BUF - 8);
		uint32_t b = crc32_slice4(buf + off, CRC_BUF - 8);

		h = wl_mix(h, a);
		h = wl_mix(h, a == b);
	}
	/* Incremental: CRC over pieces equals CRC over the whole. */
	uint32_t inc = 0;
	for (size_t pos = 0; pos < CRC_BUF;) {
		size_t len = 1 + wl_below(&r, 700);

		if (len > CRC_BUF - pos)
			len = CRC_BUF - pos;
		inc = crc32_table(inc, buf + pos, len);
		pos += len;
	}
	h = wl_mix(h, inc);
	h = wl_mix(h, crc16_ccitt(buf, 8192));
	h = wl_mix(h, adler32(buf, CRC_BUF));
	return h;
}
