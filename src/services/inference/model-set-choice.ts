import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import { AppError } from '../../domain/errors.js';
import { findModelSet, registerModelSet, type ModelSetRow } from '../model-registry.service.js';

export const BUNDLED_DEMO_SET = 'demo';

/**
 * The set an inference run uses: the one asked for, else the active one; a database with no set at all gets the
 * bundled demo set registered (and active), with `notice` saying so.
 */
export async function chooseModelSet(
  db: Database,
  config: Config,
  requested?: string | null,
): Promise<{ set: ModelSetRow; notice?: string }> {
  if (requested) return { set: await findModelSet(db, requested) };
  const active = await db.prisma.modelSet.findFirst({ where: { isActive: true } });
  if (active) return { set: active };
  if ((await db.prisma.modelSet.count()) > 0) throw new AppError('BAD_USER_INPUT', 'No model set is active; activate one or name one');
  const dir = join(config.modelsDir, BUNDLED_DEMO_SET);
  if (!existsSync(dir)) throw new AppError('NOT_FOUND', `No model set is registered and the bundled demo set is missing at ${dir}`);
  const { set } = await registerModelSet(db, dir, { activate: true });
  return { set, notice: `No model set was registered: registered and activated the bundled demo set "${set.name}" (${dir})` };
}
