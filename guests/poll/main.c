/*
 * SCHEDOP_poll: with a timeout and no event it returns at the timeout; without a timeout it
 * returns when a polled port fires (here a single-shot timer's VIRQ_TIMER, with upcalls masked);
 * a port already pending returns at once; bad arguments get Xen's errno.
 */
#include <lib.h>
#include <events.h>
#include <time.h>

static int poll(evtchn_port_t *ports, unsigned int n, uint64_t timeout)
{
	struct sched_poll p = { .ports = ports, .nr_ports = n, .timeout = timeout };
	return HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

int main(void)
{
	events_init();
	time_init_cpu(0);
	/* Upcalls stay masked: poll must work without them. */
	struct vcpu_set_periodic_timer per;
	HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, &per);

	int ipi = evtchn_bind_ipi(0, NULL, NULL);
	if (ipi < 0)
		panic("bind_ipi failed: %d", ipi);
	evtchn_port_t ports[2] = { (evtchn_port_t)ipi, 0 };

	/* 1. Timeout, nothing pending. */
	uint64_t t0 = monotonic_ns();
	uint64_t deadline = t0 + 2 * NSEC_PER_MSEC;
	int rc = poll(ports, 1, deadline);
	uint64_t t1 = monotonic_ns();
	printk("poll: timeout: rc %d after %lu ns (%lu ns late)\n", rc, t1 - t0, t1 - deadline);
	if (rc || t1 < deadline || t1 - deadline > 100000)
		panic("poll with timeout misbehaved");

	/* 2. No timeout: woken by the timer's port (a single-shot armed before polling). */
	struct evtchn_status st = { .dom = DOMID_SELF, .port = 0 };
	int tport = -1;
	for (evtchn_port_t p = 1; p < 16 && tport < 0; p++) {
		st.port = p;
		if (!HYPERVISOR_event_channel_op(EVTCHNOP_status, &st) && st.status == EVTCHNSTAT_virq && st.u.virq == VIRQ_TIMER)
			tport = (int)p;
	}
	if (tport < 0)
		panic("no VIRQ_TIMER port found through EVTCHNOP_status");
	evtchn_clear((evtchn_port_t)tport);
	ports[1] = (evtchn_port_t)tport;
	deadline = monotonic_ns() + 3 * NSEC_PER_MSEC;
	HYPERVISOR_set_timer_op(deadline);
	rc = poll(ports, 2, 0);
	t1 = monotonic_ns();
	printk("poll: no timeout: rc %d, woke %lu ns after the timer, timer port pending %d\n", rc, t1 - deadline,
	       evtchn_is_pending((evtchn_port_t)tport));
	if (rc || t1 < deadline || !evtchn_is_pending((evtchn_port_t)tport))
		panic("poll without timeout misbehaved");

	/* 3. Already pending: returns at once. */
	t0 = monotonic_ns();
	rc = poll(ports, 2, t0 + NSEC_PER_SEC);
	t1 = monotonic_ns();
	if (rc || t1 - t0 > 100000)
		panic("poll on a pending port blocked (%lu ns)", t1 - t0);

	/* 4. Errors: too many ports, a port beyond the ABI, a bad pointer. */
	rc = poll(ports, 129, 0);
	if (rc != -XEN_EINVAL)
		panic("129 ports: expected -EINVAL, got %d", rc);
	evtchn_port_t bad = 5000;
	rc = poll(&bad, 1, 0);
	if (rc != -XEN_EINVAL)
		panic("port 5000: expected -EINVAL, got %d", rc);
	rc = poll((evtchn_port_t *)0x1000, 1, 0);
	if (rc != -XEN_EFAULT)
		panic("bad pointer: expected -EFAULT, got %d", rc);
	printk("poll: ok\n");
	return 0;
}
