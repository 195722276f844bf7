// The run loop: executes the loaded vCPU instruction by instruction until its budget is
// spent or the hypervisor needs the host (shutdown, console output to drain, idle).
import { RIP, INSNS, DEC, EXIT_INFO } from "../layout";
import { fetchPtr, faulted, clearFault, excVector, excError, excAddr } from "../cpu/mem";
import { decode, D_LEN } from "../cpu/decode";
import { execute } from "../cpu/exec";
import { setNrip, nrip } from "../cpu/regs";
import { deliverException } from "../domain/traps";

export const EXIT_NONE: u32 = 0;
export const EXIT_BUDGET: u32 = 1; // budget used up
export const EXIT_SHUTDOWN: u32 = 2; // the domain shut down (reason in its control block)
export const EXIT_CONSOLE: u32 = 3; // console_io output waiting for the host
export const EXIT_IDLE: u32 = 4; // nothing runnable
export const EXIT_EXCEPTION: u32 = 5; // trap-to-host mode: an exception stopped the vCPU

// Exception record for EXIT_EXCEPTION (in EXIT_INFO): u32 vector, i32 error code, u64 CR2.
export const EXC_INFO_VECTOR: u32 = EXIT_INFO;
export const EXC_INFO_ERROR: u32 = EXIT_INFO + 4;
export const EXC_INFO_CR2: u32 = EXIT_INFO + 8;

// Trap-to-host mode (CPU tests): exceptions stop the run instead of entering the guest.
export let trapToHost: bool = false;
export function setTrapToHost(on: bool): void {
  trapToHost = on;
}

export let exitReason: u32 = EXIT_NONE;

export function requestExit(r: u32): void {
  if (exitReason == EXIT_NONE) exitReason = r;
}

// Execute one instruction on the loaded vCPU, delivering any exception it raises.
@inline export function step(): void {
  const rip = load<u64>(RIP);
  const p = fetchPtr(rip);
  if (p != 0 && decode(p)) {
    setNrip(rip + <u64>load<u8>(DEC + D_LEN));
    execute();
    if (!faulted) {
      store<u64>(RIP, nrip);
      return;
    }
  }
  clearFault();
  if (trapToHost) {
    store<u32>(EXC_INFO_VECTOR, excVector);
    store<i32>(EXC_INFO_ERROR, excError);
    store<u64>(EXC_INFO_CR2, excAddr);
    requestExit(EXIT_EXCEPTION);
    return;
  }
  deliverException(excVector, excError);
}

// Run up to budget instructions. Returns the exit reason.
export function runVcpu(budget: u32): u32 {
  exitReason = EXIT_NONE;
  let n: u32 = 0;
  while (n < budget) {
    step();
    n++;
    if (exitReason != EXIT_NONE) break;
  }
  // An instruction that stopped the vCPU on an exception did not retire.
  if (exitReason == EXIT_EXCEPTION) n--;
  store<u64>(INSNS, load<u64>(INSNS) + <u64>n);
  return exitReason == EXIT_NONE ? EXIT_BUDGET : exitReason;
}
