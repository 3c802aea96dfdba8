import { describe, expect, it } from 'vitest';
import { AGE_BANDS, ageBandOf, fieldStrengthOf, manufacturerOf, sexOf } from '../../../src/domain/stratifiers.js';

describe('age bands (HIPAA Safe Harbor)', () => {
  it('has 18 five-year bands and one 90+', () => {
    expect(AGE_BANDS).toHaveLength(19);
    expect(AGE_BANDS[0]).toBe('00-04');
    expect(AGE_BANDS[17]).toBe('85-89');
    expect(AGE_BANDS[18]).toBe('90+');
  });

  it.each([
    ['062Y', '60-64'],
    ['060Y', '60-64'],
    ['064Y', '60-64'],
    ['065Y', '65-69'],
    ['089Y', '85-89'],
    ['090Y', '90+'],
    ['104Y', '90+'],
    ['011M', '00-04'],
    ['060M', '05-09'],
    ['020W', '00-04'],
    ['003D', '00-04'],
    ['45Y', '45-49'],
  ])('%s -> %s', (age, band) => expect(ageBandOf(age)).toBe(band));

  it.each(['', 'Y', '62', '062X', 'abc', '1000Y', '-05Y'])('refuses %j', (age) => expect(ageBandOf(age)).toBeNull());
  it('refuses absence', () => expect(ageBandOf(undefined)).toBeNull());
});

describe('the other stratifiers', () => {
  it('keeps sex as M, F, O only', () => {
    expect([sexOf('F'), sexOf(' m '), sexOf('O'), sexOf('X'), sexOf(undefined)]).toEqual(['F', 'M', 'O', null, null]);
  });

  it('reduces Manufacturer to a vendor, never free text', () => {
    expect(manufacturerOf('SIEMENS')).toBe('SIEMENS');
    expect(manufacturerOf('GE MEDICAL SYSTEMS')).toBe('GE');
    expect(manufacturerOf('GE Healthcare')).toBe('GE');
    expect(manufacturerOf('Philips Medical Systems')).toBe('PHILIPS');
    expect(manufacturerOf('TOSHIBA')).toBe('CANON');
    expect(manufacturerOf('Hitachi Medical Corporation')).toBe('HITACHI');
    expect(manufacturerOf('Dr Smith Imaging of Duluth')).toBe('OTHER');
    expect(manufacturerOf('  ')).toBeNull();
  });

  it('rounds field strength to 0.1 T and reads gauss as gauss', () => {
    expect(fieldStrengthOf(1.5)).toBe(1.5);
    expect(fieldStrengthOf(2.89)).toBe(2.9);
    expect(fieldStrengthOf(3)).toBe(3);
    expect(fieldStrengthOf(15000)).toBe(1.5);
    expect(fieldStrengthOf(0)).toBeNull();
    expect(fieldStrengthOf(undefined)).toBeNull();
  });
});
