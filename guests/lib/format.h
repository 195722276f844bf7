/* The printf engine shared by vsnprintf (into memory) and printk (to the console). Library-internal. */
#ifndef GUEST_LIB_FORMAT_H
#define GUEST_LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Output goes into buf[0..size). When buf is full, flush (if set) is called to empty it and pos is reset
 * to 0; without flush the excess is dropped. total counts every byte produced, dropped or not.
 */
struct fmt_sink {
	char *buf;
	size_t size;
	size_t pos;
	size_t total;
	void (*flush)(struct fmt_sink *sink);
};

/* Format into the sink; returns the number of bytes produced (clamped to INT_MAX). */
int format_to_sink(struct fmt_sink *sink, const char *fmt, va_list ap);

#endif
