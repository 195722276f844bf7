/*
 * printf-style formatting. Supported: conversions d i u x X o c s p %; length modifiers hh h l ll z t j;
 * flags - 0 + space #; width and precision (either may be '*'). Precision on integers is the minimum
 * number of digits, on %s the maximum number of bytes. %p prints 0x followed by lowercase hex.
 * Anything else is copied through unchanged.
 */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "format.h"

#define F_LEFT  (1u << 0)   /* '-' */
#define F_ZERO  (1u << 1)   /* '0' */
#define F_PLUS  (1u << 2)   /* '+' */
#define F_SPACE (1u << 3)   /* ' ' */
#define F_ALT   (1u << 4)   /* '#' */

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

struct spec {
	unsigned int flags;
	int width;      /* 0 = none */
	int precision;  /* -1 = none */
};

static void put_char(struct fmt_sink *s, char c)
{
	if (s->pos >= s->size && s->flush) {
		s->flush(s);
		s->pos = 0;
	}
	if (s->pos < s->size)
		s->buf[s->pos++] = c;
	s->total++;
}

static void put_repeat(struct fmt_sink *s, char c, int n)
{
	while (n-- > 0)
		put_char(s, c);
}

static void put_bytes(struct fmt_sink *s, const char *p, size_t n)
{
	while (n--)
		put_char(s, *p++);
}

static void put_string(struct fmt_sink *s, const char *str, const struct spec *sp)
{
	if (!str)
		str = "(null)";
	size_t len = sp->precision >= 0 ? strnlen(str, (size_t)sp->precision) : strlen(str);
	int pad = sp->width > (int)len ? sp->width - (int)len : 0;

	if (!(sp->flags & F_LEFT))
		put_repeat(s, ' ', pad);
	put_bytes(s, str, len);
	if (sp->flags & F_LEFT)
		put_repeat(s, ' ', pad);
}

/* value is the magnitude; negative says whether a '-' belongs in front of it. */
static void put_number(struct fmt_sink *s, unsigned long long value, bool negative, unsigned int base,
		       bool upper, const char *forced_prefix, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];           /* 2^64 in octal is 22 digits */
	int ndigits = 0;
	char prefix[3];
	int nprefix = 0;

	if (value != 0 || sp->precision != 0) {
		do {
			tmp[ndigits++] = digits[value % base];
			value /= base;
		} while (value);
	}

	if (negative)
		prefix[nprefix++] = '-';
	else if (sp->flags & F_PLUS)
		prefix[nprefix++] = '+';
	else if (sp->flags & F_SPACE)
		prefix[nprefix++] = ' ';

	if (forced_prefix) {
		while (*forced_prefix)
			prefix[nprefix++] = *forced_prefix++;
	} else if (sp->flags & F_ALT) {
		if (base == 16 && ndigits > 0 && !(ndigits == 1 && tmp[0] == '0')) {
			prefix[nprefix++] = '0';
			prefix[nprefix++] = upper ? 'X' : 'x';
		} else if (base == 8 && (ndigits == 0 || tmp[ndigits - 1] != '0') &&
			   sp->precision <= ndigits) {
			tmp[ndigits++] = '0';
		}
	}

	int body = sp->precision > ndigits ? sp->precision : ndigits;
	int pad = sp->width > nprefix + body ? sp->width - nprefix - body : 0;
	bool zero_pad = (sp->flags & F_ZERO) && !(sp->flags & F_LEFT) && sp->precision < 0;

	if (!zero_pad && !(sp->flags & F_LEFT))
		put_repeat(s, ' ', pad);
	put_bytes(s, prefix, (size_t)nprefix);
	if (zero_pad)
		put_repeat(s, '0', pad);
	put_repeat(s, '0', body - ndigits);
	while (ndigits > 0)
		put_char(s, tmp[--ndigits]);
	if (sp->flags & F_LEFT)
		put_repeat(s, ' ', pad);
}

