// event_channel_op (hypercall 32) and its pre-3.0.2 form event_channel_op_compat (16), after
// xen/common/event_channel.c: argument structs are copied in, checked, and copied back out.
import { HV_SCRATCH } from "../layout";
import { EFAULT, EINVAL, ENOENT, EEXIST, ESRCH, EPERM, ENOSYS, DOMID_SELF } from "../abi/xen";
import { copyFromGuest, copyToGuest } from "../mm/guest";
import { curDom, vcpuCtl, dom, DOM_PRIVILEGED, VC_VIRQ, VC_CNT, VCNT_SENDS, curVcpu, VC_ID } from "../domain/domain";
import {
  portRec, portValid, getFreePort, domExists, setPending, closePort, closeAll, sendPort, unmaskPort,
  globalVcpu, vcpuIdValid, virqIsGlobal, NR_VIRQS, P_STATE, P_NOTIFY, P_VIRQ, P_REMOTE_DOM, P_REMOTE_PORT,
  ECS_FREE, ECS_RESERVED, ECS_UNBOUND, ECS_INTERDOMAIN, ECS_PIRQ, ECS_VIRQ, ECS_IPI, HOST_DOMID, VIRQ_TIMER,
} from "../evtchn/ports";
import { charge, COST_EVENT_SEND, nowCycles, nowNs } from "../time/clock";
import { periodicRebase, timerUpdate } from "../time/timers";
import { trace, TR_SEND } from "../trace/trace";
import { curPcpu } from "../sched/pcpu";

export const EVTCHNOP_bind_interdomain: u32 = 0;
export const EVTCHNOP_bind_virq: u32 = 1;
export const EVTCHNOP_bind_pirq: u32 = 2;
export const EVTCHNOP_close: u32 = 3;
export const EVTCHNOP_send: u32 = 4;
export const EVTCHNOP_status: u32 = 5;
export const EVTCHNOP_alloc_unbound: u32 = 6;
export const EVTCHNOP_bind_ipi: u32 = 7;
export const EVTCHNOP_bind_vcpu: u32 = 8;
export const EVTCHNOP_unmask: u32 = 9;
export const EVTCHNOP_reset: u32 = 10;
export const EVTCHNOP_init_control: u32 = 11;
export const EVTCHNOP_expand_array: u32 = 12;
export const EVTCHNOP_set_priority: u32 = 13;

const A: u32 = HV_SCRATCH; // the argument struct, copied in

// rcu_lock_domain_by_any_id + the default XSM_TARGET check: oneself, or a privileged caller.
// Returns the domid, or a negative errno.
function targetDomain(domid: u32): i64 {
  const d = domid == DOMID_SELF ? curDom : domid;
  if (d >= 0x7ff0 || !domExists(d)) return -ESRCH;
  if (d != curDom && load<u32>(dom(curDom) + DOM_PRIVILEGED) == 0) return -EPERM;
  return <i64>d;
}

// ---- the operations on the current domain (also used by the host as dom0) ----

export function allocUnbound(ld: u32, d: u32, remote: u32): i64 {
  const port = getFreePort(d);
  if (port < 0) return <i64>port;
  const r = portRec(d, <u32>port);
  store<u8>(r + P_STATE, ECS_UNBOUND);
  store<u16>(r + P_REMOTE_DOM, <u16>(remote == DOMID_SELF ? ld : remote));
  store<u8>(r + P_NOTIFY, 0);
  return <i64>port;
}

export function bindInterdomain(ld: u32, rdomid: u32, rport: u32): i64 {
  const rd = rdomid == DOMID_SELF ? ld : rdomid;
  if (rd >= 0x7ff0 || !domExists(rd)) return -ESRCH;
  const lport = getFreePort(ld);
  if (lport < 0) return <i64>lport;
  if (!portValid(rd, rport)) return -EINVAL;
  const rr = portRec(rd, rport);
  if (load<u8>(rr + P_STATE) != ECS_UNBOUND || <u32>load<u16>(rr + P_REMOTE_DOM) != ld) return -EINVAL;
  const lr = portRec(ld, <u32>lport);
  store<u8>(lr + P_STATE, ECS_INTERDOMAIN);
  store<u16>(lr + P_REMOTE_DOM, <u16>rd);
  store<u16>(lr + P_REMOTE_PORT, <u16>rport);
  store<u8>(rr + P_STATE, ECS_INTERDOMAIN);
  store<u16>(rr + P_REMOTE_DOM, <u16>ld);
  store<u16>(rr + P_REMOTE_PORT, <u16>lport);
  // Notifications sent to the unbound port were dropped: raise the new port once.
  setPending(ld, <u32>load<u8>(lr + P_NOTIFY), <u32>lport);
  return <i64>lport;
}

