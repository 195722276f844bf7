// Running library guests on the real core for the event, timer and SMP suites.
import { Hypervisor, type Domain, type RunResult, type HypervisorOptions } from "../../host/index.ts";

export interface GuestSpec {
  elf: string;
  name?: string;
  cmdline?: string;
  vcpus?: number;
  /** Domain memory (default 8 MiB: these guests are small, and building is faster). */
  memoryMiB?: number;
}

export interface Outcome {
  hv: Hypervisor;
  doms: Domain[];
  results: RunResult[];
}

export function runGuests(specs: GuestSpec[], opts: HypervisorOptions = {}, maxSeconds = 60): Outcome {
  const hv = new Hypervisor({ memoryMiB: 64 + specs.reduce((n, s) => n + (s.memoryMiB ?? 8) + 1, 0), ...opts });
  const doms = specs.map((s) =>
    hv.createDomain({ kernel: `build/guests/${s.elf}.elf`, name: s.name, cmdline: s.cmdline, vcpus: s.vcpus, memoryMiB: s.memoryMiB ?? 8 }),
  );
  const res = hv.run({ maxSeconds });
  return { hv, doms, results: doms.map((d) => res.get(d)!) };
}

/** The guest powered off; otherwise fail with its console. */
export function assertPoweredOff(d: Domain, r: RunResult): void {
  if (r.kind !== "shutdown" || r.reason !== "poweroff") {
    throw new Error(`${d.name}: ${JSON.stringify(r)}\n--- console ---\n${d.console}`);
  }
}
