// PV MMU entry points used by the CPU (mov to CR3). Page-table validation lives here.
import { CR3 } from "../layout";
import { tlbFlushAll } from "../cpu/mem";
import { mfnValid, frameOwner } from "./frames";
import { curDom, vc, VC_KERNEL_CR3 } from "../domain/domain";
import { isValidatedL4 } from "./validate";

// MMUEXT_NEW_BASEPTR: load a new kernel L4. The frame must be the caller's and a validated L4.
export function newBaseptr(mfn: u64): bool {
  if (!mfnValid(mfn) || frameOwner(mfn) != curDom) return false;
  if (!isValidatedL4(mfn)) return false;
  store<u64>(CR3, mfn << 12);
  store<u64>(vc() + VC_KERNEL_CR3, mfn << 12);
  tlbFlushAll();
  return true;
}
