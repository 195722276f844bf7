// Builds everything a run or a test needs: generated tables, the WASM core (release and
// debug) and the guest kernels. Skips steps whose outputs are newer than their inputs.
// Usage: node scripts/build.mjs [--force]
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, statSync, readdirSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const force = process.argv.includes("--force");

function newest(dir, exts) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, exts));
    else if (exts.some((x) => e.name.endsWith(x))) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

function mtime(p) {
  return existsSync(p) ? statSync(p).mtimeMs : 0;
}

function need(tool, pkg) {
  const r = spawnSync(tool, ["--version"], { stdio: "ignore" });
  if (r.error || r.status !== 0) {
    console.error(`xenwasm build: \`${tool}\` is missing; the guest kernels are built with the machine's gcc and ld. Install them: apt-get install ${pkg}`);
    process.exit(1);
  }
}

function run(cmd, args, what) {
  try {
    execFileSync(cmd, args, { cwd: root, stdio: "inherit" });
  } catch {
    console.error(`xenwasm build: ${what} failed`);
    process.exit(1);
  }
}

// 1. Generated tables (cheap; the generator only rewrites files that change).
run(process.execPath, ["scripts/gen-tables.mjs"], "generating tables");

// 2. The core.
const asc = join(root, "node_modules", ".bin", "asc");
const srcTime = Math.max(newest(join(root, "assembly"), [".ts"]), mtime(join(root, "asconfig.json")));
for (const [target, out] of [["release", "build/xenwasm.wasm"], ["debug", "build/xenwasm.debug.wasm"]]) {
  if (force || mtime(join(root, out)) < srcTime) {
    console.log(`building the core (${target})`);
    run(asc, ["--target", target], `asc --target ${target}`);
  }
}

// 3. The guests.
need("make", "make");
need("gcc", "gcc");
need("ld", "binutils");
mkdirSync(join(root, "build", "guests"), { recursive: true });
run("make", ["-s", "-C", "guests", `O=${join(root, "build", "guests")}`], "building the guests (make -C guests)");
