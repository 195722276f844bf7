// sched_op (public/sched.h; xen/common/sched/core.c): yield, block, poll, shutdown and its code,
// remote_shutdown, watchdog, pin_override; and the pre-3.0.2 sched_op_compat.
import {
  SCHEDOP_yield, SCHEDOP_block, SCHEDOP_shutdown, SCHEDOP_shutdown_code, SCHEDOP_poll,
  SCHEDOP_remote_shutdown, SCHEDOP_watchdog, SCHEDOP_pin_override,
  SHUTDOWN_soft_reset, EFAULT, EINVAL, ENOSYS, EPERM, ESRCH, ENOSPC,
} from "../abi/xen";
import { getGuestU32, guestOk, copyFromGuest } from "../mm/guest";
import {
  curDom, curVcpu, dom, domainShutdown, domValid, DOM_SHUTDOWN_CODE, DOM_PRIVILEGED, DOM_WATCHDOG, DOM_VCPU0, vc,
  VC_POLLING, VC_POLL_EVTCHN, VC_POLL_AT, VC_CNT, VCNT_YIELDS, VC_VCPU_INFO, VC_ID,
} from "../domain/domain";
import { requestExit, EXIT_SHUTDOWN, EXIT_BLOCKED, EXIT_YIELD } from "../sched/run";
import { VI_evtchn_upcall_mask, VI_evtchn_upcall_pending } from "../abi/structs";
import { vcpuBlock } from "../sched/vcpu_state";
import { isPending, EVTCHN_2L_NR } from "../evtchn/ports";
import { nowCycles, nsToCycles } from "../time/clock";
import { timerUpdate, NR_WATCHDOGS, WD_INUSE } from "../time/timers";
import { HV_SCRATCH } from "../layout";
import { trace, TR_POLL } from "../trace/trace";
import { curPcpu } from "../sched/pcpu";

function shutdown(reason: u32): i64 {
  if (reason > <u32>SHUTDOWN_soft_reset) return -EINVAL;
  domainShutdown(curDom, reason);
  requestExit(EXIT_SHUTDOWN);
  return 0;
}

// Events pending for this vCPU and not masked: the guest must see them, not sleep.
function eventsNeedDelivery(): bool {
  const vi = load<u32>(vc() + VC_VCPU_INFO);
  return vi != 0 && load<u8>(vi + VI_evtchn_upcall_pending) != 0 && load<u8>(vi + VI_evtchn_upcall_mask) == 0;
}

// vcpu_block_enable_events: unmask, then sleep unless something is already pending (the race
// Xen closes by checking after unmasking).
function block(): i64 {
  const vi = load<u32>(vc() + VC_VCPU_INFO);
  if (vi != 0) store<u8>(vi + VI_evtchn_upcall_mask, 0);
  if (eventsNeedDelivery()) return 0;
  vcpuBlock(curVcpu);
  requestExit(EXIT_BLOCKED);
  return 0;
}

function yieldNow(): i64 {
  const a = vc() + VC_CNT + VCNT_YIELDS * 8;
  store<u64>(a, load<u64>(a) + 1);
  requestExit(EXIT_YIELD);
  return 0;
}

// do_poll: sleep until one of the ports is pending or the timeout (absolute ns) passes. Works
// with upcalls masked.
function poll(arg: u64): i64 {
  if (!copyFromGuest(HV_SCRATCH, arg, 24)) return -EFAULT;
  const ports = load<u64>(HV_SCRATCH);
  const nr = load<u32>(HV_SCRATCH + 8);
  const timeout = load<u64>(HV_SCRATCH + 16);
  if (nr > 128) return -EINVAL;
  if (eventsNeedDelivery()) return 0;
  let one: u32 = 0;
  for (let i: u32 = 0; i < nr; i++) {
    const port = getGuestU32(ports + <u64>i * 4);
    if (!guestOk) return -EFAULT;
    if (port >= EVTCHN_2L_NR) return -EINVAL;
    if (isPending(curDom, port)) return 0;
    one = port;
  }
  const c = vc();
  store<u32>(c + VC_POLLING, 1);
  store<i32>(c + VC_POLL_EVTCHN, nr == 1 ? <i32>one : 0);
  if (timeout != 0) {
    const at = nsToCycles(timeout);
    store<u64>(c + VC_POLL_AT, at > nowCycles() ? at : max<u64>(nowCycles(), 1));
    timerUpdate(curVcpu);
  }
  trace(TR_POLL, nowCycles(), curPcpu, curDom, load<u32>(vc() + VC_ID), <u64>nr, timeout);
  vcpuBlock(curVcpu);
  requestExit(EXIT_BLOCKED);
  return 0;
}

