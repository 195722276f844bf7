/* printk: format in fixed chunks and hand each chunk to the hypervisor console. */
#include <console.h>
#include <hypercall.h>
#include <limits.h>
#include <stdarg.h>

#include "format.h"

void console_write(const char *buf, size_t len)
{
	while (len > 0) {
		int n = len > 4096 ? 4096 : (int)len;

		/* A refused write (-EPERM on a console Xen keeps for itself) is dropped: nowhere to report it. */
		if (HYPERVISOR_console_io(CONSOLEIO_write, n, (char *)buf) < 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static void flush_to_console(struct fmt_sink *sink)
{
	console_write(sink->buf, sink->pos);
}

void vprintk(const char *fmt, va_list ap)
{
	char chunk[PRINTK_CHUNK];
	struct fmt_sink sink = {
		.buf = chunk,
		.size = sizeof(chunk),
		.pos = 0,
		.total = 0,
		.flush = flush_to_console,
	};

	format_to_sink(&sink, fmt, ap);
	if (sink.pos)
		flush_to_console(&sink);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}
