// The DICOMweb pull row of `npm run bench -- ingest`: a local Orthanc (Debian orthanc + orthanc-dicomweb) loaded with
// some of the cohort's studies, pulled over WADO-RS into a fresh database (QIDO listing + WADO retrieval + the
// import), then the folder import of the very files the pull wrote, into another fresh database: instances/s of
// each, on the same files and the same machine.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDicomwebSources } from '../../src/config/dicomweb-sources.js';
import { DicomwebClient } from '../../src/dicomweb/client.js';
import { searchStudies } from '../../src/dicomweb/qido.js';
import { importStudies } from '../../src/services/import/import-studies.js';
import { pullRoot, pullStudies } from '../../src/services/dicomweb/pull-studies.js';
import { DICOMWEB_PLUGIN, ORTHANC_BINARY, startOrthanc } from '../../tests/support/orthanc.js';
import { withBenchDatabase } from './bench-database.js';
import { loadNow } from './machine.js';
import { fmt } from './stats.js';

const SECRET = 'spinegraph-bench-patient-key-secret';

export interface DicomwebPullBench {
  readonly studies: number;
  readonly instances: number;
  readonly megabytes: number;
  readonly uploadMs: number;
  readonly pullMs: number;
  readonly folderImportMs: number;
  readonly concurrency: number;
  readonly failures: number;
  /** 1-minute load average before the pull and after the folder import: the machine is shared. */
  readonly load: readonly [number, number];
}

export function dicomwebBenchUnavailable(): string | null {
  const missing = [ORTHANC_BINARY, DICOMWEB_PLUGIN].filter((p) => !existsSync(p));
  return missing.length ? `${missing.join(', ')} not installed (Debian: orthanc orthanc-dicomweb)` : null;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.dcm')).map((e) => join(e.parentPath, e.name));
}

/** `studyDirs`: folders of single studies from the cohort (their files are uploaded to Orthanc). */
export async function benchDicomwebPull(studyDirs: readonly string[], log: (m: string) => void): Promise<DicomwebPullBench> {
  const orthanc = await startOrthanc();
  const cache = await mkdtemp(join(tmpdir(), 'sg-bench-dicomweb-'));
  const concurrency = Math.max(2, availableParallelism());
  try {
    const files = (await Promise.all(studyDirs.map(filesUnder))).flat();
    log(`  uploading ${files.length} files of ${studyDirs.length} studies to Orthanc`);
    const uploadStart = performance.now();
    for (let i = 0; i < files.length; i += 64) await orthanc.upload(await Promise.all(files.slice(i, i + 64).map((f) => readFile(f))));
    const uploadMs = performance.now() - uploadStart;
    const [source] = parseDicomwebSources(
      JSON.stringify([
        {
          name: 'bench',
          baseUrl: orthanc.dicomwebUrl,
          auth: { type: 'basic', username: orthanc.username, password: orthanc.password },
          projects: ['*'],
          concurrency,
        },
      ]),
    );
    const uids = (await searchStudies(new DicomwebClient(source), { limit: 200 })).map((s) => s.studyInstanceUid);
    log(`  pulling ${uids.length} studies over WADO-RS (${concurrency} at a time)`);
    const loadBefore = loadNow();
    const pulled = await withBenchDatabase('ingest_dicomweb', async ({ db }) => {
      const project = await db.prisma.project.create({ data: { name: 'bench-dicomweb' } });
      const start = performance.now();
      const result = await pullStudies(db, { source, projectId: project.id, studyInstanceUids: uids, secret: SECRET, cacheDir: cache });
      return { ms: performance.now() - start, result, root: pullRoot(cache, project.id, 'bench') };
    });
    log('  folder import of the same files');
    const folder = await withBenchDatabase('ingest_dicomweb_folder', async ({ db }) => {
      const project = await db.prisma.project.create({ data: { name: 'bench-dicomweb-folder' } });
      const start = performance.now();
      const result = await importStudies(db, { root: pulled.root, projectId: project.id, secret: SECRET });
      return { ms: performance.now() - start, result };
    });
    if (folder.result.instances.added !== pulled.result.instances.added)
      throw new Error(`the pull added ${pulled.result.instances.added} instances, the folder import ${folder.result.instances.added}`);
    return {
      studies: uids.length,
      instances: pulled.result.instances.added,
      megabytes: pulled.result.pull.bytesFetched / 1e6,
      uploadMs,
      pullMs: pulled.ms,
      folderImportMs: folder.ms,
      concurrency,
      failures: pulled.result.failures.length,
      load: [loadBefore, loadNow()],
    };
  } finally {
    await orthanc.stop();
    await rm(cache, { recursive: true, force: true });
  }
}

export function formatDicomwebPull(b: DicomwebPullBench | string): string {
  if (typeof b === 'string') return `### DICOMweb pull\n\nNot measured: ${b}.`;
  const row = (what: string, ms: number): string =>
    `| ${what} | ${b.studies} | ${b.instances} | ${fmt(b.megabytes)} | ${fmt(ms / 1000, 2)} | ${fmt(b.instances / (ms / 1000), 0)} |`;
  return [
    `### DICOMweb pull from a local Orthanc against the folder import of the same files`,
    '',
    '| path | studies | instances | MB | s | instances/s |',
    '|---|---:|---:|---:|---:|---:|',
    row(`DICOMweb pull (QIDO list + WADO-RS, ${b.concurrency} in parallel, + import)`, b.pullMs),
    row('folder import of the files the pull wrote', b.folderImportMs),
    '',
    `Pull / folder import time: ${fmt(b.pullMs / b.folderImportMs, 2)}x; ${b.failures} failure(s). Loading Orthanc (REST upload, not part of either row): ${fmt(b.uploadMs / 1000, 1)} s. Load average (1 min) before the pull ${b.load[0]}, after the folder import ${b.load[1]}.`,
  ].join('\n');
}
