// `npm test`: the as-pect specs, then the node:test suites, with one closing summary line
// ("N passed, M failed"). Fails when anything failed or when no test ran.
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const strip = (s) => s.replace(/\x1b\[[0-9;]*m/g, "");

function stream(cmd, args) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d) => { process.stdout.write(d); out += d; });
    p.stderr.on("data", (d) => { process.stderr.write(d); out += d; });
    p.on("close", (code) => resolve({ code: code ?? 1, out: strip(out) }));
  });
}

// 1. as-pect (AssemblyScript unit specs).
const asp = await stream(process.execPath, [join(root, "node_modules/@as-pect/cli/bin/asp.js"), "--config", "as-pect.config.js", "--summary"]);
process.stdout.write("\n");
let asPass = 0, asFail = 0;
const m = [...asp.out.matchAll(/\[Tests\]:\s*(\d+)\s*\/\s*(\d+)/g)].pop();
if (m) {
  asPass = Number(m[1]);
  asFail = Number(m[2]) - asPass;
}
if (asp.code !== 0 && asFail === 0) asFail = 1; // a compile error or crash

// 2. node:test suites (test/*.test.ts; subfolders listed explicitly).
const files = readdirSync(join(root, "test")).filter((f) => f.endsWith(".test.ts")).sort().map((f) => join("test", f));
const nt = await stream(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...files]);
const last = (re) => { const all = [...nt.out.matchAll(re)]; return all.length ? Number(all[all.length - 1][1]) : 0; };
const ntPass = last(/ℹ pass (\d+)/g);
let ntFail = last(/ℹ fail (\d+)/g) + last(/ℹ cancelled (\d+)/g);
if (nt.code !== 0 && ntFail === 0) ntFail = 1;

const pass = asPass + ntPass;
const fail = asFail + ntFail;
console.log(`\nassemblyscript (as-pect): ${asPass} passed, ${asFail} failed | host (node:test): ${ntPass} passed, ${ntFail} failed`);
console.log(`${pass} passed, ${fail} failed`);
process.exit(fail > 0 || pass === 0 ? 1 : 0);
