/* An idle domain: takes Xen's default 10 ms periodic timer on VIRQ_TIMER and sleeps in
 * SCHEDOP_block between ticks until it has seen ticks=N of them (default 100), then powers off.
 * Used to measure timer delivery and idle skipping with many domains. */
#include <lib.h>
#include <events.h>
#include <time.h>

static volatile unsigned long ticks;

static void on_tick(evtchn_port_t port, void *data)
{
	(void)port;
	(void)data;
	ticks++;
}

static volatile unsigned long virqs;
static void on_virq(evtchn_port_t port, void *data)
{
	(void)port;
	virqs |= 1UL << (unsigned long)data;
}

/* "virqs": wait for the host to raise VIRQ_DEBUG (vCPU 0) and VIRQ_CONSOLE, with no timer. */
static int wait_virqs(void)
{
	if (evtchn_bind_virq(VIRQ_DEBUG, 0, on_virq, (void *)VIRQ_DEBUG) < 0 ||
	    evtchn_bind_virq(VIRQ_CONSOLE, 0, on_virq, (void *)VIRQ_CONSOLE) < 0)
		panic("bind_virq failed");
	printk("idle: waiting for VIRQs\n");
	while (virqs != ((1UL << VIRQ_DEBUG) | (1UL << VIRQ_CONSOLE)))
		HYPERVISOR_sched_op(SCHEDOP_block, NULL);
	printk("idle: got VIRQ_DEBUG and VIRQ_CONSOLE\n");
	return 0;
}

int main(void)
{
	const char *cmd = (const char *)start_info_ptr->cmd_line;
	unsigned long want = 100;
	if (!strncmp(cmd, "ticks=", 6)) {
		want = 0;
		for (cmd += 6; *cmd >= '0' && *cmd <= '9'; cmd++)
			want = want * 10 + (unsigned long)(*cmd - '0');
	}
	if (!strncmp(cmd, "shutdown=", 9))
		xen_shutdown((unsigned int)(cmd[9] - '0'));
	if (!strncmp(cmd, "coded-shutdown=", 15)) {
		/* Record a code first (SCHEDOP_shutdown_code): Xen reports it whatever the reason. */
		struct sched_shutdown code = { .reason = SHUTDOWN_reboot };
		if (HYPERVISOR_sched_op(SCHEDOP_shutdown_code, &code))
			panic("shutdown_code refused");
		xen_shutdown((unsigned int)(cmd[15] - '0'));
	}
	events_init();
	if (!strncmp(cmd, "store", 5)) {
		/* Ping the host's backend on the xenstore port and wait for its answer. */
		evtchn_port_t p = start_info_ptr->store_evtchn;
		evtchn_set_handler(p, 0, on_virq, (void *)0);
		local_irq_enable();
		for (int i = 0; i < 3; i++) {
			virqs = 0;
			evtchn_notify(p);
			while (!virqs)
				HYPERVISOR_sched_op(SCHEDOP_block, NULL);
		}
		printk("idle: 3 answers on port %u\n", p);
		return 0;
	}
	if (!strncmp(cmd, "virqs", 5)) {
		local_irq_enable();
		return wait_virqs();
	}
	time_set_tick_hook(on_tick);
	time_init_cpu(0);
	local_irq_enable();
	while (ticks < want)
		HYPERVISOR_sched_op(SCHEDOP_block, NULL);
	return 0;
}
