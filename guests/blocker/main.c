/*
 * Blocking: SCHEDOP_block with a timeout wakes at the deadline (measured in virtual time), block
 * with an event already pending returns at once (the race Xen closes), yield returns, and the
 * runstate accounting sees the time spent blocked.
 */
#include <lib.h>
#include <events.h>
#include <time.h>

static volatile unsigned long ipis;

static void on_ipi(evtchn_port_t port, void *data)
{
	(void)port;
	(void)data;
	ipis++;
}

int main(void)
{
	events_init();
	time_init_cpu(0);
	local_irq_enable();

	/* Sleep 5 ms: wake no earlier than the deadline and within 100 us of it. */
	for (int i = 1; i <= 3; i++) {
		uint64_t start = monotonic_ns();
		uint64_t deadline = start + (uint64_t)i * 5 * NSEC_PER_MSEC;
		uint64_t woke = block_until(deadline);
		printk("blocker: asked %d ms, slept %lu ns, woke %lu ns late\n", i * 5, woke - start, woke - deadline);
		if (woke < deadline || woke - deadline > 100000)
			panic("woke at %lu for a deadline of %lu", woke, deadline);
	}

	/* An event pending (masked delivery) when we block: block must return at once. */
	int port = evtchn_bind_ipi(0, on_ipi, NULL);
	if (port < 0)
		panic("bind_ipi failed: %d", port);
	local_irq_disable();
	evtchn_notify(port);
	if (!this_vcpu_info()->evtchn_upcall_pending)
		panic("upcall not pending after sending an IPI to ourselves");
	HYPERVISOR_set_timer_op(monotonic_ns() + NSEC_PER_SEC);
	uint64_t t0 = monotonic_ns();
	HYPERVISOR_sched_op(SCHEDOP_block, NULL); /* unmasks, sees the pending upcall, returns */
	uint64_t t1 = monotonic_ns();
	HYPERVISOR_set_timer_op(0);
	printk("blocker: block with an event pending returned after %lu ns, %lu IPI handled\n", t1 - t0, ipis);
	if (t1 - t0 > 100000 || ipis != 1)
		panic("block did not return at once (%lu ns, %lu ipis)", t1 - t0, ipis);

	/* Yield with nobody else runnable returns. */
	if (HYPERVISOR_sched_op(SCHEDOP_yield, NULL))
		panic("yield failed");

	/* Runstate: most of our time so far was spent blocked. */
	struct vcpu_runstate_info rs;
	int rc = HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &rs);
	if (rc)
		panic("get_runstate_info failed: %d", rc);
	printk("blocker: runstate %d, running %lu ns, blocked %lu ns\n", rs.state, rs.time[RUNSTATE_running], rs.time[RUNSTATE_blocked]);
	if (rs.state != RUNSTATE_running || rs.time[RUNSTATE_blocked] < 29 * NSEC_PER_MSEC)
		panic("runstate does not add up");
	static struct vcpu_runstate_info area;
	struct vcpu_register_runstate_memory_area reg = { .addr.v = &area };
	rc = HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &reg);
	if (rc || area.state != RUNSTATE_running || area.time[RUNSTATE_blocked] < 29 * NSEC_PER_MSEC)
		panic("runstate area: rc %d state %d", rc, area.state);

	/* Move vcpu_info into our own page: Xen forces an upcall, events and time keep working. */
	static vcpu_info_t moved[2] __attribute__((aligned(4096)));
	struct vcpu_register_vcpu_info bad = { .mfn = 0, .offset = 4096 - 63 };
	rc = HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &bad);
	if (rc != -XEN_EINVAL)
		panic("vcpu_info offset 4033: expected -EINVAL, got %d", rc);
	local_irq_disable();
	rc = vcpu_info_move(&moved[1]);
	if (rc)
		panic("register_vcpu_info failed: %d", rc);
	if (!moved[1].evtchn_upcall_pending || !moved[1].evtchn_upcall_mask)
		panic("moved vcpu_info: pending %d mask %d", moved[1].evtchn_upcall_pending, moved[1].evtchn_upcall_mask);
	rc = vcpu_info_move(&moved[0]);
	if (rc != -XEN_EINVAL)
		panic("second register_vcpu_info: expected -EINVAL, got %d", rc);
	local_irq_enable(); /* takes the forced upcall */
	ipis = 0;
	evtchn_notify((evtchn_port_t)port);
	if (ipis != 1)
		panic("IPI after moving vcpu_info: %lu", ipis);
	uint64_t a = monotonic_ns();
	uint64_t b = block_until(a + 2 * NSEC_PER_MSEC);
	if (b < a + 2 * NSEC_PER_MSEC || b - a > 3 * NSEC_PER_MSEC || moved[1].time.version == 0)
		panic("time after moving vcpu_info: %lu -> %lu", a, b);
	printk("blocker: vcpu_info moved, upcalls and time follow it\n");
	printk("blocker: ok\n");
	return 0;
}
