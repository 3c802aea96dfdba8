// Which configured DICOMweb source a project may use. An unknown name and a source the project may not use read
// differently (NOT_FOUND, FORBIDDEN): the names are not secret, the URLs and credentials are never shown.
import type { Config } from '../../config.js';
import type { DicomwebSource } from '../../config/dicomweb-sources.js';
import { AppError, notFound } from '../../domain/errors.js';

export interface ProjectRef {
  readonly id: string;
  readonly name: string;
}

export function sourceAllows(source: DicomwebSource, project: ProjectRef): boolean {
  return source.projects.some((p) => p === '*' || p === project.id || p === project.name);
}

export function sourceForProject(config: Pick<Config, 'dicomweb'>, name: string, project: ProjectRef): DicomwebSource {
  const source = config.dicomweb.sources.find((s) => s.name === name);
  if (!source) throw notFound('DICOMweb source', name);
  if (!sourceAllows(source, project)) {
    throw new AppError('FORBIDDEN', `Project "${project.name}" may not use DICOMweb source "${name}"; the operator lists its projects`);
  }
  return source;
}

export function sourcesForProject(config: Pick<Config, 'dicomweb'>, project: ProjectRef): readonly DicomwebSource[] {
  return config.dicomweb.sources.filter((s) => sourceAllows(s, project));
}
