// Destroying a domain (Xen's domain_kill -> domain_relinquish_resources, then domain_destroy).
//
// domainDestroy stops the vCPUs and their timers, closes every event channel (an
// interdomain peer's port becomes unbound), gives back the grants the domain mapped, drops the
// references the hypervisor and the vCPUs hold (base pointers, GDT frames, vcpu_info,
// shared_info), then relinquishes memory as Xen does: pins go, page tables are forcibly
// de-validated from L4 down to L1 (which breaks linear-page-table cycles), and every frame loses
// its allocation and is freed once nothing references it.
//
// Frames other domains still reference (their grant mappings, the host's holds) keep the
// domain in DS_DYING, with its grant table, until the last reference goes; then the slot is
// freed (reapDomains, called at safe points: after destroy, host unmaps and releases, and each
// machine run, and only when a dying domain's frame was freed since).
import { MAX_DOMAINS, CR3, CPU } from "../layout";
import { ESRCH, EINVAL } from "../abi/xen";
import {
  dom, vcpuCtl, vcpuSave, domValid, domainRelease, DOM_STATE, DS_DYING, DS_BUILDING, DOM_NR_VCPUS,
  DOM_VCPU0, DOM_SHARED_INFO, DOM_WATCHDOG, VC_KERNEL_CR3, VC_USER_CR3, VC_VI_MFN, VC_VCPU_INFO,
  VC_SSHOT_AT, VC_PERIOD_NS, VC_POLL_AT,
} from "./domain";
import { nrFrames, ftEntry, FT_OWNER, FT_FLAGS, FTF_ALLOCATED } from "../mm/frames";
import {
  typeInfo, putPageAndType, forceDevalidate, PGT_pinned, PGT_l1_page_table,
  PGT_l4_page_table,
} from "../mm/validate";
import { releaseIfUnused, reapWanted, setReapWanted } from "../mm/domheap";
import { dropPin } from "../mm/pv_mmu";
import { gdtFrameCount, gdtFrame, gdtInstall } from "../mm/gdt";
import { closeAll } from "../evtchn/ports";
import { releaseMapping } from "../grant/map";
import { gtInited, gtFree, maptrackLimit, isTableFrame } from "../grant/table";
import { domainStopVcpus } from "../sched/vcpu_state";
import { nrPcpus, pcpuCur, setPcpuCur, curPcpu } from "../sched/pcpu";
import { trace, TR_DESTROY, TR_RELEASED } from "../trace/trace";
import { nowCycles } from "../time/clock";
import { timerUpdate, WD_INUSE } from "../time/timers";

// Destroy domain d (never the host). 0, -ESRCH for no such domain, -EINVAL when it is already
// dying.
export function domainDestroy(d: u32): i32 {
  if (d == 0 || d >= MAX_DOMAINS) return <i32>-ESRCH;
  if (!domValid(d)) return load<u32>(dom(d) + DOM_STATE) == DS_DYING ? <i32>-EINVAL : <i32>-ESRCH;
  const p = dom(d);
  const built = load<u32>(p + DOM_STATE) != DS_BUILDING;
  store<u32>(p + DOM_STATE, DS_DYING);
  trace(TR_DESTROY, nowCycles(), curPcpu, d, 0, 0, 0);
  stopTime(d);
  closeAll(d);
  if (gtInited(d)) {
    const limit = maptrackLimit(d);
    for (let h: u32 = 0; h < limit; h++) releaseMapping(d, h);
  }
  releaseVcpuRefs(d);
  // shared_info: the hypervisor's writable reference (taken when the domain was set up).
  if (built) putPageAndType(<u64>load<u32>(p + DOM_SHARED_INFO));
  for (let t = PGT_l4_page_table; t >= PGT_l1_page_table; t--) relinquish(d, t);
  relinquish(d, 0);
  setReapWanted(true); // the domain may hold nothing any more
  reapDomains();
  return 0;
}

