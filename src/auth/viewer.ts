import type { ProjectScope } from '../domain/study-filter.js';

export type ProjectRole = 'ADMIN' | 'RESEARCHER' | 'VIEWER';

/** Who is asking. With AUTH_MODE=off the caller is a local administrator of every project. */
export interface Viewer {
  readonly userId: string | null;
  readonly email: string;
  readonly isAdmin: boolean;
  readonly scope: ProjectScope;
  /** Role per project id; absent projects are invisible. Ignored when scope is 'all'. */
  readonly roles: ReadonlyMap<string, ProjectRole>;
}

export const LOCAL_ADMIN: Viewer = Object.freeze({
  userId: null,
  email: 'local@spinegraph',
  isAdmin: true,
  scope: { kind: 'all' } as const,
  roles: new Map<string, ProjectRole>(),
});
