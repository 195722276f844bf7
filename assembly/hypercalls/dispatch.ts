// Hypercall dispatch: one entry per hypercall number, one file per family.
import { REGS } from "../layout";
import {
  __HYPERVISOR_set_trap_table, __HYPERVISOR_stack_switch, __HYPERVISOR_set_callbacks,
  __HYPERVISOR_fpu_taskswitch, __HYPERVISOR_sched_op_compat, __HYPERVISOR_xen_version,
  __HYPERVISOR_console_io, __HYPERVISOR_iret, __HYPERVISOR_set_segment_base, __HYPERVISOR_sched_op,
  __HYPERVISOR_callback_op, ENOSYS,
} from "../abi/xen";
import { arg1, arg2, arg3, noResult, setNoResult, clearContinuation, continuation } from "./args";
import { do_console_io } from "./console_io";
import { do_sched_op, do_sched_op_compat } from "./sched_op";
import { do_xen_version } from "./xen_version";
import {
  do_set_trap_table, do_stack_switch, do_set_callbacks, do_callback_op, do_fpu_taskswitch,
  do_set_segment_base, do_iret,
} from "./callbacks";

export let hypercallCount: u64 = 0;

export function hypercall(): void {
  const nr = load<u64>(REGS);
  hypercallCount++;
  setNoResult(false);
  clearContinuation();
  let ret: i64;
  if (nr > 63) ret = -ENOSYS;
  else {
    switch (<i32>nr) {
      case __HYPERVISOR_set_trap_table: ret = do_set_trap_table(arg1()); break;
      case __HYPERVISOR_stack_switch: ret = do_stack_switch(arg1(), arg2()); break;
      case __HYPERVISOR_set_callbacks: ret = do_set_callbacks(arg1(), arg2(), arg3()); break;
      case __HYPERVISOR_fpu_taskswitch: ret = do_fpu_taskswitch(arg1()); break;
      case __HYPERVISOR_sched_op_compat: ret = do_sched_op_compat(arg1(), arg2()); break;
      case __HYPERVISOR_xen_version: ret = do_xen_version(arg1(), arg2()); break;
      case __HYPERVISOR_console_io: ret = do_console_io(arg1(), arg2(), arg3()); break;
      case __HYPERVISOR_iret: ret = do_iret(); break;
      case __HYPERVISOR_set_segment_base: ret = do_set_segment_base(arg1(), arg2()); break;
      case __HYPERVISOR_sched_op: ret = do_sched_op(arg1(), arg2()); break;
      case __HYPERVISOR_callback_op: ret = do_callback_op(arg1(), arg2()); break;
      default: ret = -ENOSYS; break;
    }
  }
  if (!noResult && !continuation) store<i64>(REGS, ret);
}