// domain_watchdog: id 0 allocates (returns 1..2), timeout 0 stops.
function watchdog(id: u32, timeoutSec: u32): i64 {
  if (id > NR_WATCHDOGS) return -EINVAL;
  const d = dom(curDom);
  const deadline = nowCycles() + nsToCycles(<u64>timeoutSec * 1000000000);
  let inuse = load<u32>(d + WD_INUSE);
  let rc: i64 = 0;
  if (id == 0) {
    let i: u32 = 0;
    for (; i < NR_WATCHDOGS; i++) if ((inuse & (1 << i)) == 0) break;
    if (i == NR_WATCHDOGS) return -ENOSPC;
    inuse |= 1 << i;
    store<u64>(d + DOM_WATCHDOG + i * 8, deadline);
    rc = <i64>(i + 1);
  } else {
    const i = id - 1;
    if ((inuse & (1 << i)) == 0) return -EINVAL;
    if (timeoutSec == 0) inuse &= ~(1 << i);
    else store<u64>(d + DOM_WATCHDOG + i * 8, deadline);
  }
  store<u32>(d + WD_INUSE, inuse);
  timerUpdate(load<u32>(d + DOM_VCPU0)); // vCPU 0 carries the domain's watchdogs
  return rc;
}

export function do_sched_op(cmd: u64, arg: u64): i64 {
  switch (<i32>cmd) {
    case SCHEDOP_yield:
      return yieldNow();
    case SCHEDOP_block:
      return block();
    case SCHEDOP_shutdown: {
      const reason = getGuestU32(arg);
      if (!guestOk) return -EFAULT;
      return shutdown(reason);
    }
    case SCHEDOP_poll:
      return poll(arg);
    case SCHEDOP_shutdown_code: {
      const reason = getGuestU32(arg);
      if (!guestOk) return -EFAULT;
      if (reason > <u32>SHUTDOWN_soft_reset) return -EINVAL;
      store<u32>(dom(curDom) + DOM_SHUTDOWN_CODE, reason);
      return 0;
    }
    case SCHEDOP_remote_shutdown: {
      if (!copyFromGuest(HV_SCRATCH, arg, 8)) return -EFAULT;
      const target = <u32>load<u16>(HV_SCRATCH);
      const reason = load<u32>(HV_SCRATCH + 4);
      if (target >= 0x7ff0 || !domValid(target)) return -ESRCH;
      if (load<u32>(dom(curDom) + DOM_PRIVILEGED) == 0) return -EPERM;
      if (reason > <u32>SHUTDOWN_soft_reset) return -EINVAL;
      domainShutdown(target, reason);
      requestExit(EXIT_SHUTDOWN);
      return 0;
    }
    case SCHEDOP_watchdog: {
      if (!copyFromGuest(HV_SCRATCH, arg, 8)) return -EFAULT;
      return watchdog(load<u32>(HV_SCRATCH), load<u32>(HV_SCRATCH + 4));
    }
    case SCHEDOP_pin_override:
      // Only the hardware domain may pin itself.
      if (!copyFromGuest(HV_SCRATCH, arg, 4)) return -EFAULT;
      return -EPERM;
    default:
      return -ENOSYS;
  }
}

// The pre-3.0.2 form: the argument is passed by value.
export function do_sched_op_compat(cmd: u64, arg: u64): i64 {
  switch (<i32>cmd) {
    case SCHEDOP_yield:
      return yieldNow();
    case SCHEDOP_block:
      return block();
    case SCHEDOP_shutdown:
      return shutdown(<u32>arg);
    default:
      return -ENOSYS;
  }
}
