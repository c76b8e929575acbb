import { describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../src/errors.js';
import { checkOptions } from '../../src/options.js';

const known = ['filters', 'all', 'name', 'noCache', 'manifests'] as const;

describe('checkOptions', () => {
  it.each([
    [{ filter: {} }, /images\.list: unknown option "filter"; did you mean "filters"\?/],
    [{ nocache: true }, /unknown option "nocache"; did you mean "noCache"\?/],
    [{ manfiests: true }, /did you mean "manifests"\?/],
    [{ al: true }, /did you mean "all"\?/],
    [{ somethingElseEntirely: 1 }, /unknown option "somethingElseEntirely"$/],
    [{ all: true, nmae: 'x' }, /unknown option "nmae"; did you mean "name"\?/],
  ])('refuses %j naming the key and the nearest known name', (options, message) => {
    let thrown: unknown;
    try {
      checkOptions('images.list', options, known);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidArgument);
    expect((thrown as Error).message).toMatch(message);
  });

  it('accepts known names, undefined values and no options', () => {
    expect(() => checkOptions('images.list', { filters: {}, all: undefined }, known)).not.toThrow();
    expect(() => checkOptions('images.list', undefined, known)).not.toThrow();
    expect(() => checkOptions('images.list', {}, known)).not.toThrow();
  });

  it.each([[null], [[]], ['filters'], [3]])('refuses %j as options', (options) => {
    expect(() => checkOptions('images.list', options, known)).toThrow(/images\.list: options must be an object/);
  });
});
