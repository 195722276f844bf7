// TLB flushes the guest asks for (MMUEXT_TLB_FLUSH_*, MMUEXT_INVLPG_*, UVMF_* of
// update_va_mapping): the vCPU bitmap parsing of Xen's vcpumask_to_pcpumask, and the flush of
// every vCPU in a set. Only the loaded vCPU has live TLB entries (loading a vCPU resets the
// TLB), so flushing another vCPU of the domain needs no work today; the set is kept whole so
// an SMP scheduler can act on it.
import { MAX_VCPUS } from "../layout";
import { tlbFlushAll, tlbFlushPage } from "../cpu/mem";
import { curVcpu, curDom, dom, DOM_NR_VCPUS, DOM_VCPU0 } from "../domain/domain";
import { getGuestU64, guestOk } from "./guest";
import { addrOk } from "./pv_mmu";
import { EFAULT } from "../abi/xen";
import { charge, COST_TLB_FLUSH } from "../time/clock";

// The flushes Xen does (the guest's requests, base-pointer loads, grant unmaps) are events of
// the cost model; the software TLB's own invalidations (pv_mmu.ts writeEntry) are not.
export function mmuFlushAll(): void {
  charge(COST_TLB_FLUSH);
  tlbFlushAll();
}

export function mmuFlushPage(va: u64): void {
  charge(COST_TLB_FLUSH);
  tlbFlushPage(va);
}

// The set from the last parse: bit i = vCPU i of the calling domain.
const MASK: u32 = <u32>memory.data(MAX_VCPUS / 8, 8);

function setBit(id: u32): void {
  store<u8>(MASK + (id >> 3), <u8>(<u32>load<u8>(MASK + (id >> 3)) | (<u32>1 << (id & 7))));
}

function clearMask(): void {
  memory.fill(MASK, 0, MAX_VCPUS / 8);
}

// vcpumask_to_pcpumask: a guest bitmap of unsigned longs, read only as far as the domain has
// vCPUs. 0 or -EFAULT (the set is then empty).
export function parseVcpuMask(bmap: u64): i64 {
  clearMask();
  const n = load<u32>(dom(curDom) + DOM_NR_VCPUS);
  for (let offs: u32 = 0; ; offs++) {
    const bias = offs * 64;
    if (bias >= n) return 0;
    const va = bmap + <u64>offs * 8;
    const word = addrOk(va) ? getGuestU64(va) : 0;
    if (!addrOk(va) || !guestOk) {
      clearMask();
      return -EFAULT;
    }
    for (let b: u32 = 0; b < 64; b++) {
      if ((word & (<u64>1 << b)) == 0) continue;
      const id = bias + b;
      if (id >= n) return 0;
      setBit(id);
    }
  }
  return 0;
}

// Every vCPU of the calling domain (the domain's dirty set).
export function allVcpus(): void {
  clearMask();
  const n = load<u32>(dom(curDom) + DOM_NR_VCPUS);
  for (let id: u32 = 0; id < n; id++) setBit(id);
}

function inMask(globalVcpu: u32): bool {
  const id = globalVcpu - load<u32>(dom(curDom) + DOM_VCPU0);
  if (id >= MAX_VCPUS) return false;
  return (load<u8>(MASK + (id >> 3)) & (1 << (id & 7))) != 0;
}

// Flush the whole TLB of every vCPU in the set.
export function flushMask(): void {
  if (inMask(curVcpu)) mmuFlushAll();
}

// Flush one page from the TLB of every vCPU in the set.
export function flushPageMask(va: u64): void {
  if (inMask(curVcpu)) mmuFlushPage(va);
}
