import type { Database } from '../db/client.js';
import { badInput, notFound } from '../domain/errors.js';
import { isUuid } from '../domain/ids.js';

export const DEFAULT_PROJECT = 'default';

/** The project of that name, created when missing (imports into a new cohort start this way). */
export async function ensureProject(db: Database, name: string = DEFAULT_PROJECT): Promise<{ id: string; name: string }> {
  const trimmed = name.trim();
  if (!/^[\w .:-]{1,100}$/.test(trimmed)) throw badInput(`Project name "${name}" must be 1-100 letters, digits, spaces or _.:-`);
  return db.prisma.project.upsert({ where: { name: trimmed }, create: { name: trimmed }, update: {}, select: { id: true, name: true } });
}

export async function getProject(db: Database, id: string): Promise<{ id: string; name: string }> {
  const project = isUuid(id) ? await db.prisma.project.findUnique({ where: { id }, select: { id: true, name: true } }) : null;
  if (!project) throw notFound('Project', id);
  return project;
}

export async function getProjectByName(db: Database, name: string): Promise<{ id: string; name: string }> {
  const project = await db.prisma.project.findUnique({ where: { name }, select: { id: true, name: true } });
  if (!project) throw notFound('Project', name);
  return project;
}
