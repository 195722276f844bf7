/*
 * Event channels for guests built on the library (lib/events.c, lib/events_entry.S): the mapped
 * shared_info page, the upcall handler that dispatches pending ports to per-port handlers, and
 * wrappers for the EVTCHNOP_* operations. Handlers run with events masked on the vCPU that the
 * port notifies.
 */
#ifndef GUEST_EVENTS_H
#define GUEST_EVENTS_H

#include <stdint.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

#define NR_EVENT_CHANNELS 4096
#define MAX_GUEST_CPUS 32

typedef void (*evtchn_handler_t)(evtchn_port_t port, void *data);

extern shared_info_t *HYPERVISOR_shared_info;

/* Per-vCPU data, reached through the kernel GS base. */
struct percpu {
	unsigned int cpu;
	unsigned int pad;
	uint64_t upcalls;   /* times this vCPU entered the event callback */
	vcpu_info_t *vi;    /* this vCPU's vcpu_info: in shared_info, or where it was registered */
};
extern struct percpu percpu_area[MAX_GUEST_CPUS];

static inline unsigned int smp_processor_id(void)
{
	unsigned int id;
	asm volatile("movl %%gs:0, %0" : "=r"(id));
	return id;
}

static inline vcpu_info_t *this_vcpu_info(void)
{
	vcpu_info_t *vi;
	asm volatile("movq %%gs:16, %0" : "=r"(vi));
	return vi;
}

/* The PV "interrupt flag": evtchn_upcall_mask of this vCPU. */
static inline void local_irq_disable(void)
{
	this_vcpu_info()->evtchn_upcall_mask = 1;
	asm volatile("" ::: "memory");
}
void local_irq_enable(void);

/* Map shared_info, set the GS base of vCPU 0, register the event callback; events stay masked. */
void events_init(void);
/* The per-vCPU part (GS base set by the caller): register nothing new, just unmask. */
void events_init_cpu(unsigned int cpu);

/* VCPUOP_register_vcpu_info: move this vCPU's vcpu_info to `where` (64 bytes inside one page of
 * our image). Returns 0 or -errno. */
int vcpu_info_move(vcpu_info_t *where);

/* Install a handler (and the vCPU it runs on) for a port; unmask it. */
void evtchn_set_handler(evtchn_port_t port, unsigned int cpu, evtchn_handler_t h, void *data);

int evtchn_bind_virq(uint32_t virq, unsigned int cpu, evtchn_handler_t h, void *data);
int evtchn_bind_ipi(unsigned int cpu, evtchn_handler_t h, void *data);
int evtchn_alloc_unbound(domid_t remote, evtchn_handler_t h, void *data);
int evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port, evtchn_handler_t h, void *data);
int evtchn_notify(evtchn_port_t port);
int evtchn_close(evtchn_port_t port);
void evtchn_mask(evtchn_port_t port);
void evtchn_unmask(evtchn_port_t port);
void evtchn_clear(evtchn_port_t port);
int evtchn_is_pending(evtchn_port_t port);

#endif
