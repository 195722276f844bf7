/*
 * Kernel entry. The hypervisor starts the vCPU in 64-bit mode at _start (the first byte of the image)
 * with RSI = virtual address of start_info, RSP = top of a one-page boot stack, events masked, and the
 * bss already zeroed. We move to our own stack and enter C.
 */
	.section .text.head, "ax", @progbits
	.code64
	.globl	_start
	.type	_start, @function
_start:
	movq	%rsi, start_info_ptr(%rip)
	leaq	boot_stack_top(%rip), %rsp	/* 16-byte aligned: the C ABI holds at the call */
	xorl	%ebp, %ebp			/* end of the frame-pointer chain */
	movq	%rsi, %rdi
	call	start_kernel			/* does not return */
	call	crash
	ud2
	.size	_start, . - _start

	.section .bss.boot_stack, "aw", @nobits
	.balign	4096
	.globl	boot_stack, boot_stack_top
boot_stack:
	.skip	16384
boot_stack_top:
