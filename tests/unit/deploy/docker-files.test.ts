// What can be checked about the container setup without a Docker engine: the runtime image's file list (from the
// Dockerfile's COPY lines) holds what the running process reads, its data folders belong to the user it runs as,
// docker-compose.yml is well formed and needs no .env, and every variable it or .env.example sets is one that
// src/config.ts reads and accepts as written.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENV_VARIABLES, loadConfig } from '../../../src/config.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string): string => readFileSync(`${ROOT}${path}`, 'utf8');
// js-yaml arrives with ESLint (a dev dependency); it has no bundled types, so its one call is typed here.
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

interface DockerStage {
  readonly name: string;
  readonly lines: readonly string[];
}

function stages(dockerfile: string): DockerStage[] {
  const out: { name: string; lines: string[] }[] = [];
  for (const raw of dockerfile.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) out.push({ name: from[1] ?? String(out.length), lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

/** The runtime stage's files, as repository paths copied to /app (sources from earlier stages are listed apart). */
function runtimeImage(): {
  fromRepo: Map<string, string>;
  fromStages: string[];
  runs: string[];
  user: string | undefined;
  workdir: string;
} {
  const runtime = stages(read('Dockerfile')).at(-1) as DockerStage;
  const fromRepo = new Map<string, string>();
  const fromStages: string[] = [];
  const runs: string[] = [];
  let user: string | undefined;
  let workdir = '/';
  for (const line of runtime.lines) {
    const [instruction, ...rest] = line.split(/\s+/);
    if (/^WORKDIR$/i.test(instruction)) workdir = rest[0];
    if (/^USER$/i.test(instruction)) user = rest[0];
    if (/^RUN$/i.test(instruction)) runs.push(rest.join(' '));
    if (!/^COPY$/i.test(instruction)) continue;
    const args = rest.filter((a) => !a.startsWith('--'));
    const dest = args.at(-1) as string;
    if (rest.some((a) => a.startsWith('--from='))) {
      fromStages.push(dest.replace(/^\.\//, ''));
      continue;
    }
    for (const src of args.slice(0, -1)) fromRepo.set(src, dest.endsWith('/') || args.length > 2 ? `${dest}${src}` : dest);
  }
  return { fromRepo, fromStages, runs, user, workdir };
}

describe('the Dockerfile', () => {
  const image = runtimeImage();
  const inImage = (repoPath: string): boolean =>
    [...image.fromRepo.keys()].some((src) => repoPath === src || repoPath.startsWith(`${src.replace(/\/$/, '')}/`));

  it('copies only paths the repository has', () => {
    for (const src of image.fromRepo.keys()) expect(existsSync(`${ROOT}${src}`), src).toBe(true);
  });

  it('holds what the running server reads: the dashboard, the bundled models, migrations, the trainer, the CLI', () => {
    for (const path of [
      'public/index.html',
      'public/js/app.js',
      'models/demo',
      'prisma/migrations',
      'src/training/python',
      'bin/spinegraph.js',
      'package.json',
    ])
      expect(inImage(path), path).toBe(true);
    // dist/ and node_modules/ come from the build stage.
    expect(image.fromStages).toEqual(expect.arrayContaining(['dist', 'node_modules']));
  });

  it('runs as an unprivileged user that owns the data folder and the trained-models folder', () => {
    expect(image.user).toBe('node');
    const config = loadConfig({ AUTH_MODE: 'off' });
    const dataDir = `${image.workdir}/${config.dataDir.slice(process.cwd().length + 1)}`;
    const chown = image.runs.find((r) => /chown\b.*\bnode:node\b/.test(r)) ?? '';
    expect(chown).toContain(dataDir);
    expect(chown).toMatch(/\/app\/models(\s|$)/); // trained sets are written under models/trained
    expect(chown).toContain('-R');
  });

  it('builds with the project .npmrc, so the install skips the CUDA download', () => {
    expect(read('.npmrc')).toMatch(/^onnxruntime-node-install=skip$/m);
    const build = stages(read('Dockerfile'))[0];
    expect(build.lines.some((l) => /^COPY\b.*\.npmrc/.test(l))).toBe(true);
  });
});

/** .env files as compose reads them: KEY=VALUE lines, comments and blank lines ignored. */
function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2].trim();
  }
  return env;
}

describe('.env.example', () => {
  const example = parseEnvFile(read('.env.example'));

  it('loads as it is', () => {
    expect(() => loadConfig(example)).not.toThrow();
  });

  it('names only variables the configuration reads, and documents every one of them', () => {
    const documented = new Set([...Object.keys(example), ...[...read('.env.example').matchAll(/^#\s*([A-Z_]+)=/gm)].map((m) => m[1])]);
    expect([...Object.keys(example)].filter((k) => !ENV_VARIABLES.includes(k))).toEqual([]);
    expect(ENV_VARIABLES.filter((k) => !documented.has(k))).toEqual([]);
  });
});

interface ComposeService {
  image?: string;
  build?: unknown;
  env_file?: unknown;
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  command?: string[];
  profiles?: string[];
}

describe('docker-compose.yml', () => {
  const compose = yaml.load(read('docker-compose.yml')) as { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };
  const services = Object.entries(compose.services);
  const appServices = services.filter(([, s]) => s.build !== undefined);

  it('is a compose file whose references resolve: images or builds, dependencies, named volumes', () => {
    expect(services.length).toBeGreaterThan(0);
    const named = new Set(Object.keys(compose.volumes ?? {}));
    for (const [name, s] of services) {
      expect(s.image ?? s.build, name).toBeDefined();
      for (const dep of Object.keys(s.depends_on ?? {})) expect(compose.services[dep], `${name} depends on ${dep}`).toBeDefined();
      for (const cond of Object.values(s.depends_on ?? {}))
        expect(['service_started', 'service_healthy', 'service_completed_successfully']).toContain(cond.condition);
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0];
        if (!source.startsWith('.') && !source.startsWith('/')) expect(named.has(source), `${name}: volume ${source}`).toBe(true);
      }
    }
  });

  it('needs no .env file (an env_file it names is optional or present)', () => {
    for (const [name, s] of appServices) {
      const files = Array.isArray(s.env_file) ? s.env_file : s.env_file === undefined ? [] : [s.env_file];
      for (const f of files as (string | { path: string; required?: boolean })[]) {
        const entry = typeof f === 'string' ? { path: f, required: true } : f;
        expect(entry.required === false || existsSync(`${ROOT}${entry.path}`), `${name}: env_file ${entry.path}`).toBe(true);
      }
    }
  });

  it('sets only variables the configuration reads, with values it accepts, alone and over .env.example', () => {
    const example = parseEnvFile(read('.env.example'));
    for (const [name, s] of appServices) {
      const env = Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v ?? '')]));
      expect(
        Object.keys(env).filter((k) => !ENV_VARIABLES.includes(k)),
        name,
      ).toEqual([]);
      expect(() => loadConfig({ AUTH_MODE: 'off', ...env }), name).not.toThrow();
      expect(() => loadConfig({ ...example, ...env }), name).not.toThrow();
      expect(s.command?.[0], name).toBeDefined();
    }
  });

  it('runs the app commands the CLI has', () => {
    const cli = ['serve', 'worker', 'db'];
    for (const [name, s] of appServices) expect(cli, name).toContain(s.command?.[0]);
  });
});
