// The CPU differential suite: a fixed seed, every form of the families below at least 20
// times, the emulator against this machine's CPU (test/cpu/). Any mismatch fails with the
// harness's diagnostic. `npm run test:cpu -- --seed S --cases N` runs any amount.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCases } from "./cpu/harness.ts";
import { selectForms } from "./cpu/gen.ts";

/** The families the suite runs (`npm run test:cpu -- --list-families` shows them all). */
const FAMILIES = [
  "alu", "muldiv", "shift", "bit", "mov", "xchg", "branch", "stack", "misc", "invalid", "string",
  "sse", "sse2", "sseapprox", "sse2int", "x87",
];
const SEED = 20261202;
const PER_FORM = 24; // cases go round the forms, so each form gets exactly this many

test("CPU differential: the emulator matches this machine's CPU", async () => {
  const forms = selectForms(FAMILIES);
  const shown: string[] = [];
  const s = await runCases({
    seed: SEED,
    cases: forms.length * PER_FORM,
    families: FAMILIES,
    onMismatch: (text) => {
      if (shown.length < 10) shown.push(text);
    },
  });
  console.log(`cases: ${s.cases}, forms: ${s.forms}, mismatches: ${s.mismatches} (${Math.round(s.cases / (s.elapsedMs / 1000))} cases/s)`);
  for (const f of forms) assert.ok((s.perForm.get(f.name) ?? 0) >= 20, `form ${f.name} ran fewer than 20 times`);
  assert.equal(s.mismatches, 0, `${s.mismatches} mismatches; the first ones:\n\n${shown.join("\n\n")}`);
});
