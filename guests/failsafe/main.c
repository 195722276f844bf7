/*
 * The failsafe callback (Xen's load_segments): %es holds a selector of our own GDT; the
 * descriptor is then made not-present and the domain blocks while another domain runs. When
 * this vCPU is switched back in, the selector no longer loads: Xen nulls it and enters the
 * failsafe callback with the old selectors in the frame.
 */
#include <lib.h>
#include <check.h>
#include <desc.h>
#include <mm.h>
#include <time.h>
#include <events.h>
#include <xen/callback.h>

extern char failsafe_entry[];
volatile uint64_t failsafe_ds, failsafe_es, failsafe_fs, failsafe_gs;
volatile unsigned int failsafe_count;

#define SEL(idx) (((idx) << 3) | 3)

static unsigned int read_es(void)
{
	unsigned int v;
	asm volatile("mov %%es, %0" : "=r"(v));
	return v;
}

int main(void)
{
	traps_init();
	events_init();
	time_init_cpu(0);
	local_irq_enable();
	struct callback_register cb = { .type = CALLBACKTYPE_failsafe, .address = (unsigned long)failsafe_entry };
	CHECK_RC(HYPERVISOR_callback_op(CALLBACKOP_register, &cb), 0, "register the failsafe callback");

	uint64_t *gdt = alloc_page();
	unsigned long mfn = virt_to_mfn(gdt);
	gdt[1] = seg_desc(0, 0xfffff, DESC_P | DESC_DPL(3) | DESC_S | DESC_DATA_RW, DESC_G | DESC_DB);
	unsigned long frames[1] = { mfn };
	CHECK_RC(set_page_writable(gdt, 0), 0, "map the GDT frame read-only");
	CHECK_RC(HYPERVISOR_set_gdt(frames, 16), 0, "install our GDT");
	CHECK_RC(load_es(SEL(1)), 0, "load %es from our GDT");

	/* Blocking with nothing else to do keeps this vCPU's state: no reload, no callback. */
	block_until(monotonic_ns() + 1000000);
	check(failsafe_count == 0 && read_es() == SEL(1), "a valid selector survives a block",
	      "count %u es %#x", failsafe_count, read_es());

	/* Make the descriptor not-present; the loaded %es is stale from now on. */
	uint64_t d = gdt[1] & ~(1UL << 47);
	CHECK_RC(HYPERVISOR_update_descriptor(((uint64_t)mfn << 12) + 8, d), 0, "mark the descriptor not-present");

	/* Let the other domain run (it is waiting for a time later than ours); when we come back,
	 * our selectors are reloaded. */
	block_until(monotonic_ns() + 20000000);
	check(failsafe_count == 1, "the failsafe callback ran once", "count %u", failsafe_count);
	check(failsafe_es == SEL(1), "its frame holds the old %es", "es %#lx", (unsigned long)failsafe_es);
	check(failsafe_ds == 0 && failsafe_fs == 0 && failsafe_gs == 0, "and the other (null) selectors",
	      "ds %#lx fs %#lx gs %#lx", (unsigned long)failsafe_ds, (unsigned long)failsafe_fs,
	      (unsigned long)failsafe_gs);
	check(read_es() == 0, "the selector that did not load is null", "es %#x", read_es());
	printk("failsafe: %d checks, %d failure(s)\n", checks, failures);
	return failures ? 1 : 0;
}
