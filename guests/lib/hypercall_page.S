/*
 * The hypercall page. The hypervisor overwrites it at boot with 128 call stubs of 32 bytes (it finds the
 * page through the HYPERCALL_PAGE note). It starts as 0xC3 (ret) so a guest can tell whether it was
 * written: hypercall_page[0] != 0xC3.
 */
	.section .text.hypercall_page, "ax", @progbits
	.balign	4096
	.globl	hypercall_page
	.type	hypercall_page, @object
hypercall_page:
	.fill	4096, 1, 0xc3
	.size	hypercall_page, . - hypercall_page
