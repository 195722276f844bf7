/*
 * Page-table helpers for a PV guest (lib/mm.c): the p2m and M2P, finding the entry that maps an
 * address in the current tables, and thin wrappers over mmu_update / mmuext_op. Frame numbers
 * are machine frames (MFNs) unless a name says pfn.
 */
#ifndef GUEST_MM_H
#define GUEST_MM_H

#include <stdint.h>
#include <xen/xen.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE 4096UL
#define PAGE_MASK (~(PAGE_SIZE - 1))

#define _PAGE_PRESENT 0x001UL
#define _PAGE_RW 0x002UL
#define _PAGE_USER 0x004UL
#define _PAGE_PWT 0x008UL
#define _PAGE_PCD 0x010UL
#define _PAGE_ACCESSED 0x020UL
#define _PAGE_DIRTY 0x040UL
#define _PAGE_PSE 0x080UL
#define _PAGE_PAT 0x080UL
#define _PAGE_GLOBAL 0x100UL
#define _PAGE_GUEST_KERNEL (1UL << 52)
#define _PAGE_NX (1UL << 63)
#define PTE_MFN_MASK 0x000ffffffffff000UL

/* What Xen's domain builder uses: leaf read-write, leaf read-only, directory. */
#define L1_PROT (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED)
#define L1_PROT_RO (_PAGE_PRESENT | _PAGE_ACCESSED)
#define LN_PROT (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)

#define pte_mfn(e) (((e) & PTE_MFN_MASK) >> PAGE_SHIFT)
#define table_index(va, level) (((unsigned long)(va) >> (PAGE_SHIFT + 9 * ((level) - 1))) & 511)

/* Frame numbers of the kernel's own initial mapping (VIRT_BASE + pfn * PAGE_SIZE). */
unsigned long pfn_to_mfn(unsigned long pfn);
unsigned long mfn_to_pfn(unsigned long mfn);  /* the M2P at MACH2PHYS_VIRT_START */
unsigned long virt_to_mfn(const void *va);    /* va inside the initial mapping */
void *mfn_to_virt(unsigned long mfn);          /* NULL if the frame is not in the initial mapping */

/* The L4 the vCPU runs on (read from %cr3). */
unsigned long current_l4_mfn(void);

/*
 * Machine address of the level-`level` entry that maps va in the current tables (level 4 is
 * the L4 entry), or 0 if an upper level is not present or a table is outside the initial
 * mapping. *value receives the entry when pte is not NULL.
 */
uint64_t entry_maddr(unsigned long va, int level, uint64_t *value);

/* One request each; return the hypercall's result. */
int mmu_update1(uint64_t ptr, uint64_t val);
int mmuext1(unsigned int cmd, unsigned long arg1, unsigned long arg2);

/* Change the kernel mapping of a page of the initial mapping (update_va_mapping + invlpg). */
int set_page_writable(void *va, int writable);

/* Zeroed, page-aligned frames taken from a static pool of the library (NULL when exhausted). */
void *alloc_page(void);

#endif
