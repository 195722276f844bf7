/* PASS/FAIL reporting for self-checking guests (include/check.h). */
#include <stdarg.h>
#include <stdio.h>
#include <console.h>
#include <check.h>

int checks, failures;

void check(int ok, const char *name, const char *fmt, ...)
{
	checks++;
	if (ok) {
		printk("PASS %s\n", name);
		return;
	}
	char buf[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk("FAIL %s: %s\n", name, buf);
	failures++;
}
