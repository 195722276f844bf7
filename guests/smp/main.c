/*
 * SMP: vCPU 0 brings up vCPUs 1..3 with VCPUOP_initialise/up; each computes its share of a sum,
 * reports to vCPU 0 through an IPI, waits for vCPU 0's "go" IPI (a barrier), works again,
 * reports again and takes itself down. TLB flushes across vCPUs, vCPU-id errors, and finally
 * the last vCPU going down powers the domain off. Needs 4 vCPUs.
 */
#include <lib.h>
#include <events.h>
#include <smp.h>
#include <time.h>

#define NCPUS 4

static int done_port;
static int go_port[NCPUS];
/* An event is a wake-up, not a count: sends to a pending port merge. The count is shared data. */
static volatile unsigned long done;
static volatile unsigned long done_events;
static volatile int go[NCPUS];
static volatile unsigned long result[NCPUS][2];

static void on_done(evtchn_port_t p, void *data)
{
	(void)p;
	(void)data;
	done_events++;
}

static void on_go(evtchn_port_t p, void *data)
{
	(void)p;
	go[(unsigned long)data] = 1;
}

static unsigned long work(unsigned int cpu, unsigned int phase)
{
	unsigned long s = 0;
	for (unsigned long i = 1; i <= 20000UL * cpu + phase; i++)
		s += i * i % 7;
	return s;
}

static void ap(unsigned int cpu)
{
	if (smp_processor_id() != cpu)
		panic("vCPU %u sees id %u", cpu, smp_processor_id());
	result[cpu][0] = work(cpu, 0);
	__atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST);
	evtchn_notify((evtchn_port_t)done_port);
	while (!go[cpu])
		HYPERVISOR_sched_op(SCHEDOP_block, NULL);
	result[cpu][1] = work(cpu, 1);
	__atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST);
	evtchn_notify((evtchn_port_t)done_port);
}

static void wait_done(unsigned long n)
{
	while (done < n)
		HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

int main(void)
{
	events_init();
	time_init_cpu(0);
	local_irq_enable();
	done_port = evtchn_bind_ipi(0, on_done, NULL);
	if (done_port < 0)
		panic("bind_ipi(0) failed: %d", done_port);
	for (unsigned int c = 1; c < NCPUS; c++) {
		go_port[c] = evtchn_bind_ipi(c, on_go, (void *)(unsigned long)c);
		if (go_port[c] < 0)
			panic("bind_ipi(%u) failed: %d", c, go_port[c]);
		if (smp_cpu_is_up(c) != 0)
			panic("vCPU %u up before VCPUOP_up", c);
		int rc = HYPERVISOR_vcpu_op(VCPUOP_up, c, NULL);
		if (rc != -XEN_EINVAL)
			panic("up before initialise: expected -EINVAL, got %d", rc);
	}
	for (unsigned int c = 1; c < NCPUS; c++) {
		int rc = smp_start_cpu(c, ap);
		if (rc)
			panic("starting vCPU %u failed: %d", c, rc);
	}
	/* Initialising a vCPU twice, and vCPU ids beyond the domain's. */
	struct vcpu_guest_context dummy;
	memset(&dummy, 0, sizeof(dummy));
	int rc = HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &dummy);
	if (rc != -XEN_EEXIST)
		panic("second initialise: expected -EEXIST, got %d", rc);
	rc = HYPERVISOR_vcpu_op(VCPUOP_is_up, NCPUS, NULL);
	if (rc != -XEN_ENOENT)
		panic("vCPU %d: expected -ENOENT, got %d", NCPUS, rc);
	rc = HYPERVISOR_vcpu_op(VCPUOP_up, 1000, NULL);
	if (rc != -XEN_ENOENT)
		panic("vCPU 1000: expected -ENOENT, got %d", rc);
	struct evtchn_bind_ipi bi = { .vcpu = NCPUS };
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &bi);
	if (rc != -XEN_ENOENT)
		panic("bind_ipi to vCPU %d: expected -ENOENT, got %d", NCPUS, rc);

	/* Flush the TLBs of every vCPU while they run. */
	unsigned long mask = (1UL << NCPUS) - 1;
	struct mmuext_op op = { .cmd = MMUEXT_TLB_FLUSH_MULTI };
	op.arg2.vcpumask = &mask;
	rc = HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
	if (rc)
		panic("TLB_FLUSH_MULTI failed: %d", rc);
	op.cmd = MMUEXT_INVLPG_MULTI;
	op.arg1.linear_addr = (unsigned long)&done;
	rc = HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
	if (rc)
		panic("INVLPG_MULTI failed: %d", rc);

	wait_done(NCPUS - 1);
	printk("smp: phase 1 done on %lu vCPUs\n", done);
	if (!done_events)
		panic("no IPI reached vCPU 0");
	for (unsigned int c = 1; c < NCPUS; c++) {
		if (result[c][0] != work(c, 0))
			panic("vCPU %u computed %lu", c, result[c][0]);
		evtchn_notify((evtchn_port_t)go_port[c]);
	}
	wait_done(2 * (NCPUS - 1));
	for (unsigned int c = 1; c < NCPUS; c++)
		if (result[c][1] != work(c, 1))
			panic("vCPU %u phase 2 computed %lu", c, result[c][1]);
	printk("smp: phase 2 done, results checked\n");
	/* The APs take themselves down after reporting. */
	for (unsigned int c = 1; c < NCPUS; c++)
		while (smp_cpu_is_up(c))
			block_until(monotonic_ns() + NSEC_PER_MSEC / 10);
	for (unsigned int c = 0; c < NCPUS; c++)
		printk("smp: vCPU %u handled %lu upcalls\n", c, percpu_area[c].upcalls);
	printk("smp: ok\n");
	/* The last vCPU going down powers the domain off. */
	HYPERVISOR_vcpu_op(VCPUOP_down, 0, NULL);
	panic("still running after the last vCPU went down");
}
