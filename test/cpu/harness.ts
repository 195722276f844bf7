// Runs generated cases on the host CPU (through the native runner, in batches) and on the
// emulator, and compares them. The native batch runs in its own process while the emulator
// works through the same batch here.
//
// The host CPU is not a perfectly repeatable oracle: the kernel sometimes touches a user
// state that a case left unusual (NT set by popf, a non-canonical RSP) when it preempts the
// runner, and reports something else. A case that differs is therefore run natively again, up
// to NATIVE_RERUNS times; it is a mismatch only if the emulator differs from every native run.
import { EmuCpu } from "./emu.ts";
import { NativeRunner } from "./native.ts";
import { generate, selectForms, type Case } from "./gen.ts";
import { compare, describe, fromEmu, fromNative } from "./compare.ts";
import { initialData, codePage, windows, DATA_SIZE, PAGE, CODE_VA, GS_BASE } from "./layout.ts";

export interface RunOptions {
  seed: number;
  cases: number;
  families: string[];
  /** Run only this case index. */
  only?: number;
  batch?: number;
  /** Called with the printed diagnostic of each mismatch. */
  onMismatch?: (text: string, c: Case) => void;
}

export interface RunSummary {
  cases: number;
  forms: number;
  mismatches: number;
  byForm: Map<string, number>;
  perForm: Map<string, number>;
  /** Cases whose first native result differed from a later native run that matched. */
  unstableNative: number;
  elapsedMs: number;
}

const BUDGET = 32;
const NATIVE_RERUNS = 2;

export function reproCommand(o: RunOptions, index: number): string {
  const fam = o.families.map((f) => ` --family ${f}`).join("");
  return `npm run test:cpu -- --seed ${o.seed} --case ${index}${fam}`;
}

export async function runCases(o: RunOptions): Promise<RunSummary> {
  const forms = selectForms(o.families);
  const t0 = performance.now();
  const emu = new EmuCpu();
  const code = new Uint8Array(PAGE);
  const data = new Uint8Array(DATA_SIZE);
  emu.map(windows(code, data));
  const native = new NativeRunner();
  const batch = o.batch ?? 1000;
  const arena = new Uint8Array(batch * DATA_SIZE); // the batch's initial data areas, reused
  const indices: number[] = o.only !== undefined ? [o.only] : Array.from({ length: o.cases }, (_, i) => i);
  const summary: RunSummary = { cases: 0, forms: 0, mismatches: 0, byForm: new Map(), perForm: new Map(), unstableNative: 0, elapsedMs: 0 };
  try {
    for (let at = 0; at < indices.length; at += batch) {
      const cases = indices.slice(at, at + batch).map((k) => generate(k, { seed: o.seed, forms }));
      const pending = native.run(cases); // a Case is a NativeCase (native.ts reads only its fields)
      const emuOut = cases.map((c, i) => {
        const init = initialData(c.seed, c.patches, arena.subarray(i * DATA_SIZE, (i + 1) * DATA_SIZE));
        emu.load(windows(codePage(c.code, c.codeOff, code), init));
        const r = emu.run({
          regs: c.regs, rip: startVA(c),
          rflags: (c.rflags & 0xcd5n) | 0x202n, xmm: c.xmm, mxcsr: c.mxcsr, fsBase: 0n, gsBase: GS_BASE,
        }, BUDGET, { windows: false });
        return { out: fromEmu(r, emu.windowPages(), init), init };
      });
      const nat = await pending;
      for (const [i, c] of cases.entries()) {
        summary.cases++;
        summary.perForm.set(c.form.name, (summary.perForm.get(c.form.name) ?? 0) + 1);
        const n = fromNative(nat[i]!);
        const { out: e, init } = emuOut[i]!;
        const diffs = compare(c, n, e, init);
        if (!diffs.length) continue;
        let agreed = false;
        for (let r = 0; r < NATIVE_RERUNS && !agreed; r++) {
          const [again] = await native.run([c]);
          agreed = compare(c, fromNative(again!), e, init).length === 0;
        }
        if (agreed) {
          summary.unstableNative++;
          continue;
        }
        summary.mismatches++;
        summary.byForm.set(c.form.name, (summary.byForm.get(c.form.name) ?? 0) + 1);
        o.onMismatch?.(describe(c, n, e, diffs, reproCommand(o, c.index)), c);
      }
    }
  } finally {
    native.close();
  }
  summary.forms = summary.perForm.size;
  summary.elapsedMs = performance.now() - t0;
  return summary;
}

/** Where the sequence starts (the code page offset of its first byte). */
function startVA(c: Case): bigint {
  return CODE_VA + BigInt(c.codeOff);
}
