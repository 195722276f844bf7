// `npm run test:cpu -- [--seed S] [--cases N] [--case K] [--family NAME]... [--list-families] [--max-print M]`
// Runs the differential CPU tests against this machine's CPU and prints
// `cases: N, forms: F, mismatches: M`; exits 1 when anything mismatched.
import { runCases, type RunOptions } from "./harness.ts";
import { ALL_FORMS } from "./gen.ts";
import { FAMILIES } from "../../tables/x86-forms.mjs";

function usage(msg?: string): never {
  if (msg) console.error(msg);
  console.error("usage: npm run test:cpu -- [--seed S] [--cases N] [--case K] [--family NAME]... [--list-families] [--max-print M] [--by-form]");
  process.exit(2);
}

const args = process.argv.slice(2);
const opts: RunOptions = { seed: 1, cases: 10000, families: [] };
let maxPrint = 20;
let byForm = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  const val = () => {
    const v = args[++i];
    if (v === undefined) usage(`${a} needs a value`);
    return v;
  };
  const num = () => {
    const v = Number(val());
    if (!Number.isInteger(v) || v < 0) usage(`${a} needs a non-negative integer`);
    return v;
  };
  if (a === "--seed") opts.seed = num();
  else if (a === "--cases") opts.cases = num();
  else if (a === "--case") opts.only = num();
  else if (a === "--family" || a === "--families") opts.families.push(...val().split(","));
  else if (a === "--max-print") maxPrint = num();
  else if (a === "--by-form") byForm = true;
  else if (a === "--list-families") {
    for (const f of FAMILIES as string[]) {
      const n = ALL_FORMS.filter((x) => x.family === f).length;
      console.log(`${f.padEnd(10)} ${n} forms`);
    }
    process.exit(0);
  } else if (a === "--help" || a === "-h") usage();
  else usage(`unknown argument ${a}`);
}

let printed = 0;
const summary = await runCases({
  ...opts,
  onMismatch: (text) => {
    if (printed++ < maxPrint || opts.only !== undefined) console.log(text + "\n");
  },
});
if (printed > maxPrint) console.log(`(${printed - maxPrint} more mismatches not printed; --max-print raises the limit)`);
if (byForm && summary.byForm.size) {
  console.log("mismatches by form:");
  for (const [f, n] of [...summary.byForm].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(6)}  ${f}`);
}
const rate = Math.round(summary.cases / (summary.elapsedMs / 1000));
console.error(`seed ${opts.seed}: ${summary.cases} cases in ${(summary.elapsedMs / 1000).toFixed(1)} s (${rate} cases/s)`);
if (summary.unstableNative) {
  console.error(`${summary.unstableNative} case(s) gave another result on a native re-run, which matched the emulator`);
}
console.log(`cases: ${summary.cases}, forms: ${summary.forms}, mismatches: ${summary.mismatches}`);
process.exit(summary.mismatches ? 1 : 0);
