// console_io: Xen's emergency console. Output goes to a per-domain buffer the host drains;
// a write larger than the free space is continued after the host has drained it.
import { CONSOLE_BUF, CONSOLE_BUF_SIZE } from "../layout";
import { CONSOLEIO_write, CONSOLEIO_read, EFAULT, ENOSYS } from "../abi/xen";
import { copyFromGuest } from "../mm/guest";
import { curDom } from "../domain/domain";
import { createContinuation, setArg2, setArg3 } from "./args";
import { requestExit, EXIT_CONSOLE } from "../sched/run";

// Buffer layout per domain: u32 length, then the bytes.
const HDR: u32 = 4;

export function consoleBuf(d: u32): u32 {
  return CONSOLE_BUF + d * CONSOLE_BUF_SIZE;
}

export function do_console_io(cmd: u64, count: u64, buffer: u64): i64 {
  switch (<i32>cmd) {
    case CONSOLEIO_write: {
      const n = <u32>count;
      if (n == 0) return 0;
      const b = consoleBuf(curDom);
      const used = load<u32>(b);
      const space = CONSOLE_BUF_SIZE - HDR - used;
      const take = min<u32>(n, space);
      if (take > 0) {
        if (!copyFromGuest(b + HDR + used, buffer, take)) return -EFAULT;
        store<u32>(b, used + take);
      }
      if (take < n) {
        // The rest after the host has emptied the buffer (Xen continues long writes too).
        setArg2(<u64>(n - take));
        setArg3(buffer + <u64>take);
        createContinuation();
        requestExit(EXIT_CONSOLE);
      } else if (used + take > (CONSOLE_BUF_SIZE >> 1)) requestExit(EXIT_CONSOLE);
      return 0;
    }
    case CONSOLEIO_read:
      // No serial input is routed to domUs: nothing to read.
      return 0;
    default:
      return -ENOSYS;
  }
}
