// Which image ID a classic build's log reports, as Docker and Podman write it.
import { describe, expect, it } from 'vitest';
import { builtImageId } from '../../../src/images/build.js';

const hex = 'bac938371ab6b39088c1d6e38ebafdf6b81fd98990355bae4a471a93c11591ea';

describe('builtImageId', () => {
  it('takes the last aux.ID (one per stage of a multi-stage build)', () => {
    expect(
      builtImageId([
        { aux: { ID: 'sha256:1' } },
        { stream: 'Successfully built 0123456789ab\n' },
        { aux: { ID: `sha256:${hex}` } },
      ]),
    ).toBe(`sha256:${hex}`);
  });

  it('a quiet build: Docker prints sha256:..., Podman the bare hex', () => {
    expect(builtImageId([{ stream: `sha256:${hex}\n` }])).toBe(`sha256:${hex}`);
    expect(builtImageId([{ stream: `${hex}\n` }])).toBe(`sha256:${hex}`);
  });

  it('falls back to "Successfully built", and finds nothing in other lines', () => {
    expect(builtImageId([{ stream: 'Successfully built 0123456789ab\n' }])).toBe('0123456789ab');
    expect(builtImageId([{ stream: `RUN echo ${hex}\n` }, { stream: 'Step 1/2 : FROM x\n' }])).toBeUndefined();
  });
});
