// A real Orthanc (Debian `orthanc` + `orthanc-dicomweb`) of the test's own: a generated JSON configuration, a free
// port, its own storage folder, the DICOMweb plugin on and HTTP authentication on. Tests that need it (and
// dcmtk's dsrdump, dicom3tools' dciodvfy) skip with a printed reason where the binaries are absent, unless
// SPINEGRAPH_REQUIRE_PACS=1 (set by .ci/run), where their absence fails the run.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './private-redis.js';

export const ORTHANC_BINARY = process.env.ORTHANC_BINARY ?? '/usr/sbin/Orthanc';
export const DICOMWEB_PLUGIN = process.env.ORTHANC_DICOMWEB_PLUGIN ?? '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';
const TOOLS = ['/usr/bin/dsrdump', '/usr/bin/dciodvfy'];

/** Why the PACS tests cannot run here, or null when they can. Throws when SPINEGRAPH_REQUIRE_PACS=1 and they cannot. */
export function pacsUnavailableReason(): string | null {
  const missing = [ORTHANC_BINARY, DICOMWEB_PLUGIN, ...TOOLS].filter((p) => !existsSync(p));
  if (missing.length === 0) return null;
  const reason = `DICOMweb/PACS tests skipped: ${missing.join(', ')} not installed (Debian: orthanc orthanc-dicomweb dcmtk dicom3tools)`;
  if (process.env.SPINEGRAPH_REQUIRE_PACS === '1') throw new Error(`SPINEGRAPH_REQUIRE_PACS=1 but ${reason}`);
  console.warn(reason);
  return reason;
}

export interface OrthancServer {
  readonly port: number;
  /** The DICOMweb root, e.g. http://127.0.0.1:PORT/dicom-web */
  readonly dicomwebUrl: string;
  readonly restUrl: string;
  readonly username: string;
  readonly password: string;
  /** Stores Part 10 files through Orthanc's REST API. */
  upload(files: readonly Uint8Array[]): Promise<void>;
  /** GET on the REST API (authenticated), parsed as JSON. */
  rest<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startOrthanc(): Promise<OrthancServer> {
  const dir = await mkdtemp(join(tmpdir(), 'sg-orthanc-'));
  const port = await freePort();
  const username = 'spinegraph';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const config = {
    Name: 'spinegraph-test',
    StorageDirectory: join(dir, 'storage'),
    IndexDirectory: join(dir, 'storage'),
    HttpPort: port,
    DicomServerEnabled: false,
    DicomPort: await freePort(),
    RemoteAccessAllowed: false,
    AuthenticationEnabled: true,
    RegisteredUsers: { [username]: password },
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: false },
    StorageCompression: false,
    HttpCompressionEnabled: false,
    ConcurrentJobs: 1,
  };
  await writeFile(join(dir, 'orthanc.json'), JSON.stringify(config));
  const child: ChildProcess = spawn(ORTHANC_BINARY, [join(dir, 'orthanc.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => {
    log = (log + d.toString('utf8')).slice(-4000);
  });
  const restUrl = `http://127.0.0.1:${port}`;
  const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Orthanc exited (${child.exitCode}): ${log}`);
    const ok = await fetch(`${restUrl}/system`, { headers: { authorization } }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`Orthanc did not start within 30 s: ${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    port,
    dicomwebUrl: `${restUrl}/dicom-web`,
    restUrl,
    username,
    password,
    async upload(files) {
      for (const f of files) {
        const r = await fetch(`${restUrl}/instances`, { method: 'POST', headers: { authorization }, body: f });
        if (!r.ok) throw new Error(`Orthanc refused an upload: HTTP ${r.status} ${await r.text()}`);
      }
    },
    async rest<T>(path: string) {
      const r = await fetch(`${restUrl}${path}`, { headers: { authorization } });
      if (!r.ok) throw new Error(`Orthanc GET ${path}: HTTP ${r.status}`);
      return (await r.json()) as T;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function readFiles(paths: readonly string[]): Promise<Buffer[]> {
  return Promise.all(paths.map((p) => readFile(p)));
}
