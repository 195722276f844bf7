/*
 * long multicall_with_iret(multicall_entry_t *list, unsigned int nr): issue a multicall whose
 * list contains an iret, with an iret frame {rax, r11, rcx, flags, rip, cs, rflags, rsp, ss} on
 * the stack at the `syscall`, as the iret hypercall expects. The iret ends the batch and
 * resumes at 1: with RAX = 0x77 (the frame's) and the stack as it was.
 */
	.code64
	.text
	.globl	multicall_with_iret
multicall_with_iret:
	push	%rbx
	mov	%rsp, %rbx
	pushq	$0xe02b			/* SS */
	pushq	%rbx			/* RSP to return to */
	pushq	$0x2			/* RFLAGS: IF clear, so events stay masked */
	pushq	$0xe030			/* CS: kernel (RPL 0 in the frame means stay in kernel mode) */
	lea	1f(%rip), %rax
	pushq	%rax			/* RIP */
	pushq	$0			/* flags */
	pushq	%rcx			/* RCX */
	pushq	%r11			/* R11 */
	pushq	$0x77			/* RAX */
	mov	$13, %eax		/* __HYPERVISOR_multicall; RDI, RSI are the arguments */
	syscall
	ud2				/* a multicall with an iret never returns here */
1:	pop	%rbx
	ret
