// Bringing a domain into the event, time and scheduling machinery: its port table, where each
// vCPU's vcpu_info lives, which pCPU each vCPU runs on, Xen's default 10 ms periodic timer for
// PV vCPUs, the wallclock; and, at start, vCPU 0 made runnable.
import {
  dom, vcpuCtl, DOM_NR_VCPUS, DOM_VCPU0, DOM_SHARED_INFO, VC_VCPU_INFO, VC_PCPU, VC_PERIOD_NS, VC_STATE,
  VS_OFFLINE, VC_INITIALISED, VC_RS_STATE,
} from "../domain/domain";
import { VCPU_INFO_SIZE, XEN_LEGACY_MAX_VCPUS } from "../abi/structs";
import { frameAddr } from "../mm/frames";
import { getPageAndType, PGT_writable_page } from "../mm/validate";
import { evtchnDomainInit, HOST_DOMID } from "../evtchn/ports";
import { placeVcpu, pcpusInit } from "./pcpu";
import { noteVcpusCreated } from "./rr";
import { vcpuUp, RUNSTATE_offline } from "./vcpu_state";
import { timerUpdate, timersReset } from "../time/timers";
import { writeWallclock, updateTimeInfo } from "../time/vtime";
import { costsReset, setBase } from "../time/clock";
import { traceReset } from "../trace/trace";

const PV_PERIOD_NS: u64 = 10000000;

export function machineInit(pcpus: u32): bool {
  if (!pcpusInit(pcpus)) return false;
  timersReset();
  costsReset();
  traceReset();
  setBase(0);
  evtchnDomainInit(HOST_DOMID);
  return true;
}

export function eventsDomainSetup(d: u32): void {
  evtchnDomainInit(d);
  // The core writes event bits into shared_info: hold it as a writable page so the guest can
  // never turn it into a page table (Xen shares it from its own heap for the same reason).
  getPageAndType(<u64>load<u32>(dom(d) + DOM_SHARED_INFO), d, PGT_writable_page);
  const si = frameAddr(load<u32>(dom(d) + DOM_SHARED_INFO));
  writeWallclock(si);
  const n = load<u32>(dom(d) + DOM_NR_VCPUS);
  const v0 = load<u32>(dom(d) + DOM_VCPU0);
  noteVcpusCreated(v0 + n);
  for (let i: u32 = 0; i < n; i++) {
    const c = vcpuCtl(v0 + i);
    store<u32>(c + VC_VCPU_INFO, i < XEN_LEGACY_MAX_VCPUS ? si + i * VCPU_INFO_SIZE : 0);
    store<u32>(c + VC_PCPU, placeVcpu());
    store<u64>(c + VC_PERIOD_NS, PV_PERIOD_NS);
    store<u32>(c + VC_STATE, VS_OFFLINE);
    store<u32>(c + VC_RS_STATE, RUNSTATE_offline);
    store<u32>(c + VC_INITIALISED, i == 0 ? 1 : 0);
    updateTimeInfo(v0 + i, 0);
  }
}

export function eventsDomainStart(d: u32): void {
  const v0 = load<u32>(dom(d) + DOM_VCPU0);
  vcpuUp(v0);
  timerUpdate(v0);
}
