/* Event channels: shared_info, the upcall dispatcher, port handlers and EVTCHNOP wrappers. */
#include <stddef.h>
#include <hypercall.h>
#include <kernel.h>
#include <console.h>
#include <events.h>

/* shared_info is mapped over this page of our image, as Mini-OS does. */
static char shared_info_page[4096] __attribute__((aligned(4096)));
shared_info_t *HYPERVISOR_shared_info;

struct percpu percpu_area[MAX_GUEST_CPUS];

struct port_entry {
	evtchn_handler_t handler;
	void *data;
	unsigned int cpu;
};
static struct port_entry ports[NR_EVENT_CHANNELS];

extern char hypervisor_callback[], failsafe_callback[];

void failsafe_panic(void);
void failsafe_panic(void)
{
	panic("failsafe callback");
}

void local_irq_enable(void)
{
	vcpu_info_t *vi = this_vcpu_info();
	asm volatile("" ::: "memory");
	vi->evtchn_upcall_mask = 0;
	asm volatile("" ::: "memory");
	/* Something arrived while masked: only an exit to the hypervisor delivers it (Linux does this). */
	if (vi->evtchn_upcall_pending)
		HYPERVISOR_xen_version(0, NULL);
}

void events_init(void)
{
	unsigned long va = (unsigned long)shared_info_page;
	int rc = HYPERVISOR_update_va_mapping(va, start_info_ptr->shared_info | 7, UVMF_INVLPG);
	if (rc)
		panic("mapping shared_info failed: %d", rc);
	HYPERVISOR_shared_info = (shared_info_t *)va;
	percpu_area[0].cpu = 0;
	percpu_area[0].vi = &HYPERVISOR_shared_info->vcpu_info[0];
	rc = HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, (unsigned long)&percpu_area[0]);
	if (rc)
		panic("set_segment_base failed: %d", rc);
	/* Every port starts masked; evtchn_set_handler unmasks the ones we handle. */
	for (unsigned int i = 0; i < ARRAY_SIZE(HYPERVISOR_shared_info->evtchn_mask); i++)
		HYPERVISOR_shared_info->evtchn_mask[i] = ~0UL;
	rc = HYPERVISOR_set_callbacks((unsigned long)hypervisor_callback, (unsigned long)failsafe_callback, 0);
	if (rc)
		panic("set_callbacks failed: %d", rc);
}

void events_init_cpu(unsigned int cpu)
{
	(void)cpu;
	local_irq_enable();
}

static void handle_port(evtchn_port_t port)
{
	struct port_entry *e = &ports[port];
	evtchn_clear(port);
	if (e->handler)
		e->handler(port, e->data);
}

/* Called from hypervisor_callback with events masked. */
void do_hypervisor_callback(void);
void do_hypervisor_callback(void)
{
	unsigned int cpu = smp_processor_id();
	shared_info_t *s = HYPERVISOR_shared_info;
	vcpu_info_t *vi = this_vcpu_info();

	percpu_area[cpu].upcalls++;
	vi->evtchn_upcall_pending = 0;
	unsigned long l1 = __atomic_exchange_n(&vi->evtchn_pending_sel, 0UL, __ATOMIC_SEQ_CST);
	while (l1) {
		unsigned int i = __builtin_ctzl(l1);
		l1 &= ~(1UL << i);
		unsigned long l2 = s->evtchn_pending[i] & ~s->evtchn_mask[i];
		while (l2) {
			unsigned int j = __builtin_ctzl(l2);
			l2 &= ~(1UL << j);
			evtchn_port_t port = i * 64 + j;
			/* A port bound to another vCPU is that vCPU's to handle. */
			if (ports[port].cpu == cpu)
				handle_port(port);
		}
	}
}

void evtchn_set_handler(evtchn_port_t port, unsigned int cpu, evtchn_handler_t h, void *data)
{
	if (port >= NR_EVENT_CHANNELS)
		panic("port %u out of range", port);
	ports[port].handler = h;
	ports[port].data = data;
	ports[port].cpu = cpu;
	evtchn_unmask(port);
}

int evtchn_bind_virq(uint32_t virq, unsigned int cpu, evtchn_handler_t h, void *data)
{
	struct evtchn_bind_virq op = { .virq = virq, .vcpu = cpu };
	int rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &op);
	if (rc)
		return rc;
	evtchn_set_handler(op.port, cpu, h, data);
	return (int)op.port;
}

int evtchn_bind_ipi(unsigned int cpu, evtchn_handler_t h, void *data)
{
	struct evtchn_bind_ipi op = { .vcpu = cpu };
	int rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &op);
	if (rc)
		return rc;
	evtchn_set_handler(op.port, cpu, h, data);
	return (int)op.port;
}

int evtchn_alloc_unbound(domid_t remote, evtchn_handler_t h, void *data)
{
	struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = remote };
	int rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);
	if (rc)
		return rc;
	evtchn_set_handler(op.port, 0, h, data);
	return (int)op.port;
}

int evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port, evtchn_handler_t h, void *data)
{
	struct evtchn_bind_interdomain op = { .remote_dom = remote, .remote_port = remote_port };
	int rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &op);
	if (rc)
		return rc;
	evtchn_set_handler(op.local_port, 0, h, data);
	return (int)op.local_port;
}

int evtchn_notify(evtchn_port_t port)
{
	struct evtchn_send op = { .port = port };
	return HYPERVISOR_event_channel_op(EVTCHNOP_send, &op);
}

int evtchn_close(evtchn_port_t port)
{
	struct evtchn_close op = { .port = port };
	if (port < NR_EVENT_CHANNELS)
		ports[port].handler = NULL;
	return HYPERVISOR_event_channel_op(EVTCHNOP_close, &op);
}

void evtchn_mask(evtchn_port_t port)
{
	__atomic_fetch_or(&HYPERVISOR_shared_info->evtchn_mask[port / 64], 1UL << (port % 64), __ATOMIC_SEQ_CST);
}

/* Clearing the mask ourselves would miss an event that is already pending: let Xen do it. */
void evtchn_unmask(evtchn_port_t port)
{
	struct evtchn_unmask op = { .port = port };
	HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &op);
}

void evtchn_clear(evtchn_port_t port)
{
	__atomic_fetch_and(&HYPERVISOR_shared_info->evtchn_pending[port / 64], ~(1UL << (port % 64)), __ATOMIC_SEQ_CST);
}

int evtchn_is_pending(evtchn_port_t port)
{
	return (HYPERVISOR_shared_info->evtchn_pending[port / 64] >> (port % 64)) & 1;
}

int vcpu_info_move(vcpu_info_t *where)
{
	unsigned long va = (unsigned long)where;
	unsigned long pfn = (va - VIRT_BASE) >> 12;
	unsigned long *p2m = (unsigned long *)start_info_ptr->mfn_list;
	struct vcpu_register_vcpu_info info = { .mfn = p2m[pfn], .offset = (uint32_t)(va & 4095) };
	unsigned int cpu = smp_processor_id();
	int rc = HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, cpu, &info);
	if (rc == 0)
		percpu_area[cpu].vi = where;
	return rc;
}
