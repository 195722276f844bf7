// Everything the host may call. Nothing else is exported.
import { CPU_SIZE, MESSAGE_BUF, CR3, EXIT_INFO } from "./layout";
import {
  framesInit, allocFrame as ftAlloc, frameAddr as ftAddr, m2pSet as ftM2pSet, m2pGet as ftM2pGet,
  framesFree as ftFree, nrFrames, frameOwner as ftOwner, mfnValid, memoryNeeded,
} from "./mm/frames";
import {
  domainCreate as dCreate, dom, vcpuSave, vcpuCtl, vcpuLoad, vcpuSync as dSync, vcpuReload,
  DOM_STATE, DOM_SHUTDOWN_REASON, DOM_SHARED_INFO, DOM_TOT_PAGES, DOM_START_INFO, DOM_VCPU0, DOM_NR_VCPUS,
  DS_RUNNING, msgLength, VC_KERNEL_CR3, domValid, domExists, DOM_SHUTDOWN_CODE,
} from "./domain/domain";
import { runVcpu as rRun, setTrapToHost } from "./sched/run";
import { consoleBuf } from "./hypercalls/console_io";
import { tlbReset } from "./cpu/mem";
import { codeWritten, dcReset } from "./cpu/dcache";
import { hypercallCount } from "./hypercalls/dispatch";
import { setBatchInsns, configureClock } from "./time/clock";
import { setRflags, getRflags } from "./cpu/flags";
import { machineInit, eventsDomainSetup, eventsDomainStart } from "./sched/setup";
import { pcpusInit, nrPcpus, pcpuClock, pcpuIdle, setCurPcpu } from "./sched/pcpu";
import { runMachine as lRun, machineCycles, setQuantum as lSetQuantum } from "./sched/loop";
import { setSlice as rrSetSlice } from "./sched/rr";
import { setCost as cSetCost, costOf, costCount, cyclesToNs, nsToCycles, setBase, tscMul, tscShift } from "./time/clock";
import { setBootEpoch as vSetBootEpoch } from "./time/vtime";
import { hostNextPending as pHostNext, clearHostNotify, HOST_DOMID, portRec, portValid, sendVirq, virqIsGlobal } from "./evtchn/ports";
import { allocUnbound, bindInterdomain, send as evSend } from "./hypercalls/event_channel_op";
import { traceCount as tCount, traceHash as tHash, setTraceOn } from "./trace/trace";
import { runstateOf } from "./hypercalls/vcpu_op";
import { getPageAndType, PGT_writable_page } from "./mm/validate";
import { TRACE_RING, TRACE_RECORDS, TRACE_REC, HV_SCRATCH } from "./layout";
import { pinTable as mmuPin, installBaseptr } from "./mm/pv_mmu";
import { typeInfo, generalCount, holdPage, releaseHold, PGT_holds_mask } from "./mm/validate";
import { domainDestroy as destroyDomain, reapDomains } from "./domain/destroy";
import { closePort } from "./evtchn/ports";
import { checkInvariants as mmuCheck, setMmuChecks as mmuChecks } from "./mm/invariants";
import { EINVAL } from "./abi/xen";

// ---- machine ----
export function init(frames: u32, seed: u64): bool {
  tlbReset();
  dcReset();
  machineInit(1);
  return framesInit(frames, seed);
}

export function bytesNeeded(frames: u32): f64 {
  return <f64>memoryNeeded(frames);
}

export function setClock(cyclesPerInsn: u32, tscKhz: u32): void {
  configureClock(<u64>cyclesPerInsn, <u64>tscKhz);
}

export function totalFrames(): u32 {
  return nrFrames;
}

export function freeFrames(): u32 {
  return ftFree();
}

export function allocFrame(owner: u32): i32 {
  return <i32>ftAlloc(owner);
}

export function frameAddr(mfn: u32): u32 {
  return mfnValid(mfn) ? ftAddr(mfn) : 0;
}

export function frameOwner(mfn: u32): u32 {
  return ftOwner(mfn);
}

export function m2pSet(mfn: u32, pfn: u64): void {
  if (mfnValid(mfn)) ftM2pSet(mfn, pfn);
}

export function m2pGet(mfn: u32): u64 {
  return mfnValid(mfn) ? ftM2pGet(mfn) : <u64>-1;
}

// ---- domains ----
export function domainCreate(domid: u32, vcpus: u32, maxPages: u32): i32 {
  return dCreate(domid, vcpus, maxPages);
}

export function domainAddr(domid: u32): u32 {
  return dom(domid);
}

export function domainSetup(domid: u32, sharedInfoMfn: u32, startInfoMfn: u32, totPages: u32): void {
  const d = dom(domid);
  store<u32>(d + DOM_SHARED_INFO, sharedInfoMfn);
  store<u64>(d + DOM_START_INFO, <u64>startInfoMfn);
  store<u32>(d + DOM_TOT_PAGES, totPages);
  eventsDomainSetup(domid);
}

