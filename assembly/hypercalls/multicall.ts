// multicall(call_list, nr_calls) (xen/common/multicall.c, x86 arch_do_multicall_call): run a
// batch of hypercalls, entries {op, result, args[6]} of 64 bytes. Each entry's result is
// written back; a failing entry does not stop the batch, but a bad list does (-EFAULT). A
// multicall inside a multicall gets -EINVAL; an iret ends the batch (the guest is no longer
// where the batch was issued). A sub-call that needs continuing is saved into its entry with
// its updated arguments and the whole multicall is continued from that entry.
import { REGS } from "../layout";
import { EINVAL, EFAULT, __HYPERVISOR_iret, __HYPERVISOR_multicall } from "../abi/xen";
import { copyFromGuest, copyToGuest } from "../mm/guest";
import { addrOk } from "../mm/pv_mmu";
import { nrip, setNrip } from "../cpu/regs";
import { hypercall } from "./dispatch";
import { continuation, clearContinuation, createContinuation, setArg1, setArg2, setNoResult } from "./args";

const ENTRY_SIZE: u32 = 64;
// Entries per invocation before the multicall is continued.
const MC_BATCH: u32 = 128;

// The entry being run and the caller's argument registers (the sub-calls use the same ones).
const ENTRY: u32 = <u32>memory.data(64, 8);
const SAVED: u32 = <u32>memory.data(40, 8);
// RDI RSI RDX R10 R8: the hypercall argument registers, args[0..4] of an entry.
const ARG_REG: StaticArray<u32> = [7, 6, 2, 10, 8];

let inMulticall = false;

function saveArgs(): void {
  for (let k = 0; k < 5; k++) store<u64>(SAVED + (<u32>k << 3), load<u64>(REGS + (ARG_REG[k] << 3)));
}

function restoreArgs(): void {
  for (let k = 0; k < 5; k++) store<u64>(REGS + (ARG_REG[k] << 3), load<u64>(SAVED + (<u32>k << 3)));
}

// A sub-call asked to be continued but its entry cannot be updated: the batch fails instead.
function cancelContinuation(resume: u64): void {
  if (!continuation) return;
  clearContinuation();
  setNrip(resume);
}

export function do_multicall(callList: u64, nrCalls: u64): i64 {
  if (inMulticall) return -EINVAL;
  inMulticall = true;
  const nr = <u32>nrCalls;
  const resume = nrip;
  saveArgs();
  let rc: i64 = addrOk(callList) ? 0 : -EFAULT;
  let i: u32 = 0;
  let preempted = false;
  let exited = false;
  while (rc == 0 && !exited && i < nr) {
    if (i >= MC_BATCH) {
      preempted = true;
      break;
    }
    const ent = callList + <u64>i * ENTRY_SIZE;
    if (!copyFromGuest(ENTRY, ent, ENTRY_SIZE)) {
      rc = -EFAULT;
      break;
    }
    const op = load<u64>(ENTRY);
    store<u64>(REGS, op);
    for (let k = 0; k < 5; k++) store<u64>(REGS + (ARG_REG[k] << 3), load<u64>(ENTRY + 16 + (<u32>k << 3)));
    hypercall();
    // The sub-call's result is in RAX (an iret leaves the guest's restored RAX there).
    const result = load<u64>(REGS);
    store<u64>(ENTRY + 8, result);
    if (op == <u64>__HYPERVISOR_iret) {
      copyToGuest(ent + 8, ENTRY + 8, 8);
      rc = <i64>result;
      exited = true;
    } else if (!copyToGuest(ent + 8, ENTRY + 8, 8)) {
      cancelContinuation(resume);
      rc = -EFAULT;
    } else if (continuation) {
      // Keep the sub-call's continued arguments in its entry and resume the batch there.
      for (let k = 0; k < 5; k++) store<u64>(ENTRY + 16 + (<u32>k << 3), load<u64>(REGS + (ARG_REG[k] << 3)));
      if (copyToGuest(ent, ENTRY, ENTRY_SIZE)) {
        preempted = true;
        break;
      }
      cancelContinuation(resume);
      rc = -EFAULT;
    }
    i++;
  }
  restoreArgs();
  // The sub-calls used RAX for their numbers and results; a continued multicall must find
  // its own number there again (after an iret, RAX is the guest's restored value).
  if (!exited) store<u64>(REGS, <u64>__HYPERVISOR_multicall);
  inMulticall = false;
  if (preempted) {
    setArg1(callList + <u64>i * ENTRY_SIZE);
    setArg2(<u64>(nr - i));
    createContinuation();
    return 0;
  }
  if (!exited) {
    clearContinuation();
    setNoResult(false);
  }
  return rc;
}