function bindVirq(virq: u32, vcpu: u32): i64 {
  if (virq >= NR_VIRQS) return -EINVAL;
  if (virqIsGlobal(virq) && vcpu != 0) return -EINVAL;
  if (!vcpuIdValid(curDom, vcpu)) return -ENOENT;
  const slot = vcpuCtl(globalVcpu(curDom, vcpu)) + VC_VIRQ + virq * 2;
  if (load<u16>(slot) != 0) return -EEXIST;
  const port = getFreePort(curDom);
  if (port < 0) return <i64>port;
  const r = portRec(curDom, <u32>port);
  store<u8>(r + P_STATE, ECS_VIRQ);
  store<u8>(r + P_NOTIFY, <u8>vcpu);
  store<u8>(r + P_VIRQ, <u8>virq);
  store<u16>(slot, <u16>port);
  if (virq == VIRQ_TIMER) periodicRebase(globalVcpu(curDom, vcpu), nowNs());
  return <i64>port;
}

function bindIpi(vcpu: u32): i64 {
  if (!vcpuIdValid(curDom, vcpu)) return -ENOENT;
  const port = getFreePort(curDom);
  if (port < 0) return <i64>port;
  const r = portRec(curDom, <u32>port);
  store<u8>(r + P_STATE, ECS_IPI);
  store<u8>(r + P_NOTIFY, <u8>vcpu);
  return <i64>port;
}

function bindVcpu(port: u32, vcpu: u32): i64 {
  if (!vcpuIdValid(curDom, vcpu)) return -ENOENT;
  if (!portValid(curDom, port)) return -EINVAL;
  const r = portRec(curDom, port);
  const st = load<u8>(r + P_STATE);
  if (st == ECS_VIRQ) {
    if (!virqIsGlobal(<u32>load<u8>(r + P_VIRQ))) return -EINVAL;
  } else if (st != ECS_UNBOUND && st != ECS_INTERDOMAIN && st != ECS_PIRQ) return -EINVAL;
  store<u8>(r + P_NOTIFY, <u8>vcpu);
  return 0;
}

export function send(d: u32, port: u32): i64 {
  charge(COST_EVENT_SEND);
  const rc = sendPort(d, port);
  if (rc == 0 && d != HOST_DOMID) {
    const a = vcpuCtl(curVcpu) + VC_CNT + VCNT_SENDS * 8;
    store<u64>(a, load<u64>(a) + 1);
  }
  const r = portRec(d, portValid(d, port) ? port : 0);
  trace(TR_SEND, nowCycles(), curPcpu, d, d == HOST_DOMID ? 0xffff : load<u32>(vcpuCtl(curVcpu) + VC_ID), <u64>port,
    (<u64>load<u16>(r + P_REMOTE_DOM) << 16) | <u64>load<u16>(r + P_REMOTE_PORT));
  return rc;
}

// evtchn_status into A (dom @0, port @4, status @8, vcpu @12, union @16).
function status(): i64 {
  const t = targetDomain(<u32>load<u16>(A));
  if (t < 0) return t;
  const d = <u32>t;
  const port = load<u32>(A + 4);
  if (!portValid(d, port)) return -EINVAL;
  const r = portRec(d, port);
  const st = load<u8>(r + P_STATE);
  store<u64>(A + 16, 0);
  let s: u32 = 0;
  if (st == ECS_FREE || st == ECS_RESERVED) s = 0;
  else if (st == ECS_UNBOUND) {
    s = 1;
    store<u16>(A + 16, load<u16>(r + P_REMOTE_DOM));
  } else if (st == ECS_INTERDOMAIN) {
    s = 2;
    store<u16>(A + 16, load<u16>(r + P_REMOTE_DOM));
    store<u32>(A + 20, <u32>load<u16>(r + P_REMOTE_PORT));
  } else if (st == ECS_PIRQ) s = 3;
  else if (st == ECS_VIRQ) {
    s = 4;
    store<u32>(A + 16, <u32>load<u8>(r + P_VIRQ));
  } else if (st == ECS_IPI) s = 5;
  store<u32>(A + 8, s);
  store<u32>(A + 12, <u32>load<u8>(r + P_NOTIFY));
  return 0;
}

