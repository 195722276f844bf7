/* Console output through HYPERVISOR_console_io(CONSOLEIO_write). */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

/* Write len raw bytes to the hypervisor console. */
void console_write(const char *buf, size_t len);

/*
 * Format like vsnprintf (see <stdio.h>) and write the result to the console. Output is flushed in chunks
 * of up to PRINTK_CHUNK bytes, so a line shorter than that is one console_io call; nothing is truncated.
 */
#define PRINTK_CHUNK 256
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintk(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
