// update_va_mapping(va, pte, flags) and update_va_mapping_otherdomain (xen/arch/x86/mm.c
// __do_update_va_mapping): replace the L1 entry that maps va in the caller's current kernel
// tables, validated like mmu_update, then flush as flags ask: bits 1:0 UVMF_NONE /
// UVMF_TLB_FLUSH / UVMF_INVLPG, bits 63:2 UVMF_LOCAL (0), UVMF_ALL (4) or a pointer to a vCPU
// bitmap (UVMF_MULTI).
import { EINVAL, EPERM, ESRCH } from "../abi/xen";
import { curDom } from "../domain/domain";
import { modL1Entry, mapGuestL1e, mappedL1Mfn, isLiveL1 } from "../mm/pv_mmu";
import { parseVcpuMask, allVcpus, flushMask, flushPageMask, mmuFlushAll, mmuFlushPage } from "../mm/flush";
import { getPgOwner, xsmTarget, NO_OWNER } from "./mmu_update";
import { mmuOpDone } from "../mm/invariants";

export const UVMF_NONE: u64 = 0;
export const UVMF_TLB_FLUSH: u64 = 1;
export const UVMF_INVLPG: u64 = 2;
export const UVMF_FLUSHTYPE_MASK: u64 = 3;
export const UVMF_LOCAL: u64 = 0;
export const UVMF_ALL: u64 = 4;

export function do_update_va_mapping(va: u64, val: u64, flags: u64): i64 {
  const rc = updateVaMapping(va, val, flags, curDom);
  mmuOpDone();
  return rc;
}

export function do_update_va_mapping_otherdomain(va: u64, val: u64, flags: u64, domid: u64): i64 {
  const pg = getPgOwner(<u32>(domid & 0xffff));
  if (pg == NO_OWNER) return -ESRCH;
  const rc = updateVaMapping(va, val, flags, <u32>pg);
  mmuOpDone();
  return rc;
}

function updateVaMapping(va: u64, val: u64, flags: u64, pgOwner: u32): i64 {
  if (!xsmTarget(pgOwner)) return -EPERM;
  const p = mapGuestL1e(va);
  if (p == 0 || !isLiveL1(mappedL1Mfn, curDom)) return -EINVAL;
  let rc = modL1Entry(p, val, mappedL1Mfn, false, curDom, pgOwner);
  // A refused entry changed nothing: no flush (va is not even known to be sane).
  if (rc != 0) return rc;
  const bmap = flags & ~UVMF_FLUSHTYPE_MASK;
  const type = flags & UVMF_FLUSHTYPE_MASK;
  if (type == UVMF_TLB_FLUSH) {
    if (bmap == UVMF_LOCAL) mmuFlushAll();
    else {
      if (bmap == UVMF_ALL) allVcpus();
      else rc = parseVcpuMask(bmap);
      flushMask();
    }
  } else if (type == UVMF_INVLPG) {
    if (bmap == UVMF_LOCAL) mmuFlushPage(va);
    else {
      if (bmap == UVMF_ALL) allVcpus();
      else rc = parseVcpuMask(bmap);
      flushPageMask(va);
    }
  }
  return rc;
}
