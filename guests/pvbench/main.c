/*
 * The pvbench guest: one tight loop of a PV-platform operation, for host/bench/pv.ts.
 * The command line says which and how many: `test=NAME iterations=N`.
 *
 *   null        N x HYPERVISOR_xen_version(XENVER_version, NULL): the cheapest hypercall.
 *   mmu_update  N validated L1 entry updates (MMU_NORMAL_PT_UPDATE) in batches of BATCH per
 *               hypercall; each batch points BATCH entries of the boot L1 (the ones mapping
 *               the padding after the boot stack) at a scratch frame or back at their own.
 *   uvm         N x update_va_mapping(UVMF_INVLPG) flipping one PTE between two frames.
 *   bounce      N x int3: #BP bounced through the trap table to lib/entry.S, a hook that
 *               accepts it, and back through the iret hypercall.
 *
 * It prints `pvbench: <test> <N> done` and powers off; anything unexpected panics (the host
 * then sees a crash, never a number). N=0 runs everything but the loop: the host subtracts
 * that run (boot, setup, printing) from the timed ones.
 */
#include <lib.h>
#include <mm.h>
#include <traps.h>
#include <xen/version.h>

#define BATCH 64

static void bench_null(unsigned long iters)
{
	for (unsigned long i = 0; i < iters; i++) {
		int rc = HYPERVISOR_xen_version(XENVER_version, NULL);
		if (rc < 0)
			panic("xen_version returned %d", rc);
	}
}

/*
 * The scratch pages come from the library's pool (the zeroed padding after the boot stack,
 * mapped read-write by the boot L1 tables, which the builder validated and pinned with the L4).
 * Page 0 is the frame every entry is pointed at; pages 1..BATCH are the entries rewritten.
 * None of them is touched while remapped, so no TLB flush is needed inside the loop; the
 * originals are restored and the TLB flushed at the end.
 */
static void bench_mmu_update(unsigned long iters)
{
	static mmu_update_t own[BATCH], other[BATCH];
	void *target = alloc_page();
	if (!target)
		panic("no scratch page");
	uint64_t target_pte = ((uint64_t)virt_to_mfn(target) << PAGE_SHIFT) | L1_PROT;
	for (unsigned int i = 0; i < BATCH; i++) {
		void *va = alloc_page();
		uint64_t pte;
		uint64_t ma = va ? entry_maddr((unsigned long)va, 1, &pte) : 0;
		if (!ma)
			panic("no L1 entry for scratch page %u", i);
		own[i].ptr = ma | MMU_NORMAL_PT_UPDATE;
		own[i].val = pte;
		other[i].ptr = ma | MMU_NORMAL_PT_UPDATE;
		other[i].val = target_pte;
	}
	if (iters % BATCH)
		panic("iterations=%lu: give a multiple of %u", iters, BATCH);
	unsigned long batches = iters / BATCH;
	for (unsigned long b = 0; b < batches; b++) {
		unsigned int done = 0;
		int rc = HYPERVISOR_mmu_update((b & 1) ? own : other, BATCH, &done, DOMID_SELF);
		if (rc || done != BATCH)
			panic("mmu_update batch %lu: rc %d, %u of %u done", b, rc, done, BATCH);
	}
	unsigned int done = 0;
	int rc = HYPERVISOR_mmu_update(own, BATCH, &done, DOMID_SELF);
	if (rc || done != BATCH)
		panic("mmu_update restore: rc %d, %u done", rc, done);
	rc = mmuext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);
	if (rc)
		panic("TLB flush: rc %d", rc);
}

static void bench_uvm(unsigned long iters)
{
	volatile uint64_t *page = alloc_page();
	volatile uint64_t *other = alloc_page();
	if (!page || !other)
		panic("no scratch page");
	page[0] = 1;
	other[0] = 2;
	unsigned long va = (unsigned long)page;
	uint64_t pte[2] = {
		((uint64_t)virt_to_mfn((void *)page) << PAGE_SHIFT) | L1_PROT,
		((uint64_t)virt_to_mfn((void *)other) << PAGE_SHIFT) | L1_PROT,
	};
	for (unsigned long i = 0; i < iters; i++) {
		int rc = HYPERVISOR_update_va_mapping(va, pte[(i & 1) ^ 1], UVMF_INVLPG);
		if (rc)
			panic("update_va_mapping %lu: rc %d", i, rc);
	}
	/* Every flip took effect: the page shows whichever frame the last one installed. */
	uint64_t want = (iters & 1) ? 2 : 1;
	if (page[0] != want)
		panic("after %lu flips the page reads %lu, expected %lu", iters, (unsigned long)page[0],
		      (unsigned long)want);
	int rc = HYPERVISOR_update_va_mapping(va, pte[0], UVMF_INVLPG);
	if (rc)
		panic("update_va_mapping restore: rc %d", rc);
}

static volatile unsigned long bounces;

/* int3 is a trap: the saved RIP is already past it, so accepting it resumes the loop. */
static int on_int3(struct trap_frame *f)
{
	(void)f;
	bounces++;
	return 1;
}

static void bench_bounce(unsigned long iters)
{
	traps_init();
	set_trap_hook(3, on_int3);
	for (unsigned long i = 0; i < iters; i++)
		asm volatile("int3" ::: "memory");
	if (bounces != iters)
		panic("%lu int3 handled, expected %lu", bounces, iters);
}

int main(void)
{
	char test[32];
	cmdline_word("test", test, sizeof(test));
	unsigned long iters = cmdline_num("iterations", 1000);

	if (!strcmp(test, "null"))
		bench_null(iters);
	else if (!strcmp(test, "mmu_update"))
		bench_mmu_update(iters);
	else if (!strcmp(test, "uvm"))
		bench_uvm(iters);
	else if (!strcmp(test, "bounce"))
		bench_bounce(iters);
	else
		panic("unknown test '%s' (give test=null|mmu_update|uvm|bounce)", test);

	printk("pvbench: %s %lu done\n", test, iters);
	return 0;
}
