// mmuext_op (xen/arch/x86/mm.c do_mmuext_op): extended MMU commands, struct mmuext_op
// {u32 cmd @0; arg1 @8 (mfn or linear address); arg2 @16 (nr_ents, vCPU bitmap, or src mfn)}.
// Stops at the first error; *done counts the commands processed. Long batches are continued.
import { EINVAL, EPERM, ESRCH, EFAULT, ENOSYS, EACCES, EOPNOTSUPP } from "../abi/xen";
import { HV_SCRATCH } from "../layout";
import { curDom, curVcpu, dom, DOM_PRIVILEGED } from "../domain/domain";
import { copyFromGuest, getGuestU32, putGuestU32, guestOk } from "../mm/guest";
import { frameAddr } from "../mm/frames";
import {
  getPage, putPage, getPageType, putPageAndType,
  PGT_l1_page_table, PGT_l2_page_table, PGT_l3_page_table, PGT_l4_page_table, PGT_writable_page,
} from "../mm/validate";
import {
  pinTable, unpinTable, newGuestCr3, newUserBaseptr, setLdt, ldtBase, ldtEntries, addrOk,
} from "../mm/pv_mmu";
import { parseVcpuMask, allVcpus, flushMask, flushPageMask, mmuFlushAll, mmuFlushPage } from "../mm/flush";
import { createContinuation, setArg1, setArg2 } from "./args";
import {
  getPgOwner, xsmTarget, NO_OWNER, MMU_UPDATE_PREEMPTED, ERESTART, MMU_BATCH, resumedDone,
} from "./mmu_update";
import { mmuOpDone } from "../mm/invariants";
import { codeWritten } from "../cpu/dcache";

export const MMUEXT_PIN_L1_TABLE: u32 = 0;
export const MMUEXT_PIN_L2_TABLE: u32 = 1;
export const MMUEXT_PIN_L3_TABLE: u32 = 2;
export const MMUEXT_PIN_L4_TABLE: u32 = 3;
export const MMUEXT_UNPIN_TABLE: u32 = 4;
export const MMUEXT_NEW_BASEPTR: u32 = 5;
export const MMUEXT_TLB_FLUSH_LOCAL: u32 = 6;
export const MMUEXT_INVLPG_LOCAL: u32 = 7;
export const MMUEXT_TLB_FLUSH_MULTI: u32 = 8;
export const MMUEXT_INVLPG_MULTI: u32 = 9;
export const MMUEXT_TLB_FLUSH_ALL: u32 = 10;
export const MMUEXT_INVLPG_ALL: u32 = 11;
export const MMUEXT_FLUSH_CACHE: u32 = 12;
export const MMUEXT_SET_LDT: u32 = 13;
export const MMUEXT_NEW_USER_BASEPTR: u32 = 15;
export const MMUEXT_CLEAR_PAGE: u32 = 16;
export const MMUEXT_COPY_PAGE: u32 = 17;
export const MMUEXT_FLUSH_CACHE_GLOBAL: u32 = 18;
export const MMUEXT_MARK_SUPER: u32 = 19;
export const MMUEXT_UNMARK_SUPER: u32 = 20;

const OP_SIZE: u32 = 24;
// Most descriptors an LDT may have (8192: 16 pages).
const LDT_MAX_ENTS: u32 = 8192;

export function do_mmuext_op(uops: u64, count: u64, pdone: u64, foreigndom: u64): i64 {
  const rc = mmuextOp(uops, <u32>count, pdone, <u32>foreigndom);
  mmuOpDone();
  return rc;
}

function mmuextOp(uops: u64, count: u32, pdone: u64, foreigndom: u32): i64 {
  if (count == MMU_UPDATE_PREEMPTED && uops == 0) return <i64><i32>foreigndom;
  let done = resumedDone(count, pdone);
  count &= ~MMU_UPDATE_PREEMPTED;
  if (!addrOk(uops)) return -EFAULT;
  const pg = getPgOwner(foreigndom & 0xffff);
  if (pg == NO_OWNER) return -ESRCH;
  const pgOwner = <u32>pg;
  if (!xsmTarget(pgOwner)) return -EPERM;

  let rc: i64 = 0;
  let i: u32 = 0;
  for (; i < count; i++) {
    if (i >= MMU_BATCH) {
      rc = -ERESTART;
      break;
    }
    if (!copyFromGuest(HV_SCRATCH, uops + <u64>i * OP_SIZE, OP_SIZE)) {
      rc = -EFAULT;
      break;
    }
    rc = oneOp(load<u32>(HV_SCRATCH), load<u64>(HV_SCRATCH + 8), load<u64>(HV_SCRATCH + 16), pgOwner);
    if (rc != 0) break;
  }
  if (rc == -ERESTART) {
    setArg1(uops + <u64>i * OP_SIZE);
    setArg2(<u64>((count - i) | MMU_UPDATE_PREEMPTED));
    createContinuation();
  }
  if (pdone != 0 && addrOk(pdone)) putGuestU32(pdone, done + i);
  return rc;
}

