// Model versions and sets in the database: registered from a directory of manifests + ONNX files, validated
// by loading them; the same files twice make one set (content hash); the first set in a database is active.
import { isUuid } from '../domain/ids.js';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { Database } from '../db/client.js';
import type { Prisma } from '../db/generated/client.js';
import { AppError, notFound } from '../domain/errors.js';
import { loadModelSet, type LoadedModelSet } from '../inference/model-set.js';
import { trainingSummaryMetrics } from './training-summary-metrics.js';

export interface ModelSetRow {
  readonly id: string;
  readonly name: string;
  readonly isActive: boolean;
  readonly contentHash: string;
  readonly createdAt: Date;
  readonly activatedAt: Date | null;
  readonly metrics: unknown;
}

export interface RegisterOptions {
  readonly activate?: boolean;
  readonly name?: string;
  readonly producedByJobId?: string;
  readonly metrics?: Prisma.InputJsonValue;
  /** The name was asked for explicitly: refuse (CONFLICT) rather than register or report the set under another. */
  readonly exactName?: boolean;
  /** Also run every model on its check file's input and compare with the trainer's PyTorch output. */
  readonly verifyChecks?: boolean;
}

export async function registerModelSet(
  db: Database,
  dir: string,
  options: RegisterOptions = {},
): Promise<{ set: ModelSetRow; created: boolean }> {
  const absolute = resolve(dir);
  // Loading is the validation: every manifest is checked against its ONNX file's real inputs and outputs.
  const loaded = await loadModelSet(absolute, { name: options.name, verifyChecks: options.verifyChecks });
  try {
    const shas = loaded.models.map((m) => m.manifest.sha256).sort();
    const contentHash = createHash('sha256').update(shas.join('\n')).digest('hex');
    const metricsFromFiles = options.metrics ? undefined : await trainingSummaryMetrics(absolute);
    return await db.prisma.$transaction(
      async (tx) => {
        const existing = await tx.modelSet.findUnique({ where: { contentHash } });
        if (existing) {
          if (options.exactName && options.name && existing.name !== options.name)
            throw new AppError(
              'CONFLICT',
              `These files are already registered as model set "${existing.name}" (${existing.id}); a model set is identified by its files, so they cannot be registered again as "${options.name}"`,
            );
          if (options.activate && !existing.isActive) return { set: await activate(tx, existing.id), created: false };
          return { set: existing, created: false };
        }
        const versionIds: string[] = [];
        for (const m of loaded.models) {
          const v = await tx.modelVersion.upsert({
            where: { sha256: m.manifest.sha256 },
            create: {
              role: m.manifest.role,
              architecture: m.manifest.architecture,
              fold: m.manifest.fold,
              artifactUri: pathToFileURL(m.onnxPath).href,
              sha256: m.manifest.sha256,
              manifest: m.manifest.raw as Prisma.InputJsonValue,
              metrics: (m.manifest.metrics ?? undefined) as Prisma.InputJsonValue | undefined,
              producedByJobId: options.producedByJobId ?? null,
            },
            update: {},
            select: { id: true },
          });
          versionIds.push(v.id);
        }
        if (options.exactName && (await tx.modelSet.findUnique({ where: { name: loaded.name }, select: { id: true } })))
          throw new AppError('CONFLICT', `A different model set is already named "${loaded.name}"; choose another --name`);
        const name = await uniqueName(tx, loaded.name);
        const anySet = await tx.modelSet.count();
        const set = await tx.modelSet.create({
          data: {
            name,
            contentHash,
            // A set trained here passes its metrics; one registered from files may carry its trainer's summary.
            metrics: options.metrics ?? metricsFromFiles,
            members: { create: versionIds.map((modelVersionId) => ({ modelVersionId })) },
          },
        });
        const shouldActivate = options.activate || anySet === 0;
        return { set: shouldActivate ? await activate(tx, set.id) : set, created: true };
        // A set of many models is many upserts: on a loaded machine they outlast Prisma's 5 s default.
      },
      { timeout: 60_000 },
    );
  } finally {
    await loaded.release();
  }
}

async function uniqueName(tx: Prisma.TransactionClient, base: string): Promise<string> {
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}-${i}`;
    if (!(await tx.modelSet.findUnique({ where: { name }, select: { id: true } }))) return name;
  }
}

async function activate(tx: Prisma.TransactionClient, id: string): Promise<ModelSetRow> {
  await tx.modelSet.updateMany({ where: { isActive: true, NOT: { id } }, data: { isActive: false } });
  return tx.modelSet.update({ where: { id }, data: { isActive: true, activatedAt: new Date() } });
}

export async function activateModelSet(db: Database, id: string): Promise<ModelSetRow> {
  const exists = isUuid(id) ? await db.prisma.modelSet.findUnique({ where: { id }, select: { id: true } }) : null;
  if (!exists) throw notFound('Model set', id);
  return db.prisma.$transaction((tx) => activate(tx, id));
}

export async function listModelSets(db: Database): Promise<ModelSetRow[]> {
  return db.prisma.modelSet.findMany({ orderBy: { createdAt: 'asc' } });
}

export async function findModelSet(db: Database, idOrName: string): Promise<ModelSetRow> {
  const set = await db.prisma.modelSet.findFirst({
    where: { OR: [{ name: idOrName }, ...(isUuid(idOrName) ? [{ id: idOrName }] : [])] },
  });
  if (!set) throw notFound('Model set', idOrName);
  return set;
}

/** The directory a registered set's files live in (all members share it). */
export async function modelSetDirectory(db: Database, setId: string): Promise<string> {
  const member = await db.prisma.modelSetMember.findFirst({
    where: { modelSetId: setId },
    include: { modelVersion: { select: { artifactUri: true } } },
  });
  if (!member) throw new AppError('NOT_FOUND', `Model set ${setId} has no models`);
  return resolve(fileURLToPath(member.modelVersion.artifactUri), '..');
}

/** Opens a registered set for inference, by name or id. */
export async function openModelSet(
  db: Database,
  set: ModelSetRow,
  runtime: { provider: 'cpu' | 'cuda'; threads: number; spinning?: boolean; graphCacheDir?: string },
): Promise<LoadedModelSet> {
  return loadModelSet(await modelSetDirectory(db, set.id), {
    name: set.name,
    executionProvider: runtime.provider,
    intraOpNumThreads: runtime.threads || undefined,
    ...(runtime.spinning !== undefined ? { allowSpinning: runtime.spinning } : {}),
    ...(runtime.graphCacheDir !== undefined ? { optimizedModelDir: runtime.graphCacheDir } : {}),
  });
}