export function domainStart(domid: u32): void {
  store<u32>(dom(domid) + DOM_STATE, DS_RUNNING);
  eventsDomainStart(domid);
}

export function domainState(domid: u32): u32 {
  return domExists(domid) ? load<u32>(dom(domid) + DOM_STATE) : 0;
}

export function domainShutdownReason(domid: u32): u32 {
  return load<u32>(dom(domid) + DOM_SHUTDOWN_REASON);
}

export function domainShutdownCode(domid: u32): u32 {
  return load<u32>(dom(domid) + DOM_SHUTDOWN_CODE);
}

export function domainVcpu(domid: u32, id: u32): i32 {
  const d = dom(domid);
  if (id >= load<u32>(d + DOM_NR_VCPUS)) return -1;
  return <i32>(load<u32>(d + DOM_VCPU0) + id);
}

// The saved register file of global vCPU v (layout as CPU in layout.ts) and its control block.
export function vcpuSaveAddr(v: u32): u32 {
  return vcpuSave(v);
}

export function vcpuCtlAddr(v: u32): u32 {
  return vcpuCtl(v);
}

// Raw base pointer for CPU tests (tables written by the host, never validated).
export function vcpuSetBaseptr(v: u32, l4mfn: u32): void {
  store<u64>(vcpuSave(v) + (CR3 - 0x1000), <u64>l4mfn << 12);
  store<u64>(vcpuCtl(v) + VC_KERNEL_CR3, <u64>l4mfn << 12);
  vcpuReload(v);
}

export function vcpuSetRflags(v: u32, value: u64): void {
  vcpuLoad(v);
  setRflags(value);
  dSync();
}

export function vcpuGetRflags(v: u32): u64 {
  vcpuLoad(v);
  return getRflags();
}

export function vcpuSync(): void {
  dSync();
}

export function vcpuReloaded(v: u32): void {
  vcpuReload(v);
}

// Run global vCPU v for up to budget instructions; returns the exit reason (sched/run.ts).
export function run(v: u32, budget: u32): u32 {
  vcpuLoad(v);
  setBatchInsns(0);
  const r = rRun(budget);
  dSync();
  return r;
}

// ---- output and diagnostics ----
export function consoleAddr(domid: u32): u32 {
  return consoleBuf(domid);
}

export function messageAddr(): u32 {
  return MESSAGE_BUF;
}

export function messageLength(): u32 {
  return msgLength();
}

export function hypercalls(): f64 {
  return <f64>hypercallCount;
}

export function cpuStateSize(): u32 {
  return CPU_SIZE;
}


// CPU tests: stop on exceptions instead of delivering them to the guest.
export function setTrapMode(on: bool): void {
  setTrapToHost(on);
}

export function exitInfoAddr(): u32 {
  return EXIT_INFO;
}

// The host wrote into frame mfn (loading code, test windows): forget decoded instructions.
export function frameWritten(mfn: u32): void {
  codeWritten(mfn);
}

// ---- PV MMU (mm/validate.ts, mm/pv_mmu.ts) ----
// Pin a table of domain domid as the domain builder does (MMUEXT_PIN_L<level>_TABLE):
// validates it and everything it reaches. 0 or -errno.
export function pinTable(domid: u32, mfn: u32, level: u32): i32 {
  if (level < 1 || level > 4) return <i32>-EINVAL;
  return <i32>mmuPin(<u64>mfn, <u64>level, domid);
}

// Initial kernel base pointer of global vCPU v (the builder's pinned L4): takes the L4
// reference a base pointer holds. 0 or -errno.
export function vcpuInstallBaseptr(v: u32, l4mfn: u32): i32 {
  return <i32>installBaseptr(v, <u64>l4mfn);
}

// Recompute every frame's counts from the tables, pins and base pointers: 0 when they match,
// else the number of violations (the first one described in the message buffer).
export function checkInvariants(): u32 {
  return mmuCheck();
}

// Run that check after every MMU hypercall and abort the core on a violation (tests).
export function setMmuChecks(on: bool): void {
  mmuChecks(on);
}

// Frame-table view for tests: type_info and general count of a frame.
export function frameTypeInfo(mfn: u32): u64 {
  return mfnValid(mfn) ? typeInfo(mfn) : 0;
}

export function frameRefCount(mfn: u32): u32 {
  return mfnValid(mfn) ? generalCount(mfn) : 0;
}

// ---- events, time and the machine run loop (sched/loop.ts) ----

// Physical CPUs to simulate (before any domain is created).
export function setPcpus(n: u32): bool {
  return pcpusInit(n);
}

export function pcpus(): u32 {
  return nrPcpus;
}

export function setSchedSlice(ns: f64): void {
  rrSetSlice(nsToCycles(<u64>ns));
}

export function setQuantum(ns: f64): void {
  lSetQuantum(nsToCycles(<u64>ns));
}

export function setCost(kind: u32, cycles: u32): void {
  cSetCost(kind, <u64>cycles);
}

export function cost(kind: u32): f64 {
  return <f64>costOf(kind);
}

