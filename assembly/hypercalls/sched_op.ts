// sched_op: yield, block, shutdown (public/sched.h).
import {
  SCHEDOP_yield, SCHEDOP_block, SCHEDOP_shutdown, SCHEDOP_shutdown_code,
  SHUTDOWN_soft_reset, EFAULT, EINVAL, ENOSYS,
} from "../abi/xen";
import { getGuestU32, guestOk } from "../mm/guest";
import { curDom, dom, domainShutdown, DOM_SHUTDOWN_CODE, vc, VC_STATE, VS_BLOCKED } from "../domain/domain";
import { requestExit, EXIT_SHUTDOWN, EXIT_IDLE } from "../sched/run";
import { vcpuInfo } from "../domain/traps";
import { VI_evtchn_upcall_mask, VI_evtchn_upcall_pending } from "../abi/structs";

function shutdown(reason: u32): i64 {
  if (reason > <u32>SHUTDOWN_soft_reset) return -EINVAL;
  domainShutdown(curDom, reason);
  requestExit(EXIT_SHUTDOWN);
  return 0;
}

function block(): i64 {
  const vi = vcpuInfo();
  if (vi != 0) {
    store<u8>(vi + VI_evtchn_upcall_mask, 0);
    if (load<u8>(vi + VI_evtchn_upcall_pending) != 0) return 0;
  }
  store<u32>(vc() + VC_STATE, VS_BLOCKED);
  requestExit(EXIT_IDLE);
  return 0;
}

export function do_sched_op(cmd: u64, arg: u64): i64 {
  switch (<i32>cmd) {
    case SCHEDOP_yield:
      return 0;
    case SCHEDOP_block:
      return block();
    case SCHEDOP_shutdown: {
      const reason = getGuestU32(arg);
      if (!guestOk) return -EFAULT;
      return shutdown(reason);
    }
    case SCHEDOP_shutdown_code: {
      const reason = getGuestU32(arg);
      if (!guestOk) return -EFAULT;
      if (reason > <u32>SHUTDOWN_soft_reset) return -EINVAL;
      store<u32>(dom(curDom) + DOM_SHUTDOWN_CODE, reason);
      return 0;
    }
    default:
      return -ENOSYS;
  }
}

// The pre-3.0.2 form: the argument is passed by value.
export function do_sched_op_compat(cmd: u64, arg: u64): i64 {
  switch (<i32>cmd) {
    case SCHEDOP_yield:
      return 0;
    case SCHEDOP_block:
      return block();
    case SCHEDOP_shutdown:
      return shutdown(<u32>arg);
    default:
      return -ENOSYS;
  }
}
