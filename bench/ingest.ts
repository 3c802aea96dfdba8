// `npm run bench -- ingest`: how fast DICOM gets in. On a synthetic RSNA-layout cohort (>= 100 studies, cached under
// the OS temp folder): the import service (parse + SHA-256 + bulk insert into a fresh PostgreSQL database) on all
// cores and on one thread, the re-import that must add nothing, and parse + decode of every frame; then decode
// throughput per transfer syntax on the shared samples, and spinegraph's parser against dcmjs on the same bytes.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDecode, formatDecodeBench, listBenchFiles, type DecodeBenchResult } from '../src/dicom/bench-decode.js';
import { transferSyntaxInfo } from '../src/dicom/index.js';
import { decodeCohort, listDicomFiles, spreadSample, type CohortDecodeResult } from './support/cohort-decode.js';
import { loadNow, machineInfo } from './support/machine.js';
import type { BenchReport } from './support/report.js';
import { fmt } from './support/stats.js';
import { ensureSynthCohort, type SynthCohort } from './support/synth-cohort.js';
import { timeImport, type TimedImport } from './support/timed-import.js';
import { benchDicomwebPull, dicomwebBenchUnavailable, formatDicomwebPull, type DicomwebPullBench } from './support/dicomweb-pull.js';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const SAMPLES_DIR = process.env.BENCH_SAMPLES_DIR ?? resolve(REPO_ROOT, '..', 'shared', 'dicom-samples');
/** The issue asks for at least 100 studies; a smaller BENCH_INGEST_STUDIES is for trying the benchmark out. */
const STUDIES = Number(process.env.BENCH_INGEST_STUDIES ?? 100);
const SEED = 2024;
const IMAGE_SIZE = 256;
/** Cohort files parsed by both spinegraph and dcmjs (spread over every series). */
const PARSER_SAMPLE = 300;
const IMPORT_ROUNDS = 2;
/** Studies of the cohort loaded into a local Orthanc for the DICOMweb pull row. */
const DICOMWEB_STUDIES = Number(process.env.BENCH_DICOMWEB_STUDIES ?? 10);

export async function run(): Promise<BenchReport> {
  const date = new Date().toISOString();
  const machine = machineInfo();
  const cores = availableParallelism();

  log(`cohort: ${STUDIES} studies, seed ${SEED}, ${IMAGE_SIZE} px`);
  const cohort = await ensureSynthCohort({ studies: STUDIES, seed: SEED, size: IMAGE_SIZE }, (done, total) =>
    log(`  generated ${done}/${total} studies`),
  );
  const files = await listDicomFiles(cohort.root);

  // First, so the imports after it read from the page cache as much as the first one does.
  log(`parse + decode of ${files.length} files`);
  const decoded = await decodeCohort(files);

  // Alternating all-cores and one-thread imports, best of IMPORT_ROUNDS each: on a shared machine a single run
  // mostly measures what else ran at that moment.
  const loadBeforeImports = loadNow();
  const allCoresRuns: TimedImport[] = [];
  const oneThreadRuns: TimedImport[] = [];
  for (let round = 0; round < IMPORT_ROUNDS; round++) {
    log(`import round ${round + 1}/${IMPORT_ROUNDS}: ${cores} thread(s)${round === 0 ? ', then again (must add nothing)' : ''}`);
    allCoresRuns.push(await timeImport(cohort.root, cores, { reimport: round === 0 }));
    if (cores > 1) {
      log(`import round ${round + 1}/${IMPORT_ROUNDS}: 1 thread`);
      oneThreadRuns.push(await timeImport(cohort.root, 1));
    }
  }
  const allCores = { ...fastest(allCoresRuns), again: allCoresRuns[0].again };
  const oneThread = cores > 1 ? fastest(oneThreadRuns) : allCores;

  const unavailable = dicomwebBenchUnavailable();
  let dicomweb: DicomwebPullBench | string = unavailable ?? '';
  if (!unavailable) {
    log(`DICOMweb pull of ${DICOMWEB_STUDIES} studies from a local Orthanc, and the folder import of the same files`);
    const imagesDir = join(cohort.root, 'train_images');
    const studyDirs = (await readdir(imagesDir))
      .sort()
      .slice(0, DICOMWEB_STUDIES)
      .map((d) => join(imagesDir, d));
    dicomweb = await benchDicomwebPull(studyDirs, log);
  } else log(`DICOMweb pull not measured: ${unavailable}`);

  quietDcmjs();
  log(`decode per transfer syntax on ${SAMPLES_DIR}`);
  if (!existsSync(SAMPLES_DIR)) throw new Error(`DICOM samples not found at ${SAMPLES_DIR} (set BENCH_SAMPLES_DIR)`);
  const samples = await benchDecode({ files: listBenchFiles(SAMPLES_DIR) });
  log(`spinegraph vs dcmjs on ${PARSER_SAMPLE} cohort files`);
  const cohortParse = await benchDecode({ files: spreadSample(files, PARSER_SAMPLE), decodeRepeats: 1, parseRepeats: 5 });

  const raw = {
    cohort,
    cores,
    loadBeforeImports,
    loadAtEnd: loadNow(),
    decoded,
    imports: { allCoresRuns, oneThreadRuns },
    samples,
    cohortParse,
    dicomweb,
  };
  return {
    title: `DICOM ingestion: ${cohort.studies} synthetic studies (${files.length} files), the shared samples, dcmjs in the same run`,
    machine,
    date,
    markdown: `${formatIngest(cohort, decoded, allCores, oneThread, samples, cohortParse, raw.loadAtEnd)}\n\n${formatDicomwebPull(dicomweb)}`,
    raw,
  };
}

