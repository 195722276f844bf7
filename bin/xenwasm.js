#!/usr/bin/env node
// The xenwasm CLI. The host is TypeScript, run through tsx's loader.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../host/toolstack/cli.ts");
process.exitCode = await main(process.argv.slice(2));
