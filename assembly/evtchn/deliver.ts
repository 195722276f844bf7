// Event upcalls: on every return to the guest, if its vcpu_info says an upcall is pending and
// events are not masked, Xen bounces the vCPU into its event callback with the exception frame
// and masks events (x86_64/entry.S test_guest_events).
import { vc, curDom, VC_CB_EVENT, VC_VCPU_INFO, VC_CNT, VCNT_UPCALLS, VC_ID } from "../domain/domain";
import { VI_evtchn_upcall_pending, VI_evtchn_upcall_mask } from "../abi/structs";
import { bounce, crashDomain } from "../domain/traps";
import { charge, COST_BOUNCE, nowCycles } from "../time/clock";
import { trace, TR_DELIVER } from "../trace/trace";
import { curPcpu } from "../sched/pcpu";

export function deliverEvents(): void {
  const c = vc();
  const vi = load<u32>(c + VC_VCPU_INFO);
  if (vi == 0) return;
  if (load<u8>(vi + VI_evtchn_upcall_pending) == 0 || load<u8>(vi + VI_evtchn_upcall_mask) != 0) return;
  const cb = load<u64>(c + VC_CB_EVENT);
  if (cb == 0) return;
  if (!bounce(cb, true, -1)) {
    crashDomain("could not write the event upcall frame, callback", cb);
    return;
  }
  charge(COST_BOUNCE);
  const a = c + VC_CNT + VCNT_UPCALLS * 8;
  store<u64>(a, load<u64>(a) + 1);
  trace(TR_DELIVER, nowCycles(), curPcpu, curDom, load<u32>(c + VC_ID), 0, 0);
}
