// What every hypercall costs and leaves behind: its modelled cycles, a trace record, the
// per-vCPU count, and an event check on the way back to the guest (Xen's test_guest_events).
import { vc, curDom, VC_CNT, VCNT_HYPERCALLS, VC_ID } from "../domain/domain";
import { charge, COST_HYPERCALL, nowCycles } from "../time/clock";
import { trace, TR_HYPERCALL } from "../trace/trace";
import { requestEventCheck } from "./run";
import { curPcpu } from "./pcpu";
import { REGS } from "../layout";

export function hypercallDone(nr: u64): void {
  charge(COST_HYPERCALL);
  const a = vc() + VC_CNT + VCNT_HYPERCALLS * 8;
  store<u64>(a, load<u64>(a) + 1);
  trace(TR_HYPERCALL, nowCycles(), curPcpu, curDom, load<u32>(vc() + VC_ID), nr, load<u64>(REGS));
  requestEventCheck();
}
