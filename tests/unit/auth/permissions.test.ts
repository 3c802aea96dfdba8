import { describe, expect, it } from 'vitest';
import { LOCAL_ADMIN, type ProjectRole, type Viewer } from '../../../src/auth/viewer.js';
import { canRead, hasRole, requireRole, requireSystemAdmin, roleAtLeast, roleIn, scopeWithRole } from '../../../src/auth/permissions.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';
const FOREIGN = '00000000-0000-4000-8000-0000000000ff';

function member(roles: Record<string, ProjectRole>): Viewer {
  const map = new Map(Object.entries(roles));
  return { userId: 'u', email: 'u@example.org', isAdmin: false, scope: { kind: 'projects', projectIds: [...map.keys()] }, roles: map };
}

// One user holding each role in a different project.
const viewer = member({ [A]: 'VIEWER', [B]: 'RESEARCHER', [C]: 'ADMIN' });
const systemAdmin: Viewer = { ...member({}), isAdmin: true, scope: { kind: 'all' } };
const MINIMA: readonly ProjectRole[] = ['VIEWER', 'RESEARCHER', 'ADMIN'];

describe('role order', () => {
  it('is admin > researcher > viewer', () => {
    const table = MINIMA.map((role) => MINIMA.map((minimum) => roleAtLeast(role, minimum)));
    expect(table).toEqual([
      [true, false, false],
      [true, true, false],
      [true, true, true],
    ]);
  });
});

describe('requireRole', () => {
  // Expected outcome for (project, minimum): the role held, or the error code.
  const matrix: [string, ProjectRole, string][] = [
    [A, 'VIEWER', 'VIEWER'],
    [A, 'RESEARCHER', 'FORBIDDEN'],
    [A, 'ADMIN', 'FORBIDDEN'],
    [B, 'VIEWER', 'RESEARCHER'],
    [B, 'RESEARCHER', 'RESEARCHER'],
    [B, 'ADMIN', 'FORBIDDEN'],
    [C, 'VIEWER', 'ADMIN'],
    [C, 'RESEARCHER', 'ADMIN'],
    [C, 'ADMIN', 'ADMIN'],
    [FOREIGN, 'VIEWER', 'NOT_FOUND'],
    [FOREIGN, 'ADMIN', 'NOT_FOUND'],
  ];

  it.each(matrix)('project %s, at least %s -> %s', (project, minimum, expected) => {
    let outcome: string;
    try {
      outcome = requireRole(viewer, project, minimum);
    } catch (e) {
      outcome = (e as { code: string }).code;
    }
    expect(outcome).toBe(expected);
    expect(hasRole(viewer, project, minimum)).toBe(!['FORBIDDEN', 'NOT_FOUND'].includes(expected));
  });

  it('says a foreign project is not found exactly as a made-up id would be', () => {
    expect(() => requireRole(viewer, FOREIGN, 'VIEWER')).toThrow(`Project ${FOREIGN} was not found`);
  });

  it('names the role needed when forbidden', () => {
    expect(() => requireRole(viewer, A, 'RESEARCHER')).toThrow(
      expect.objectContaining({ details: { projectId: A, required: 'RESEARCHER', actual: 'VIEWER' } }),
    );
  });

  it('ignores a role map entry for a project outside the scope', () => {
    const inconsistent: Viewer = { ...viewer, scope: { kind: 'projects', projectIds: [A] } };
    expect(roleIn(inconsistent, C)).toBeNull();
    expect(() => requireRole(inconsistent, C, 'VIEWER')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('lets system admins and the local admin do anything anywhere', () => {
    for (const admin of [systemAdmin, LOCAL_ADMIN]) {
      for (const project of [A, FOREIGN]) expect(requireRole(admin, project, 'ADMIN')).toBe('ADMIN');
    }
  });
});

describe('canRead, requireSystemAdmin, scopeWithRole', () => {
  it('reads every member project and nothing else', () => {
    expect([A, B, C, FOREIGN].map((p) => canRead(viewer, p))).toEqual([true, true, true, false]);
    expect(canRead(member({}), A)).toBe(false);
    expect(canRead(systemAdmin, FOREIGN)).toBe(true);
  });

  it('keeps system administration to system admins, whatever their project roles', () => {
    expect(() => requireSystemAdmin(viewer)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => requireSystemAdmin(systemAdmin)).not.toThrow();
    expect(() => requireSystemAdmin(LOCAL_ADMIN)).not.toThrow();
  });

  it('narrows the scope to the projects with at least a role', () => {
    expect(scopeWithRole(viewer, 'VIEWER')).toEqual({ kind: 'projects', projectIds: [A, B, C] });
    expect(scopeWithRole(viewer, 'RESEARCHER')).toEqual({ kind: 'projects', projectIds: [B, C] });
    expect(scopeWithRole(viewer, 'ADMIN')).toEqual({ kind: 'projects', projectIds: [C] });
    expect(scopeWithRole(systemAdmin, 'ADMIN')).toEqual({ kind: 'all' });
  });
});
