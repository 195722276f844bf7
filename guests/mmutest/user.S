/*
 * A trip to guest user mode and back, for testing the user base pointer. run_in_user enters
 * user mode at `rip` with stack `rsp` through the iret hypercall; the user code reads the word
 * at user_read_addr into RBX (-1 if that faults) and issues `syscall`, which Xen bounces to
 * user_syscall_entry in kernel mode; that returns RBX as run_in_user's value.
 */

	.code64
	.text
	.globl	run_in_user
run_in_user:
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, user_saved_rsp(%rip)
	pushq	$0xe02b			/* SS: FLAT_USER_SS */
	pushq	%rsi			/* RSP */
	pushq	$0x202			/* RFLAGS: IF */
	pushq	$0xe033			/* CS: FLAT_USER_CS (RPL 3: user mode) */
	pushq	%rdi			/* RIP */
	pushq	$0			/* flags: not returning from a syscall */
	jmp	hypercall_page + 23 * 32

	.globl	user_syscall_entry
user_syscall_entry:
	mov	user_saved_rsp(%rip), %rsp
	mov	%rbx, %rax
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret

	.globl	user_code
user_code:
	mov	user_read_addr(%rip), %rax
1:	mov	(%rax), %rbx
2:	syscall
	ud2
user_fault:
	mov	$-1, %rbx
	jmp	2b
	.pushsection .extable, "a"
	.balign	8
	.quad	1b, user_fault
	.popsection

	.bss
	.balign	8
user_saved_rsp:
	.quad	0
	.globl	user_read_addr
user_read_addr:
	.quad	0
