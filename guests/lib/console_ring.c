/* PV console ring: the guest's side. Output goes to out[], the backend is told by an event, and
 * a full ring is waited for by blocking until the backend's event says it made room. */
#include <stdint.h>
#include <hypercall.h>
#include <kernel.h>
#include <events.h>
#include <console_ring.h>

struct xencons_interface {
	char in[1024];
	char out[2048];
	uint32_t in_cons, in_prod;
	uint32_t out_cons, out_prod;
};

static volatile struct xencons_interface *ring;
static evtchn_port_t port;
unsigned long console_ring_waits;

static void console_event(evtchn_port_t p, void *data)
{
	(void)p;
	(void)data;
	/* Nothing to do here: the writer re-reads out_cons after every wake-up. */
}

void console_ring_init(void)
{
	unsigned long mfn = start_info_ptr->console.domU.mfn;
	unsigned long pfn = machine_to_phys_mapping[mfn];
	ring = (volatile struct xencons_interface *)(VIRT_BASE + pfn * 4096);
	port = start_info_ptr->console.domU.evtchn;
	evtchn_set_handler(port, 0, console_event, NULL);
}

static void wait_for_backend(void)
{
	console_ring_waits++;
	HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

void console_ring_write(const char *buf, size_t len)
{
	while (len > 0) {
		uint32_t cons = ring->out_cons, prod = ring->out_prod;
		asm volatile("" ::: "memory");
		uint32_t room = sizeof(ring->out) - (prod - cons);
		if (room == 0) {
			evtchn_notify(port);
			wait_for_backend();
			continue;
		}
		while (room > 0 && len > 0) {
			ring->out[prod % sizeof(ring->out)] = *buf++;
			prod++;
			room--;
			len--;
		}
		asm volatile("" ::: "memory"); /* bytes before the index (x86 stores are ordered) */
		ring->out_prod = prod;
		evtchn_notify(port);
	}
}

void console_ring_flush(void)
{
	while (ring->out_cons != ring->out_prod)
		wait_for_backend();
}
