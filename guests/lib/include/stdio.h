/* Formatting into memory (lib/vsnprintf.c). Console output is printk, in <console.h>. */
#ifndef _STDIO_H
#define _STDIO_H

#include <stdarg.h>
#include <stddef.h>

/*
 * C99 semantics: at most size bytes are written including the terminating NUL (nothing when size is 0),
 * and the return value is the length the full output would have had.
 * Conversions: d i u x X o c s p %; length modifiers hh h l ll z t; flags - 0 + space #; width and
 * precision, either may be '*'.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
