/* Leaving the domain: orderly shutdown, crash, panic. */
#include <console.h>
#include <hypercall.h>
#include <kernel.h>
#include <stdarg.h>
#include <stdio.h>

void xen_shutdown(unsigned int reason)
{
	struct sched_shutdown op = { .reason = reason };

	HYPERVISOR_sched_op(SCHEDOP_shutdown, &op);

	/* Still here: the reason was refused, or hypercalls do not work at all. Try to crash instead. */
	op.reason = SHUTDOWN_crash;
	HYPERVISOR_sched_op(SCHEDOP_shutdown, &op);

	/* Last resort: #UD with no trap handler registered makes the hypervisor kill the domain. */
	for (;;)
		asm volatile("ud2");
}

void poweroff(void)
{
	xen_shutdown(SHUTDOWN_poweroff);
}

void crash(void)
{
	xen_shutdown(SHUTDOWN_crash);
}

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk("PANIC: %s\n", msg);
	crash();
}