export function costEvents(kind: u32): f64 {
  return <f64>costCount(kind);
}

export function setBootEpoch(sec: f64): void {
  vSetBootEpoch(<u64>sec);
}

// Run every domain until the machine's time (the slowest pCPU) reaches untilNs or maxInsns
// instructions ran, or the host has work. Returns EXIT_* (sched/run.ts).
export function runMachine(untilNs: f64, maxInsns: f64): u32 {
  const until = untilNs >= 9.2e18 ? <u64>0x7fffffffffffffff : nsToCycles(<u64>untilNs);
  const r = lRun(until, <u64>maxInsns);
  dSync();
  reapDomains(); // a guest may have let go of the last frame of a destroyed domain
  return r;
}

export function machineNs(): f64 {
  return <f64>cyclesToNs(machineCycles());
}

export function pcpuNs(p: u32): f64 {
  return <f64>cyclesToNs(pcpuClock(p));
}

export function pcpuIdleNs(p: u32): f64 {
  return <f64>cyclesToNs(pcpuIdle(p));
}

export function timeScale(): f64 {
  return <f64>tscMul * 256 + <f64>(tscShift + 128);
}

// Host (dom0) side of event channels. The host acts at the machine's time.
function hostContext(): void {
  setCurPcpu(0xff);
  setBase(machineCycles());
}

// An unbound port in domain d that dom0 may bind (the builder's xenstore and console ports).
export function evtchnAllocUnbound(d: u32, remote: u32): i32 {
  hostContext();
  return <i32>allocUnbound(HOST_DOMID, d, remote);
}

// Bind a host port to domain rd's unbound port rport; the host port, or -errno.
export function hostBindInterdomain(rd: u32, rport: u32): i32 {
  hostContext();
  return <i32>bindInterdomain(HOST_DOMID, rd, rport);
}

export function hostSend(port: u32): i32 {
  hostContext();
  return <i32>evSend(HOST_DOMID, port);
}

// The next raised host port (-1: none).
export function hostNextPending(): i32 {
  const p = pHostNext();
  if (p < 0) clearHostNotify();
  return p;
}

// A backend in the host writes into frame mfn of domain d (a ring): hold it writable, so the
// guest cannot make it a page table while the host writes (Xen: the backend's writable
// mapping). 0 or -errno.
export function holdWritable(mfn: u32, d: u32): i32 {
  return <i32>holdPage(<u64>mfn, d, PGT_writable_page);
}

// Give back a hold taken with holdWritable (the backend stopped writing into the frame).
// -EINVAL when the frame is not held.
export function releaseWritable(mfn: u32): i32 {
  if (<u64>mfn >= <u64>totalFrames() || (typeInfo(<u64>mfn) & PGT_holds_mask) == 0) return -22;
  releaseHold(<u64>mfn);
  reapDomains();
  return 0;
}

// Close a host port (a backend going away). 0 or -EINVAL.
export function hostClose(port: u32): i32 {
  hostContext();
  return <i32>closePort(HOST_DOMID, port);
}

// Destroy domain d (xl destroy): 0, -ESRCH (no such domain) or -EINVAL (already dying). It
// stays in DS_DYING while others reference its frames (domainState tells).
export function domainDestroy(d: u32): i32 {
  hostContext();
  return destroyDomain(d);
}

// Raise a VIRQ for a domain (the host's debug key, console or exception notices): per-vCPU
// VIRQs on the given vCPU, global ones on the vCPU their port notifies. -EINVAL for no such VIRQ.
export function raiseVirq(d: u32, vcpu: u32, virq: u32): i32 {
  if (virq >= 24) return -22;
  hostContext();
  sendVirq(d, virqIsGlobal(virq) ? 0 : vcpu, virq);
  return 0;
}

// A domain's port: state << 24 | notify vcpu << 16 | remote port, or -1 (for tests and tools).
export function evtchnPort(d: u32, port: u32): i32 {
  if (!portValid(d, port)) return -1;
  const r = portRec(d, port);
  return <i32>((<u32>load<u8>(r) << 24) | (<u32>load<u8>(r + 1) << 16) | <u32>load<u16>(r + 6));
}

// vCPU v's runstate {state, entry ns, time[4]} (48 bytes) at the returned address.
export function vcpuRunstate(v: u32): u32 {
  runstateOf(v, HV_SCRATCH);
  return HV_SCRATCH;
}

// ---- trace ----
export function traceRing(): u32 { return TRACE_RING; }
export function traceCapacity(): u32 { return TRACE_RECORDS; }
export function traceRecordSize(): u32 { return TRACE_REC; }
export function traceWritten(): f64 { return <f64>tCount; }
export function traceHash(): u64 { return tHash; }
export function traceEnable(on: bool): void { setTraceOn(on); }

// ---- grant tables: the host's (dom0's) backends and the checker (grant/host.ts) ----
export {
  gntSetLimits, gntHostMap, gntHostMapAddr, gntHostUnmap, gntHostCopy, gntCheckInvariants, gntSetChecks,
} from "./grant/host";
