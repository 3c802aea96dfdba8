import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { derivedRootName } from '../../src/config/storage-roots.js';
import { testConfig } from '../support/test-config.js';

describe('data roots with names (DATA_ROOTS)', () => {
  it('names a root name=/folder as given, and a plain /folder by a hash of its path alone', () => {
    const config = testConfig({ DATA_ROOTS: 'mri=/data/mri,/exports/DOE_JOHN', DATA_DIR: '/srv/sg', DICOMWEB_CACHE_DIR: '/var/cache/sg' });
    expect(config.storageRoots).toEqual([
      { name: 'data', path: '/srv/sg' },
      { name: 'dicomweb', path: '/var/cache/sg' },
      { name: 'mri', path: '/data/mri' },
      { name: derivedRootName('/exports/DOE_JOHN'), path: '/exports/DOE_JOHN' },
    ]);
    expect(derivedRootName('/exports/DOE_JOHN')).toMatch(/^r[0-9a-f]{10}$/);
    expect(derivedRootName('/exports/DOE_JOHN/')).toBe(derivedRootName('/exports/DOE_JOHN'));
    // Confinement of API imports still reads the folders alone.
    expect(config.dataRoots).toEqual(['/data/mri', '/exports/DOE_JOHN']);
  });

  it('gives the empty DATA_ROOTS case (development) DATA_DIR as "data" and the working folder as the root "cwd"', () => {
    const config = testConfig({ DATA_DIR: '/srv/sg' });
    expect(config.dataRoots).toEqual([]);
    expect(config.storageRoots).toEqual([
      { name: 'data', path: '/srv/sg' },
      { name: 'dicomweb', path: '/srv/sg/dicomweb' },
      { name: 'cwd', path: resolve('.') },
    ]);
  });

  it('refuses two roots of one name (also the reserved dicomweb) and malformed names', () => {
    expect(() => testConfig({ DATA_ROOTS: 'a=/x,a=/y' })).toThrow(/DATA_ROOTS: two roots are named "a"/);
    expect(() => testConfig({ DATA_ROOTS: '/x,/x' })).toThrow(ConfigError);
    expect(() => testConfig({ DATA_ROOTS: 'dicomweb=/x' })).toThrow(/two roots are named "dicomweb"/);
    expect(() => testConfig({ DATA_ROOTS: 'data=/x' })).toThrow(/two roots are named "data"/);
    expect(() => testConfig({ DATA_ROOTS: 'Bad Name=/x' })).toThrow(/root name "Bad Name"/);
    // Kept for roots that imports register (a configured one would shadow their files).
    expect(() => testConfig({ DATA_ROOTS: 'registered-0123456789=/x' })).toThrow(/kept for registered roots/);
  });
});
