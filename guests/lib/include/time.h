/* Time for guests built on the library (lib/time.c): Xen's vcpu_time_info and the wallclock. */
#ifndef GUEST_TIME_H
#define GUEST_TIME_H

#include <stdint.h>

#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC 1000000000ULL

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* System time in ns since boot (this vCPU's vcpu_time_info + rdtsc, with the version protocol). */
uint64_t monotonic_ns(void);
/* Seconds since the epoch at boot (shared_info wallclock). */
uint64_t wallclock_boot_sec(void);
/* VIRQ_TIMER on this vCPU, bound on first use by block_once (a deadline wakes nobody without
 * it). The hook, if set, runs on every timer event. */
#include <xen/event_channel.h>
void time_init_cpu(unsigned int cpu);
void time_set_tick_hook(void (*hook)(evtchn_port_t port, void *data));

/* Block until system time reaches deadline_ns (set_timer_op + SCHEDOP_block); events are
 * delivered meanwhile. Returns the time it woke at. */
uint64_t block_until(uint64_t deadline_ns);
/* Block once until any event or the deadline; returns the time it woke at. */
uint64_t block_once(uint64_t deadline_ns);

#endif
