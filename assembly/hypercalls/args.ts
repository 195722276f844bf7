// Hypercall arguments (x86-64: RDI RSI RDX R10 R8; number and result in RAX) and the
// continuation mechanism: rewinding RIP over `syscall` re-issues the call with updated args.
import { REGS, RIP } from "../layout";
import { setNrip } from "../cpu/regs";

@inline export function arg1(): u64 { return load<u64>(REGS + (7 << 3)); }
@inline export function arg2(): u64 { return load<u64>(REGS + (6 << 3)); }
@inline export function arg3(): u64 { return load<u64>(REGS + (2 << 3)); }
@inline export function arg4(): u64 { return load<u64>(REGS + (10 << 3)); }
@inline export function arg5(): u64 { return load<u64>(REGS + (8 << 3)); }

@inline export function setArg1(v: u64): void { store<u64>(REGS + (7 << 3), v); }
@inline export function setArg2(v: u64): void { store<u64>(REGS + (6 << 3), v); }
@inline export function setArg3(v: u64): void { store<u64>(REGS + (2 << 3), v); }

// Set by a handler that did part of its work: the guest re-executes the hypercall.
export let continuation: bool = false;
export function clearContinuation(): void {
  continuation = false;
}

// Re-issue the current hypercall (RIP goes back to the `syscall` instruction).
export function createContinuation(): void {
  continuation = true;
  setNrip(load<u64>(RIP));
}

// Set by handlers that leave RAX alone (iret) or already wrote it.
export let noResult: bool = false;
export function setNoResult(v: bool): void {
  noResult = v;
}