// Timers off, vCPUs down (out of the run queues).
function stopTime(d: u32): void {
  const p = dom(d);
  const v0 = load<u32>(p + DOM_VCPU0);
  const n = load<u32>(p + DOM_NR_VCPUS);
  store<u64>(p + DOM_WATCHDOG, 0);
  store<u64>(p + DOM_WATCHDOG + 8, 0);
  store<u32>(p + WD_INUSE, 0);
  for (let v = v0; v < v0 + n; v++) {
    const c = vcpuCtl(v);
    store<u64>(c + VC_SSHOT_AT, 0);
    store<u64>(c + VC_PERIOD_NS, 0);
    store<u64>(c + VC_POLL_AT, 0);
  }
  domainStopVcpus(d); // also takes each vCPU off its timer heap
  for (let v = v0; v < v0 + n; v++) timerUpdate(v);
  // No pCPU keeps one of them as its current vCPU (a new domain may get the slots).
  for (let p: u32 = 0; p < nrPcpus; p++) {
    const cur = pcpuCur(p);
    if (cur >= 0 && <u32>cur >= v0 && <u32>cur < v0 + n) setPcpuCur(p, -1);
  }
}

// What each vCPU holds: its base pointers, its GDT frames, a registered vcpu_info.
function releaseVcpuRefs(d: u32): void {
  const p = dom(d);
  const v0 = load<u32>(p + DOM_VCPU0);
  const n = load<u32>(p + DOM_NR_VCPUS);
  for (let v = v0; v < v0 + n; v++) {
    const c = vcpuCtl(v);
    const k = load<u64>(c + VC_KERNEL_CR3) >> 12;
    const u = load<u64>(c + VC_USER_CR3) >> 12;
    store<u64>(c + VC_KERNEL_CR3, 0);
    store<u64>(c + VC_USER_CR3, 0);
    store<u64>(vcpuSave(v) + (CR3 - CPU), 0);
    if (k != 0) putPageAndType(k);
    if (u != 0) putPageAndType(u);
    const frames = gdtFrameCount(v);
    for (let i: u32 = 0; i < frames; i++) putPageAndType(gdtFrame(v, i));
    gdtInstall(v, 0, 0, 0);
    const vi = load<u64>(c + VC_VI_MFN);
    store<u64>(c + VC_VI_MFN, 0);
    store<u32>(c + VC_VCPU_INFO, 0);
    if (vi != 0) putPageAndType(vi - 1);
  }
}

// relinquish_memory over d's frames: pins are dropped; with a page-table type, tables of that
// type are de-validated; with type 0, every frame loses its allocation and is freed if unused.
// The grant table's own frames stay until the table goes (reapDomains).
function relinquish(d: u32, type: u64): void {
  for (let m: u64 = 0; m < <u64>nrFrames; m++) {
    const e = ftEntry(m);
    if (<u32>load<u16>(e + FT_OWNER) != d) continue;
    if ((typeInfo(m) & PGT_pinned) != 0) dropPin(m);
    if (type != 0) {
      forceDevalidate(m, type);
      continue;
    }
    if (isTableFrame(d, m)) continue;
    const f = load<u16>(e + FT_FLAGS);
    if ((f & FTF_ALLOCATED) != 0) {
      store<u16>(e + FT_FLAGS, f & ~FTF_ALLOCATED);
      releaseIfUnused(m);
    }
  }
}

// Dying domains none of whose frames (but its grant table's) is left: their grant tables and
// slots are freed.
export function reapDomains(): void {
  if (!reapWanted) return;
  setReapWanted(false);
  for (let d: u32 = 1; d < MAX_DOMAINS; d++) {
    if (load<u32>(dom(d) + DOM_STATE) != DS_DYING) continue;
    if (framesLeft(d) != 0) continue;
    gtFree(d);
    domainRelease(d);
    trace(TR_RELEASED, nowCycles(), curPcpu, d, 0, 0, 0);
  }
}

// Frames still owned by dying domain d, other than its grant table's.
export function framesLeft(d: u32): u32 {
  let n: u32 = 0;
  for (let m: u64 = 0; m < <u64>nrFrames; m++) {
    if (<u32>load<u16>(ftEntry(m) + FT_OWNER) == d && !isTableFrame(d, m)) n++;
  }
  return n;
}
