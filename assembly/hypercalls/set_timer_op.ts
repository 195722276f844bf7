// set_timer_op(abs_ns) (xen/common/sched/core.c do_set_timer_op): the vCPU's single-shot timer.
// 0 stops it; a deadline more than 2^50 ns ahead is taken as a guest's wrapped "no timer" and
// fires in 100 ms instead; a deadline in the past fires at once. Expiry raises VIRQ_TIMER.
import { curVcpu, vc, VC_SSHOT_AT } from "../domain/domain";
import { nowCycles, nowNs, nsToCycles } from "../time/clock";
import { timerUpdate } from "../time/timers";

export function do_set_timer_op(timeout: u64): i64 {
  const c = vc();
  if (timeout == 0) {
    store<u64>(c + VC_SSHOT_AT, 0);
  } else {
    const now = nowNs();
    const offset = <i64>(timeout - now);
    let t = timeout;
    if (offset > 0 && <u32>(offset >> 50) != 0) t = now + 100000000;
    store<u64>(c + VC_SSHOT_AT, max<u64>(nsToCycles(t), max<u64>(nowCycles(), 1)));
  }
  timerUpdate(curVcpu);
  return 0;
}
