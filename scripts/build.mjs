// Compiles src/ to dist/ (tsc -p tsconfig.build.json) and stamps the build, so bin/spinegraph.js runs the compiled
// CLI while it is at least as new as every source (bin/cli-entry.js). Runs at install (`prepare`, after the Prisma
// client is generated in `postinstall`) and as `npm run build`.
//   node scripts/build.mjs [--out-dir DIR]   (DIR relative to the project root, at the depth of dist/: default dist)
// Compiles into a staging folder and swaps it in at the end, so a CLI started during a build never sees half of one.
// Skips, saying so, where there is nothing to compile (no src/cli.ts: the container's dependency layer) or no
// compiler (a production install without dev dependencies): the CLI then runs the sources through tsx.
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out-dir');
const outDir = join(root, outIndex >= 0 ? args[outIndex + 1] : 'dist');

if (!existsSync(join(root, 'src', 'cli.ts'))) {
  console.log('build: no src/cli.ts here, nothing to compile');
  process.exit(0);
}
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.log('build: TypeScript is not installed (production install): bin/spinegraph.js runs the sources through tsx');
  process.exit(0);
}

// Taken before the compiler reads a source, so a file saved during the build counts as newer than the build.
const started = new Date();
const staging = `${outDir}.building-${process.pid}`;
rmSync(staging, { recursive: true, force: true });
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', staging], { stdio: 'inherit' });
if (compiled.status !== 0) {
  rmSync(staging, { recursive: true, force: true });
  console.error('build: tsc failed; bin/spinegraph.js keeps running the sources through tsx');
  process.exit(compiled.status ?? 1);
}
const { BUILD_STAMP } = await import('../bin/cli-entry.js');
const stamp = join(staging, BUILD_STAMP);
writeFileSync(stamp, `${started.toISOString()}\n`);
utimesSync(stamp, started, started);
rmSync(outDir, { recursive: true, force: true });
renameSync(staging, outDir);
console.log(`build: compiled src/ to ${outDir} in ${((Date.now() - started.getTime()) / 1000).toFixed(1)} s`);
