// vm_assist(cmd, type) (xen/common/domain.c do_vm_assist): per-domain switches that change how
// the hypervisor treats the guest. The bits live in the domain's DOM_VM_ASSIST word; the parts
// of the hypervisor they affect read them there (writable_pagetables: mm/ptwr.ts).
import { EINVAL, ENOSYS } from "../abi/xen";
import { curDom, dom, DOM_VM_ASSIST } from "../domain/domain";

export const VMASST_CMD_enable: u32 = 0;
export const VMASST_CMD_disable: u32 = 1;

export const VMASST_TYPE_4gb_segments: u32 = 0;
export const VMASST_TYPE_4gb_segments_notify: u32 = 1;
export const VMASST_TYPE_writable_pagetables: u32 = 2;
export const VMASST_TYPE_pae_extended_cr3: u32 = 3;
export const VMASST_TYPE_architectural_iopl: u32 = 4;
export const VMASST_TYPE_runstate_update_flag: u32 = 5;
export const VMASST_TYPE_m2p_strict: u32 = 32;

// The types a 64-bit PV domain may switch (NATIVE_VM_ASSIST_VALID).
const VALID: u64 = (<u64>1 << VMASST_TYPE_4gb_segments) | (<u64>1 << VMASST_TYPE_4gb_segments_notify) |
  (<u64>1 << VMASST_TYPE_writable_pagetables) | (<u64>1 << VMASST_TYPE_pae_extended_cr3) |
  (<u64>1 << VMASST_TYPE_architectural_iopl) | (<u64>1 << VMASST_TYPE_runstate_update_flag) |
  (<u64>1 << VMASST_TYPE_m2p_strict);

@inline export function vmAssist(d: u32, type: u32): bool {
  return (load<u64>(dom(d) + DOM_VM_ASSIST) & (<u64>1 << type)) != 0;
}

// The running domain asked for the M2P to be invisible in user mode (cpu/mem.ts walk).
export function m2pHiddenFromUser(): bool {
  return vmAssist(curDom, VMASST_TYPE_m2p_strict);
}

export function do_vm_assist(cmd: u64, type: u64): i64 {
  const c = <u32>cmd;
  const t = <u32>type;
  if (t >= 64 || (VALID & (<u64>1 << t)) == 0) return -EINVAL;
  const p = dom(curDom) + DOM_VM_ASSIST;
  if (c == VMASST_CMD_enable) {
    store<u64>(p, load<u64>(p) | (<u64>1 << t));
    return 0;
  }
  if (c == VMASST_CMD_disable) {
    store<u64>(p, load<u64>(p) & ~(<u64>1 << t));
    return 0;
  }
  return -ENOSYS;
}
