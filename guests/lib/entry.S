/*
 * Exception entry points. Xen's 64-bit bounce frame is, from RSP upward:
 * RCX, R11, [error code], RIP, CS, RFLAGS, RSP, SS. Each stub restores RCX and R11, pushes a 0
 * error code where the CPU pushes none, pushes the vector and joins the common path, which
 * saves the registers, calls do_trap(frame) and returns through the iret hypercall.
 */
	.code64
	.text

.macro TRAP_NOERR vec
	.globl trap_entry_\vec
trap_entry_\vec:
	pop %rcx
	pop %r11
	push $0
	push $\vec
	jmp trap_common
.endm

.macro TRAP_ERR vec
	.globl trap_entry_\vec
trap_entry_\vec:
	pop %rcx
	pop %r11
	push $\vec
	jmp trap_common
.endm

TRAP_NOERR 0
TRAP_NOERR 1
TRAP_NOERR 2
TRAP_NOERR 3
TRAP_NOERR 4
TRAP_NOERR 5
TRAP_NOERR 6
TRAP_NOERR 7
TRAP_ERR 8
TRAP_NOERR 9
TRAP_ERR 10
TRAP_ERR 11
TRAP_ERR 12
TRAP_ERR 13
TRAP_ERR 14
TRAP_NOERR 15
TRAP_NOERR 16
TRAP_ERR 17
TRAP_NOERR 18
TRAP_NOERR 19

trap_common:
	push %rax
	push %rcx
	push %rdx
	push %rbx
	push %rbp
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rdi
	/* The bounce frame is 16-byte aligned; 17 pushes on top leave RSP 8 off. */
	sub $8, %rsp
	call do_trap
	add $8, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rbp
	pop %rbx
	pop %rdx
	pop %rcx
	pop %rax
	add $16, %rsp		/* vector, error code */
	push $0			/* iret flags: not returning from a syscall */
	jmp hypercall_page + 23 * 32

	.section .note.GNU-stack, "", @progbits
