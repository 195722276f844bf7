// x87 floating point. Unimplemented forms raise #UD.
import { raise, EXC_UD } from "./mem";

export function execX87(op: u32): void {
  raise(EXC_UD, -1);
}

export function execX87Emms(): void {
  raise(EXC_UD, -1);
}
