/* Time: reading vcpu_time_info (version protocol), the wallclock, sleeping until a deadline. */
#include <stddef.h>
#include <hypercall.h>
#include <events.h>
#include <time.h>
#include <kernel.h>

/* ns = system_time + ((tsc - tsc_timestamp) << shift) * mul >> 32, the product taken in 128 bits. */
static uint64_t scale_delta(uint64_t delta, uint32_t mul, int8_t shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

uint64_t monotonic_ns(void)
{
	volatile struct vcpu_time_info *t = &this_vcpu_info()->time;
	uint32_t version;
	uint64_t ns;
	do {
		version = t->version;
		asm volatile("" ::: "memory");
		ns = t->system_time + scale_delta(rdtsc() - t->tsc_timestamp, t->tsc_to_system_mul, t->tsc_shift);
		asm volatile("" ::: "memory");
	} while ((version & 1) || version != t->version);
	return ns;
}

uint64_t wallclock_boot_sec(void)
{
	volatile shared_info_t *s = HYPERVISOR_shared_info;
	uint32_t version;
	uint64_t sec;
	do {
		version = s->wc_version;
		asm volatile("" ::: "memory");
		sec = ((uint64_t)s->wc_sec_hi << 32) | s->wc_sec;
		asm volatile("" ::: "memory");
	} while ((version & 1) || version != s->wc_version);
	return sec;
}

static int timer_port[MAX_GUEST_CPUS];
static void (*tick_hook)(evtchn_port_t port, void *data);

static void on_timer(evtchn_port_t port, void *data)
{
	if (tick_hook)
		tick_hook(port, data);
}

void time_set_tick_hook(void (*hook)(evtchn_port_t port, void *data))
{
	tick_hook = hook;
}

void time_init_cpu(unsigned int cpu)
{
	if (timer_port[cpu] > 0)
		return;
	int port = evtchn_bind_virq(VIRQ_TIMER, cpu, on_timer, NULL);
	if (port < 0)
		panic("bind_virq(VIRQ_TIMER, %u) failed: %d", cpu, port);
	timer_port[cpu] = port;
}

uint64_t block_once(uint64_t deadline_ns)
{
	time_init_cpu(smp_processor_id());
	HYPERVISOR_set_timer_op(deadline_ns);
	/* SCHEDOP_block unmasks events and returns at once if one is already pending. */
	HYPERVISOR_sched_op(SCHEDOP_block, NULL);
	return monotonic_ns();
}

uint64_t block_until(uint64_t deadline_ns)
{
	uint64_t now = monotonic_ns();
	while (now < deadline_ns)
		now = block_once(deadline_ns);
	return now;
}
