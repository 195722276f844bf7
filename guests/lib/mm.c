/* Page-table helpers for a PV guest; see <mm.h>. */
#include <hypercall.h>
#include <kernel.h>
#include <mm.h>
#include <string.h>

unsigned long pfn_to_mfn(unsigned long pfn)
{
	return ((const unsigned long *)start_info_ptr->mfn_list)[pfn];
}

unsigned long mfn_to_pfn(unsigned long mfn)
{
	return machine_to_phys_mapping[mfn];
}

unsigned long virt_to_mfn(const void *va)
{
	return pfn_to_mfn(((unsigned long)va - VIRT_BASE) >> PAGE_SHIFT);
}

void *mfn_to_virt(unsigned long mfn)
{
	unsigned long pfn = mfn_to_pfn(mfn);
	if (pfn >= start_info_ptr->nr_pages || pfn_to_mfn(pfn) != mfn)
		return NULL;
	return (void *)(VIRT_BASE + (pfn << PAGE_SHIFT));
}

unsigned long current_l4_mfn(void)
{
	unsigned long cr3;
	asm volatile("mov %%cr3, %0" : "=r"(cr3));
	return cr3 >> PAGE_SHIFT;
}

uint64_t entry_maddr(unsigned long va, int level, uint64_t *value)
{
	unsigned long mfn = current_l4_mfn();
	for (int l = 4;; l--) {
		const uint64_t *table = mfn_to_virt(mfn);
		if (!table)
			return 0;
		uint64_t e = table[table_index(va, l)];
		if (l == level) {
			if (value)
				*value = e;
			return (mfn << PAGE_SHIFT) + table_index(va, l) * 8;
		}
		if (!(e & _PAGE_PRESENT))
			return 0;
		mfn = pte_mfn(e);
	}
}

int mmu_update1(uint64_t ptr, uint64_t val)
{
	mmu_update_t req = { .ptr = ptr, .val = val };
	return HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_SELF);
}

int mmuext1(unsigned int cmd, unsigned long arg1, unsigned long arg2)
{
	struct mmuext_op op = { .cmd = cmd };
	op.arg1.mfn = arg1;
	op.arg2.src_mfn = arg2;
	return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

int set_page_writable(void *va, int writable)
{
	uint64_t pte = ((uint64_t)virt_to_mfn(va) << PAGE_SHIFT) | (writable ? L1_PROT : L1_PROT_RO);
	return HYPERVISOR_update_va_mapping((unsigned long)va, pte, UVMF_INVLPG);
}

/*
 * The domain builder leaves at least 512 KiB of mapped, zeroed pages after the boot stack, which
 * follows the page tables; the pool hands those out.
 */
#define POOL_PAGES 128

void *alloc_page(void)
{
	static unsigned int used;
	if (used >= POOL_PAGES)
		return NULL;
	unsigned long first = start_info_ptr->pt_base + start_info_ptr->nr_pt_frames * PAGE_SIZE + PAGE_SIZE;
	void *p = (void *)(first + used++ * PAGE_SIZE);
	memset(p, 0, PAGE_SIZE);
	return p;
}