// Copy the argument struct in, run the operation, copy its OUT field back on success.
export function do_event_channel_op(cmd: u64, arg: u64): i64 {
  let len: u32 = 0;
  switch (<u32>cmd) {
    case EVTCHNOP_bind_interdomain: case EVTCHNOP_bind_virq: case EVTCHNOP_bind_pirq: len = 12; break;
    case EVTCHNOP_close: case EVTCHNOP_send: case EVTCHNOP_unmask: len = 4; break;
    case EVTCHNOP_status: len = 24; break;
    case EVTCHNOP_alloc_unbound: case EVTCHNOP_bind_ipi: case EVTCHNOP_bind_vcpu: len = 8; break;
    case EVTCHNOP_reset: len = 2; break;
    case EVTCHNOP_init_control: len = 24; break;
    case EVTCHNOP_expand_array: case EVTCHNOP_set_priority: len = 8; break;
    default: return -ENOSYS;
  }
  if (!copyFromGuest(A, arg, len)) return -EFAULT;
  let rc: i64 = 0;
  let out: u32 = 0; // offset of a u32 result to copy back (0: none; status copies all)
  switch (<u32>cmd) {
    case EVTCHNOP_alloc_unbound: {
      const t = targetDomain(<u32>load<u16>(A));
      if (t < 0) return t;
      rc = allocUnbound(curDom, <u32>t, <u32>load<u16>(A + 2));
      if (rc >= 0) { store<u32>(A + 4, <u32>rc); out = 4; rc = 0; }
      break;
    }
    case EVTCHNOP_bind_interdomain:
      rc = bindInterdomain(curDom, <u32>load<u16>(A), load<u32>(A + 4));
      if (rc >= 0) { store<u32>(A + 8, <u32>rc); out = 8; rc = 0; }
      break;
    case EVTCHNOP_bind_virq:
      rc = bindVirq(load<u32>(A), load<u32>(A + 4));
      if (rc >= 0) { store<u32>(A + 8, <u32>rc); out = 8; rc = 0; }
      break;
    case EVTCHNOP_bind_pirq:
      return -EPERM; // no physical IRQs are routed to guests
    case EVTCHNOP_bind_ipi:
      rc = bindIpi(load<u32>(A));
      if (rc >= 0) { store<u32>(A + 4, <u32>rc); out = 4; rc = 0; }
      break;
    case EVTCHNOP_bind_vcpu:
      return bindVcpu(load<u32>(A), load<u32>(A + 4));
    case EVTCHNOP_close:
      return closePort(curDom, load<u32>(A));
    case EVTCHNOP_send:
      return send(curDom, load<u32>(A));
    case EVTCHNOP_unmask: {
      const port = load<u32>(A);
      if (!portValid(curDom, port)) return -EINVAL;
      unmaskPort(curDom, port);
      return 0;
    }
    case EVTCHNOP_status:
      rc = status();
      if (rc == 0 && !copyToGuest(arg, A, 24)) return -EFAULT;
      return rc;
    case EVTCHNOP_reset: {
      const t = targetDomain(<u32>load<u16>(A));
      if (t < 0) return t;
      closeAll(<u32>t);
      return 0;
    }
    default:
      // The FIFO ABI is not offered: guests stay on the 2-level ABI.
      return -ENOSYS;
  }
  if (rc == 0 && out != 0 && !copyToGuest(arg + <u64>out, A + out, 4)) return -EFAULT;
  return rc;
}

// struct evtchn_op { u32 cmd; union u @4 }: the op works on the union in place.
export function do_event_channel_op_compat(arg: u64): i64 {
  if (!copyFromGuest(A, arg, 4)) return -EFAULT;
  const cmd = load<u32>(A);
  if (cmd > EVTCHNOP_unmask) return -ENOSYS;
  return do_event_channel_op(<u64>cmd, arg + 4);
}