function formatIngest(
  cohort: SynthCohort,
  decoded: CohortDecodeResult,
  allCores: TimedImport,
  oneThread: TimedImport,
  samples: DecodeBenchResult,
  cohortParse: DecodeBenchResult,
  loadAtEnd: number,
): string {
  const mb = decoded.bytes / 1e6;
  const syntaxes = Object.entries(decoded.transferSyntaxes)
    .map(([uid, n]) => `${transferSyntaxInfo(uid)?.name ?? uid} (${n} files)`)
    .join(', ');
  const importRow = (t: TimedImport): string => {
    const s = t.wallMs / 1000;
    const r = t.result;
    return `| ${t.threads} | ${r.files} | ${fmt(r.bytes / 1e6)} | ${fmt(s, 2)} | ${fmt(r.files / s, 0)} | ${fmt(r.bytes / 1e6 / s)} | ${r.studies.added} | ${r.series.added} | ${r.instances.added} | ${r.labels} | ${r.coordinates} | ${r.failures.length} |`;
  };
  const decodeSeconds = (decoded.parseMs + decoded.decodeMs) / 1000;
  const pipelineSeconds = allCores.wallMs / 1000 + decodeSeconds;
  const parse = cohortParse.parse;
  return [
    `Cohort: \`spinegraph synth\` seed ${cohort.seed}, ${cohort.studies} studies, ${decoded.files} files, ${fmt(mb)} MB, ${cohort.size}x${cohort.size} px; ${syntaxes}.`,
    '',
    `### Import: parse + SHA-256 + bulk insert (importStudies into a fresh PostgreSQL database; best of ${IMPORT_ROUNDS}, alternating)`,
    '',
    '| threads | files | MB | s | files/s | MB/s | studies | series | instances | labels | coordinates | failures |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    importRow(allCores),
    ...(oneThread !== allCores ? [importRow(oneThread)] : []),
    '',
    oneThread !== allCores
      ? `Thread scaling, ${allCores.threads} threads over 1: ${fmt(oneThread.wallMs / allCores.wallMs, 2)}x.`
      : 'One core: no thread scaling to measure.',
    allCores.again
      ? `Re-import of the same folder: ${fmt(allCores.again.wallMs / 1000, 2)} s, added ${allCores.again.studiesAdded} studies and ${allCores.again.instancesAdded} instances.`
      : '',
    '',
    '### Parse + decode of every frame (one thread, modality values as the pipeline reads them)',
    '',
    '| files | frames | MB | read ms/file | parse ms/file | decode ms/frame | files/s (parse + decode) | MB/s (parse + decode) | Mpixel/s (decode) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${decoded.files} | ${decoded.frames} | ${fmt(mb)} | ${fmt(decoded.readMs / decoded.files, 3)} | ${fmt(decoded.parseMs / decoded.files, 3)} | ${fmt(decoded.decodeMs / decoded.frames, 3)} | ${fmt(decoded.files / decodeSeconds, 0)} | ${fmt(mb / decodeSeconds)} | ${fmt(decoded.pixels / 1e6 / (decoded.decodeMs / 1000))} |`,
    '',
    decoded.failures.length > 0
      ? `${decoded.failures.length} file(s) failed to decode, first: ${decoded.failures[0].reason}`
      : 'Every frame decoded.',
    '',
    `Parse + decode + insert, as import on ${allCores.threads} thread(s) followed by the one-thread decode pass: ${fmt(pipelineSeconds, 1)} s, ${fmt(decoded.files / pipelineSeconds, 0)} files/s, ${fmt(mb / pipelineSeconds)} MB/s.`,
    '',
    '### Decode per transfer syntax (../shared/dicom-samples), and parse time against dcmjs on the same files',
    '',
    formatDecodeBench(samples),
    '',
    `### spinegraph (dicom-parser) against dcmjs on ${parse.files} cohort files (${fmt(parse.bytes / 1e6)} MB)`,
    '',
    '| parser | ms/file | MB/s |',
    '|---|---:|---:|',
    `| spinegraph (dicom-parser) | ${fmt(parse.spinegraphMsPerFile, 3)} | ${fmt(parse.bytes / 1e6 / ((parse.spinegraphMsPerFile * parse.files) / 1000), 0)} |`,
    `| dcmjs | ${fmt(parse.dcmjsMsPerFile, 3)} | ${fmt(parse.bytes / 1e6 / ((parse.dcmjsMsPerFile * parse.files) / 1000), 0)} |`,
    '',
    `dcmjs / spinegraph parse time: ${fmt(parse.dcmjsOverSpinegraph, 2)}x. spinegraph's parse extracts the metadata the pipeline needs and leaves pixel data in place; dcmjs builds its whole dataset, pixel data included.`,
    '',
    `Load average (1 min) at the end: ${loadAtEnd}.`,
  ].join('\n');
}

/** dcmjs reports every odd VR it meets (hundreds of lines a run) through its own loggers, not the console. */
function quietDcmjs(): void {
  type Logger = { setLevel(level: string): void };
  const dcmjs = createRequire(import.meta.url)('dcmjs') as { log: Logger & { getLogger(name: string): Logger } };
  dcmjs.log.setLevel('error');
  dcmjs.log.getLogger('validation.dcmjs').setLevel('silent');
}

function fastest(runs: readonly TimedImport[]): TimedImport {
  return runs.reduce((best, r) => (r.wallMs < best.wallMs ? r : best));
}

function log(message: string): void {
  console.log(`[ingest] ${message}`);
}