int format_to_sink(struct fmt_sink *s, const char *fmt, va_list ap)
{
	while (*fmt) {
		if (*fmt != '%') {
			put_char(s, *fmt++);
			continue;
		}
		const char *start = fmt++;
		struct spec sp = { .flags = 0, .width = 0, .precision = -1 };

		for (;; fmt++) {
			if (*fmt == '-')
				sp.flags |= F_LEFT;
			else if (*fmt == '0')
				sp.flags |= F_ZERO;
			else if (*fmt == '+')
				sp.flags |= F_PLUS;
			else if (*fmt == ' ')
				sp.flags |= F_SPACE;
			else if (*fmt == '#')
				sp.flags |= F_ALT;
			else
				break;
		}

		if (*fmt == '*') {
			fmt++;
			int w = va_arg(ap, int);
			if (w < 0) {
				sp.flags |= F_LEFT;
				w = w == INT_MIN ? INT_MAX : -w;
			}
			sp.width = w;
		} else {
			while (*fmt >= '0' && *fmt <= '9') {
				if (sp.width < INT_MAX / 10)
					sp.width = sp.width * 10 + (*fmt - '0');
				fmt++;
			}
		}

		if (*fmt == '.') {
			fmt++;
			sp.precision = 0;
			if (*fmt == '*') {
				fmt++;
				int p = va_arg(ap, int);
				sp.precision = p < 0 ? -1 : p;
			} else {
				while (*fmt >= '0' && *fmt <= '9') {
					if (sp.precision < INT_MAX / 10)
						sp.precision = sp.precision * 10 + (*fmt - '0');
					fmt++;
				}
			}
		}

		enum length len = LEN_NONE;
		switch (*fmt) {
		case 'h':
			fmt++;
			len = LEN_H;
			if (*fmt == 'h') {
				fmt++;
				len = LEN_HH;
			}
			break;
		case 'l':
			fmt++;
			len = LEN_L;
			if (*fmt == 'l') {
				fmt++;
				len = LEN_LL;
			}
			break;
		case 'z':
			fmt++;
			len = LEN_Z;
			break;
		case 't':
			fmt++;
			len = LEN_T;
			break;
		case 'j':
			fmt++;
			len = LEN_J;
			break;
		default:
			break;
		}

		char conv = *fmt;
		if (conv == '\0') {
			/* A lone '%' (or a truncated spec) at the end: copy it through. */
			put_bytes(s, start, (size_t)(fmt - start));
			break;
		}
		fmt++;

		switch (conv) {
		case 'd':
		case 'i': {
			long long v;
			switch (len) {
			case LEN_HH: v = (signed char)va_arg(ap, int); break;
			case LEN_H:  v = (short)va_arg(ap, int); break;
			case LEN_L:  v = va_arg(ap, long); break;
			case LEN_LL: v = va_arg(ap, long long); break;
			case LEN_Z:  v = va_arg(ap, ssize_t); break;
			case LEN_T:  v = va_arg(ap, ptrdiff_t); break;
			case LEN_J:  v = va_arg(ap, intmax_t); break;
			default:     v = va_arg(ap, int); break;
			}
			unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
			put_number(s, mag, v < 0, 10, false, NULL, &sp);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			unsigned long long v;
			switch (len) {
			case LEN_HH: v = (unsigned char)va_arg(ap, unsigned int); break;
			case LEN_H:  v = (unsigned short)va_arg(ap, unsigned int); break;
			case LEN_L:  v = va_arg(ap, unsigned long); break;
			case LEN_LL: v = va_arg(ap, unsigned long long); break;
			case LEN_Z:  v = va_arg(ap, size_t); break;
			case LEN_T:  v = (unsigned long long)va_arg(ap, ptrdiff_t); break;
			case LEN_J:  v = va_arg(ap, uintmax_t); break;
			default:     v = va_arg(ap, unsigned int); break;
			}
			unsigned int base = conv == 'u' ? 10 : conv == 'o' ? 8 : 16;
			struct spec usp = sp;
			usp.flags &= ~(F_PLUS | F_SPACE);
			put_number(s, v, false, base, conv == 'X', NULL, &usp);
			break;
		}
		case 'p': {
			struct spec psp = sp;
			psp.flags &= ~(F_PLUS | F_SPACE | F_ALT);
			put_number(s, (uintptr_t)va_arg(ap, void *), false, 16, false, "0x", &psp);
			break;
		}
		case 's':
			put_string(s, va_arg(ap, const char *), &sp);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			int pad = sp.width > 1 ? sp.width - 1 : 0;
			if (!(sp.flags & F_LEFT))
				put_repeat(s, ' ', pad);
			put_char(s, c);
			if (sp.flags & F_LEFT)
				put_repeat(s, ' ', pad);
			break;
		}
		case '%':
			put_char(s, '%');
			break;
		default:
			/* Unknown conversion: copy the whole spec through so the mistake is visible. */
			put_bytes(s, start, (size_t)(fmt - start));
			break;
		}
	}
	return s->total > INT_MAX ? INT_MAX : (int)s->total;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_sink s = {
		.buf = buf,
		.size = size ? size - 1 : 0,   /* keep room for the NUL */
		.pos = 0,
		.total = 0,
		.flush = NULL,
	};
	int n = format_to_sink(&s, fmt, ap);

	if (size)
		buf[s.pos] = '\0';
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
