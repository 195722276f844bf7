/* Timers: Xen's default 10 ms periodic timer counted over one virtual second, a 1 ms periodic
 * timer, a single-shot timer, stopping timers, and the clock read through vcpu_time_info. */
#include <lib.h>
#include <events.h>
#include <time.h>

static volatile unsigned long ticks;
static volatile uint64_t last_tick_ns;

static void on_timer(evtchn_port_t port, void *data)
{
	(void)port;
	(void)data;
	ticks++;
	last_tick_ns = monotonic_ns();
}

static unsigned long count_ticks_for(uint64_t ns)
{
	unsigned long start = ticks;
	block_until(monotonic_ns() + ns);
	return ticks - start;
}

int main(void)
{
	events_init();
	printk("timer: wallclock at boot %lu s\n", wallclock_boot_sec());
	uint64_t t0 = monotonic_ns();
	uint64_t t1 = monotonic_ns();
	if (t1 < t0)
		panic("time went backwards: %lu then %lu", t0, t1);

	time_set_tick_hook(on_timer);
	time_init_cpu(0);
	local_irq_enable();

	/* The default periodic timer (10 ms) for one virtual second. */
	unsigned long n = count_ticks_for(NSEC_PER_SEC);
	printk("timer: default periodic: %lu ticks in 1 s\n", n);
	if (n < 99 || n > 101)
		panic("expected 100 +- 1 ticks, got %lu", n);

	/* 1 ms periodic for 50 ms. */
	struct vcpu_set_periodic_timer per = { .period_ns = NSEC_PER_MSEC };
	int rc = HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &per);
	if (rc)
		panic("set_periodic_timer failed: %d", rc);
	n = count_ticks_for(50 * NSEC_PER_MSEC);
	printk("timer: 1 ms periodic: %lu ticks in 50 ms\n", n);
	if (n < 49 || n > 52)
		panic("expected 50 +- 1 ticks, got %lu", n);

	/* Below 1 ms is refused. */
	per.period_ns = 999999;
	rc = HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &per);
	if (rc != -XEN_EINVAL)
		panic("period below 1 ms: expected -EINVAL, got %d", rc);

	/* Stop the periodic timer: a single-shot timer alone then wakes us once. */
	rc = HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
	if (rc)
		panic("stop_periodic_timer failed: %d", rc);
	unsigned long before = ticks;
	uint64_t deadline = monotonic_ns() + 3 * NSEC_PER_MSEC;
	struct vcpu_set_singleshot_timer ss = { .timeout_abs_ns = deadline };
	rc = HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &ss);
	if (rc)
		panic("set_singleshot_timer failed: %d", rc);
	while (ticks == before)
		HYPERVISOR_sched_op(SCHEDOP_block, NULL);
	printk("timer: single-shot fired %lu ns after its deadline\n", last_tick_ns - deadline);
	if (last_tick_ns < deadline)
		panic("single-shot fired early");
	/* Nothing else is armed: 20 ms pass with no tick (block_until re-arms set_timer_op only). */
	n = ticks;
	block_until(monotonic_ns() + 20 * NSEC_PER_MSEC);
	if (ticks - n != 1)
		panic("expected exactly the set_timer_op tick, got %lu", ticks - n);

	/* Singleshot on another vCPU is refused. */
	rc = HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 1, &ss);
	if (rc != -XEN_ENOENT)
		panic("singleshot on vCPU 1 of a 1-vCPU domain: expected -ENOENT, got %d", rc);
	printk("timer: ok\n");
	return 0;
}
