// What one timed run of cpubench on one engine reports to host/bench/cpu.ts (as one JSON line
// on stdout, from a fresh child process), and the steady-rate figure computed from its samples.

export interface RunReport {
  /** The checksum the workload printed (8 hex digits). */
  checksum: string;
  /** Instructions the engine retired over the whole run (its own counter). */
  instructions: number;
  /** Wall time from starting the guest CPU to its end, seconds. */
  seconds: number;
  /** CPU time the process used meanwhile (user + system, all threads), seconds. */
  cpuSeconds: number;
  /** [seconds since start, instructions retired so far], taken while it ran. */
  samples: Array<[number, number]>;
}

/** Marks the report line among anything else a child prints. */
export const REPORT_PREFIX = "cpubench-report ";

/** CPU time this process has used so far (user + system, every thread), seconds. */
export function cpuTime(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export function printReport(r: RunReport): void {
  process.stdout.write(REPORT_PREFIX + JSON.stringify(r) + "\n");
}

/** The "cpubench: checksum xxxxxxxx" line of a console or serial log, or undefined. */
export function checksumIn(text: string): string | undefined {
  return /cpubench: checksum ([0-9a-f]{8})/.exec(text)?.[1];
}

/**
 * The highest rate (instructions per second) over any window of at least `window` seconds
 * between two samples: the engine's speed once warmed up (V8 tier-up, a JIT's compiles),
 * which the whole-run average hides on short runs.
 */
export function peakRate(samples: Array<[number, number]>, window = 1): number {
  let best = 0;
  for (let i = 0; i < samples.length; i++) {
    const [ti, ni] = samples[i]!;
    for (let j = i + 1; j < samples.length; j++) {
      const [tj, nj] = samples[j]!;
      if (tj - ti >= window) {
        best = Math.max(best, (nj - ni) / (tj - ti));
        break;
      }
    }
  }
  if (best === 0 && samples.length >= 2) {
    // Shorter than one window: the whole run is the only window.
    const [t0, n0] = samples[0]!;
    const [t1, n1] = samples[samples.length - 1]!;
    if (t1 > t0) best = (n1 - n0) / (t1 - t0);
  }
  return best;
}

/**
 * Size of the untimed run each child makes before its timed one, so that V8 has compiled and
 * tiered up the engine's wasm (the first calls run in Liftoff).
 */
export function warmupIterations(iterations: number): number {
  return Math.max(1, Math.round(iterations / 20));
}