// Cache flushes need I/O capabilities; only a privileged domain has them here.
function cacheFlushPermitted(): bool {
  return load<u32>(dom(curDom) + DOM_PRIVILEGED) != 0;
}

function oneOp(cmd: u32, arg1: u64, arg2: u64, pgOwner: u32): i64 {
  const self = pgOwner == curDom;
  switch (cmd) {
    case MMUEXT_PIN_L1_TABLE: return pinTable(arg1, PGT_l1_page_table, pgOwner);
    case MMUEXT_PIN_L2_TABLE: return pinTable(arg1, PGT_l2_page_table, pgOwner);
    case MMUEXT_PIN_L3_TABLE: return pinTable(arg1, PGT_l3_page_table, pgOwner);
    case MMUEXT_PIN_L4_TABLE: return pinTable(arg1, PGT_l4_page_table, pgOwner);
    case MMUEXT_UNPIN_TABLE: return unpinTable(arg1, pgOwner);
    case MMUEXT_NEW_BASEPTR: return self ? newGuestCr3(arg1) : -EPERM;
    case MMUEXT_NEW_USER_BASEPTR: return self ? newUserBaseptr(arg1) : -EPERM;
    case MMUEXT_TLB_FLUSH_LOCAL:
      if (!self) return -EPERM;
      mmuFlushAll();
      return 0;
    case MMUEXT_INVLPG_LOCAL:
      if (!self) return -EPERM;
      mmuFlushPage(arg1);
      return 0;
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_INVLPG_MULTI:
      if (!self) return -EPERM;
      if (parseVcpuMask(arg2) != 0) return -EINVAL;
      if (cmd == MMUEXT_TLB_FLUSH_MULTI) flushMask();
      else if (addrOk(arg1)) flushPageMask(arg1);
      return 0;
    case MMUEXT_TLB_FLUSH_ALL:
      if (!self) return -EPERM;
      allVcpus();
      flushMask();
      return 0;
    case MMUEXT_INVLPG_ALL:
      if (!self) return -EPERM;
      if (addrOk(arg1)) {
        allVcpus();
        flushPageMask(arg1);
      }
      return 0;
    case MMUEXT_FLUSH_CACHE:
      if (!self) return -EPERM;
      return cacheFlushPermitted() ? 0 : -EACCES;
    case MMUEXT_FLUSH_CACHE_GLOBAL:
      if (!self) return -EPERM;
      return cacheFlushPermitted() ? 0 : -EINVAL;
    case MMUEXT_SET_LDT: return setLdtOp(arg1, <u32>arg2, self);
    case MMUEXT_CLEAR_PAGE: return clearPage(arg1, pgOwner);
    case MMUEXT_COPY_PAGE: return copyPage(arg1, arg2, pgOwner);
    case MMUEXT_MARK_SUPER:
    case MMUEXT_UNMARK_SUPER:
      return -EOPNOTSUPP;
    default:
      return -ENOSYS;
  }
}

// MMUEXT_SET_LDT: a page-aligned guest address and at most 8192 descriptors (0 = no LDT).
function setLdtOp(va: u64, ents: u32, self: bool): i64 {
  if (!self) return -EPERM;
  const ptr = ents != 0 ? va : 0;
  if ((ptr & 0xfff) != 0 || !addrOk(ptr) || ents > LDT_MAX_ENTS) return -EINVAL;
  if (ldtEntries(curVcpu) != ents || ldtBase(curVcpu) != ptr) setLdt(curVcpu, ptr, ents);
  return 0;
}

// MMUEXT_CLEAR_PAGE: the frame must be able to take the writable type.
function clearPage(mfn: u64, pgOwner: u32): i64 {
  if (!getPage(mfn, pgOwner)) return -EINVAL;
  if (getPageType(mfn, PGT_writable_page) != 0) {
    putPage(mfn);
    return -EINVAL;
  }
  memory.fill(frameAddr(mfn), 0, 4096);
  codeWritten(<u32>mfn);
  putPageAndType(mfn);
  return 0;
}

// MMUEXT_COPY_PAGE: dst takes the writable type; src only needs to be the domain's.
function copyPage(dst: u64, src: u64, pgOwner: u32): i64 {
  if (!getPage(src, pgOwner)) return -EINVAL;
  if (!getPage(dst, pgOwner)) {
    putPage(src);
    return -EINVAL;
  }
  if (getPageType(dst, PGT_writable_page) != 0) {
    putPage(src);
    putPage(dst);
    return -EINVAL;
  }
  memory.copy(frameAddr(dst), frameAddr(src), 4096);
  codeWritten(<u32>dst);
  putPageAndType(dst);
  putPage(src);
  return 0;
}
