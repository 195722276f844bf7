/*
 * Hostile event-channel and scheduling calls: each must fail with Xen's errno and change
 * nothing else. Bad ports, other domains' ports, closed ports, out-of-range vCPUs and VIRQs,
 * unmasking random bits, privileged operations.
 */
#include <lib.h>
#include <events.h>
#include <time.h>

static int failures;

#define EXPECT(call, want)                                                                  \
	do {                                                                                \
		int __rc = (call);                                                          \
		if (__rc != (want)) {                                                       \
			printk("evhostile: FAIL %s = %d, expected %d\n", #call, __rc, want);   \
			failures++;                                                         \
		}                                                                           \
	} while (0)

static volatile unsigned long hits;
static void on_ipi(evtchn_port_t p, void *d)
{
	(void)p;
	(void)d;
	hits++;
}

int main(void)
{
	events_init();
	local_irq_enable();
	domid_t self = (domid_t)0;
	{
		struct evtchn_status st = { .dom = DOMID_SELF, .port = start_info_ptr->console.domU.evtchn };
		EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_status, &st), 0);
		/* The host (dom0) bound its console backend to it. */
		EXPECT((int)st.status, EVTCHNSTAT_interdomain);
		EXPECT((int)st.u.interdomain.dom, 0);
	}
	/* The builder's ports, allocated as libxl does: xenstore 1, console 2. */
	EXPECT((int)start_info_ptr->store_evtchn, 1);
	EXPECT((int)start_info_ptr->console.domU.evtchn, 2);

	/* Sends, closes, unmasks on ports that do not exist or are free. */
	struct evtchn_send snd = { .port = 0 };
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_send, &snd), -XEN_EINVAL);      /* reserved port 0 */
	snd.port = 4095;
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_send, &snd), -XEN_EINVAL);      /* never allocated */
	snd.port = 0xffffffffu;
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_send, &snd), -XEN_EINVAL);
	struct evtchn_close cl = { .port = 40 };
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_close, &cl), -XEN_EINVAL);      /* free port in a bucket */
	cl.port = 100000;
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_close, &cl), -XEN_EINVAL);
	struct evtchn_unmask um = { .port = 5000 };
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &um), -XEN_EINVAL);

	/* A closed port: send and close fail, status says closed. */
	int ipi = evtchn_bind_ipi(0, on_ipi, NULL);
	EXPECT(ipi > 0, 1);
	EXPECT(evtchn_notify((evtchn_port_t)ipi), 0);
	EXPECT(evtchn_close((evtchn_port_t)ipi), 0);
	EXPECT(evtchn_notify((evtchn_port_t)ipi), -XEN_EINVAL);
	EXPECT(evtchn_close((evtchn_port_t)ipi), -XEN_EINVAL);
	struct evtchn_status st = { .dom = DOMID_SELF, .port = (evtchn_port_t)ipi };
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_status, &st), 0);
	EXPECT((int)st.status, EVTCHNSTAT_closed);

	/* Other domains: no permission, or no such domain. */
	struct evtchn_alloc_unbound au = { .dom = 1, .remote_dom = DOMID_SELF };
	au.dom = 5;
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &au), -XEN_ESRCH);
	au.dom = 0; /* dom0 exists (the host) but is not ours */
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &au), -XEN_EPERM);
	struct evtchn_status ost = { .dom = 0, .port = 1 };
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_status, &ost), -XEN_EPERM);
	struct evtchn_reset rs = { .dom = 0 };
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_reset, &rs), -XEN_EPERM);
	/* dom0's ports are not offered to us: binding one is -EINVAL; a missing domain -ESRCH. */
	struct evtchn_bind_interdomain bi = { .remote_dom = 0, .remote_port = 1 };
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &bi), -XEN_EINVAL);
	bi.remote_dom = 77;
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &bi), -XEN_ESRCH);
	/* Our own console port is unbound for dom0, not for us. */
	bi.remote_dom = DOMID_SELF;
	bi.remote_port = start_info_ptr->console.domU.evtchn;
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &bi), -XEN_EINVAL);

	/* VIRQs and vCPUs out of range. */
	struct evtchn_bind_virq bv = { .virq = 24, .vcpu = 0 };
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv), -XEN_EINVAL);
	bv.virq = VIRQ_CONSOLE;
	bv.vcpu = 1; /* a global VIRQ must be bound on vCPU 0 */
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv), -XEN_EINVAL);
	bv.virq = VIRQ_TIMER;
	bv.vcpu = 7;
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv), -XEN_ENOENT);
	bv.vcpu = 0;
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv), 0);
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv), -XEN_EEXIST);
	struct evtchn_bind_ipi bip = { .vcpu = 3 };
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &bip), -XEN_ENOENT);
	struct evtchn_bind_vcpu bvc = { .port = bv.port, .vcpu = 9 };
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &bvc), -XEN_ENOENT);
	bvc.vcpu = 0; /* VIRQ_TIMER is per-vCPU: it cannot move */
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &bvc), -XEN_EINVAL);
	struct evtchn_bind_pirq bp = { .pirq = 1 };
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_bind_pirq, &bp), -XEN_EPERM);
	EXPECT(HYPERVISOR_event_channel_op(99, &bp), -XEN_ENOSYS);
	EXPECT(HYPERVISOR_event_channel_op(EVTCHNOP_send, (void *)0x10), -XEN_EFAULT);
	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL), -XEN_ENOENT);
	EXPECT(HYPERVISOR_vcpu_op(VCPUOP_is_up, 0, NULL), 1);
	EXPECT(HYPERVISOR_vcpu_op(99, 0, NULL), -XEN_ENOSYS);

	/* Unmasking random bits (even ports that do not exist in the table) changes nothing else. */
	unsigned long x = 0x9e3779b97f4a7c15UL;
	for (int i = 0; i < 200; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		um.port = (evtchn_port_t)(x % 128);
		int rc = HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &um);
		if (rc != 0 && rc != -XEN_EINVAL)
			EXPECT(rc, 0);
	}
	/* The legacy op 16 form works the same. */
	evtchn_op_t op = { .cmd = EVTCHNOP_bind_ipi, .u.bind_ipi = { .vcpu = 0 } };
	EXPECT(HYPERVISOR_event_channel_op_compat(&op), 0);
	EXPECT(op.u.bind_ipi.port > 0, 1);
	op.cmd = EVTCHNOP_send;
	op.u.send.port = 0;
	EXPECT(HYPERVISOR_event_channel_op_compat(&op), -XEN_EINVAL);
	op.cmd = EVTCHNOP_reset;
	EXPECT(HYPERVISOR_event_channel_op_compat(&op), -XEN_ENOSYS);

	/* Privileged and odd scheduling operations. */
	struct sched_remote_shutdown rsd = { .domain_id = 1, .reason = SHUTDOWN_poweroff };
	EXPECT(HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rsd), -XEN_EPERM);
	rsd.domain_id = 200;
	EXPECT(HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rsd), -XEN_ESRCH);
	struct sched_shutdown sd = { .reason = 77 };
	EXPECT(HYPERVISOR_sched_op(SCHEDOP_shutdown, &sd), -XEN_EINVAL);
	struct sched_watchdog wd = { .id = 3, .timeout = 1 };
	EXPECT(HYPERVISOR_sched_op(SCHEDOP_watchdog, &wd), -XEN_EINVAL);
	wd.id = 0;
	wd.timeout = 10;
	EXPECT(HYPERVISOR_sched_op(SCHEDOP_watchdog, &wd), 1);
	EXPECT(HYPERVISOR_sched_op(SCHEDOP_watchdog, &wd), 2);
	EXPECT(HYPERVISOR_sched_op(SCHEDOP_watchdog, &wd), -XEN_ENOSPC);
	wd.id = 1;
	wd.timeout = 0;
	EXPECT(HYPERVISOR_sched_op(SCHEDOP_watchdog, &wd), 0);
	wd.id = 2;
	EXPECT(HYPERVISOR_sched_op(SCHEDOP_watchdog, &wd), 0);
	EXPECT(HYPERVISOR_sched_op(99, NULL), -XEN_ENOSYS);

	/* Events still work after all that. */
	hits = 0;
	int ipi2 = evtchn_bind_ipi(0, on_ipi, NULL);
	evtchn_notify((evtchn_port_t)ipi2);
	EXPECT((int)hits, 1);
	(void)self;
	if (failures)
		panic("%d checks failed", failures);
	printk("evhostile: ok\n");

	/* Last: a watchdog that is not fed shuts the domain down (reason watchdog). */
	if (!strncmp((const char *)start_info_ptr->cmd_line, "watchdog", 8)) {
		wd.id = 0;
		wd.timeout = 1;
		EXPECT(HYPERVISOR_sched_op(SCHEDOP_watchdog, &wd), 1);
		for (;;)
			HYPERVISOR_sched_op(SCHEDOP_block, NULL);
	}
	return 0;
}
