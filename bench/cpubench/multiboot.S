/*
 * Entry of the i386 cpubench kernel, loaded by a multiboot (v1) loader: v86 boots it without a
 * BIOS. The loader enters in 32-bit protected mode, paging off, EAX = 0x2BADB002, EBX = the
 * multiboot information. We set up a stack, run mb_main, then stop the CPU for good: with
 * interrupts off HLT never resumes, which the host sees as the end of the run.
 */
#define MB_HEADER_MAGIC 0x1BADB002
#define MB_HEADER_FLAGS 0 /* ELF image: the loader needs no address fields, no memory map */

	.section .multiboot, "a"
	.balign 4
	.long MB_HEADER_MAGIC
	.long MB_HEADER_FLAGS
	.long -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

	.text
	.globl _start
_start:
	cli
	mov $stack_top, %esp
	sub $8, %esp /* keep 16-byte alignment at the call (two pushes follow) */
	push %ebx
	push %eax
	call mb_main
1:	cli
	hlt
	jmp 1b

	.bss
	.balign 16
	.skip 65536
stack_top:

	.section .note.GNU-stack, "", @progbits
