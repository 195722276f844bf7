// Hypercall dispatch: one entry per hypercall number, one file per family.
import { REGS } from "../layout";
import {
  __HYPERVISOR_set_trap_table, __HYPERVISOR_stack_switch, __HYPERVISOR_set_callbacks,
  __HYPERVISOR_fpu_taskswitch, __HYPERVISOR_sched_op_compat, __HYPERVISOR_xen_version,
  __HYPERVISOR_console_io, __HYPERVISOR_iret, __HYPERVISOR_set_segment_base, __HYPERVISOR_sched_op,
  __HYPERVISOR_callback_op, ENOSYS,
  __HYPERVISOR_mmu_update, __HYPERVISOR_mmuext_op, __HYPERVISOR_update_va_mapping,
  __HYPERVISOR_update_va_mapping_otherdomain, __HYPERVISOR_multicall, __HYPERVISOR_vm_assist,
} from "../abi/xen";
import { arg1, arg2, arg3, arg4, noResult, setNoResult, clearContinuation, continuation } from "./args";
import { do_console_io } from "./console_io";
import { do_sched_op, do_sched_op_compat } from "./sched_op";
import { do_xen_version } from "./xen_version";
import {
  do_set_trap_table, do_stack_switch, do_set_callbacks, do_callback_op, do_fpu_taskswitch,
  do_set_segment_base, do_iret,
} from "./callbacks";
import { do_mmu_update } from "./mmu_update";
import { do_mmuext_op } from "./mmuext_op";
import { do_update_va_mapping, do_update_va_mapping_otherdomain } from "./update_va_mapping";
import { do_multicall } from "./multicall";
import { do_vm_assist } from "./vm_assist";
import { do_event_channel_op, do_event_channel_op_compat } from "./event_channel_op";
import { do_vcpu_op } from "./vcpu_op";
import { do_set_timer_op } from "./set_timer_op";
import { do_memory_op } from "./memory_op";
import { do_set_gdt, do_update_descriptor } from "./descriptor";
import { hypercallDone } from "../sched/accounting";
import { do_grant_table_op } from "./grant_table_op";

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
      case __HYPERVISOR_mmu_update: ret = do_mmu_update(arg1(), arg2(), arg3(), arg4()); break;
      case __HYPERVISOR_mmuext_op: ret = do_mmuext_op(arg1(), arg2(), arg3(), arg4()); break;
      case __HYPERVISOR_update_va_mapping: ret = do_update_va_mapping(arg1(), arg2(), arg3()); break;
      case __HYPERVISOR_update_va_mapping_otherdomain:
        ret = do_update_va_mapping_otherdomain(arg1(), arg2(), arg3(), arg4());
        break;
      case __HYPERVISOR_multicall: ret = do_multicall(arg1(), arg2()); break;
      case __HYPERVISOR_vm_assist: ret = do_vm_assist(arg1(), arg2()); break;
      case 15: ret = do_set_timer_op(arg1()); break; // __HYPERVISOR_set_timer_op
      case 16: ret = do_event_channel_op_compat(arg1()); break; // __HYPERVISOR_event_channel_op_compat
      case 24: ret = do_vcpu_op(arg1(), arg2(), arg3()); break; // __HYPERVISOR_vcpu_op
      case 32: ret = do_event_channel_op(arg1(), arg2()); break; // __HYPERVISOR_event_channel_op
      case 2: ret = do_set_gdt(arg1(), arg2()); break; // __HYPERVISOR_set_gdt
      case 10: ret = do_update_descriptor(arg1(), arg2()); break; // __HYPERVISOR_update_descriptor
      case 12: ret = do_memory_op(arg1(), arg2()); break; // __HYPERVISOR_memory_op
      case 20: ret = do_grant_table_op(arg1(), arg2(), arg3()); break; // __HYPERVISOR_grant_table_op
      default: ret = -ENOSYS; break;
    }
  }
  if (!noResult && !continuation) store<i64>(REGS, ret);
  hypercallDone(nr);
}
