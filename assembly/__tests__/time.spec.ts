// Virtual time: Xen's TSC scale, ns <-> cycles, and the timer heap's order.
import { configureClock, cyclesToNs, nsToCycles, tscMul, tscShift } from "../time/clock";
import { timerUpdate, nextDeadline, nextTimerVcpu, timersReset } from "../time/timers";
import { vcpuCtl, VC_STATE, VS_RUNNABLE, VC_SSHOT_AT, VC_PCPU, VC_HEAP_POS, VC_TIMER_KEY } from "../domain/domain";

describe("TSC scale (set_time_scale)", () => {
  it("2 GHz is exactly half a nanosecond per cycle", () => {
    configureClock(1, 2000000);
    expect(tscMul).toBe(0x80000000);
    expect(tscShift).toBe(0);
    expect(cyclesToNs(2000000000)).toBe(1000000000);
  });
  it("1 MHz shifts left and 3.5 GHz keeps within a nanosecond", () => {
    configureClock(1, 1000);
    expect(tscShift).toBe(10);
    expect(cyclesToNs(1000)).toBe(1000000);
    configureClock(1, 3500000);
    const ns = cyclesToNs(3500000000);
    expect(ns >= 999999999 && ns <= 1000000000).toBe(true);
  });
  it("nsToCycles gives the first cycle at or after a time, at any frequency", () => {
    const khz: u64[] = [1000, 1999999, 2000000, 3500000, 100000000];
    for (let i = 0; i < khz.length; i++) {
      configureClock(1, khz[i]);
      const times: u64[] = [0, 1, 999, 1000000, 10000000, 123456789012];
      for (let j = 0; j < times.length; j++) {
        const c = nsToCycles(times[j]);
        expect(cyclesToNs(c) >= times[j]).toBe(true);
        if (c > 0) expect(cyclesToNs(c - 1) < times[j]).toBe(true);
      }
    }
    configureClock(1, 2000000);
  });
});

describe("timer heap", () => {
  it("yields vCPUs by deadline, ties by index, and follows updates and removals", () => {
    timersReset();
    const deadlines: u64[] = [500, 100, 900, 100, 300, 0, 700];
    for (let v: u32 = 0; v < <u32>deadlines.length; v++) {
      const c = vcpuCtl(v);
      store<u32>(c + VC_STATE, VS_RUNNABLE);
      store<u32>(c + VC_PCPU, 0);
      store<u32>(c + VC_HEAP_POS, 0);
      store<u64>(c + VC_TIMER_KEY, 0);
      store<u64>(c + VC_SSHOT_AT, deadlines[v]);
      timerUpdate(v);
    }
    expect(nextDeadline(0)).toBe(100);
    expect(nextTimerVcpu(0)).toBe(1);
    store<u64>(vcpuCtl(1) + VC_SSHOT_AT, 0);
    timerUpdate(1);
    expect(nextTimerVcpu(0)).toBe(3);
    store<u64>(vcpuCtl(3) + VC_SSHOT_AT, 1000);
    timerUpdate(3);
    expect(nextTimerVcpu(0)).toBe(4);
    expect(nextDeadline(0)).toBe(300);
    store<u64>(vcpuCtl(2) + VC_SSHOT_AT, 50);
    timerUpdate(2);
    expect(nextTimerVcpu(0)).toBe(2);
    expect(nextDeadline(0)).toBe(50);
  });
});
