// The Solve request's exporters for `outputs`: an image's names normalized as the docker CLI
// normalizes `-t`, so that the engine that stores them as given finds them by the same names.
import { describe, expect, it } from 'vitest';
import { planOutputs } from '../../../src/buildkit-client/outputs.js';
import { InvalidArgument } from '../../../src/errors.js';

describe('planOutputs', () => {
  it('normalizes image names as docker build -t does', () => {
    const { exporters } = planOutputs([
      { type: 'image', name: ['team/app:1', 'app', '127.0.0.1:5000/x/y:2', 'docker.io/z@sha256:' + 'a'.repeat(64)] },
    ]);
    expect(exporters).toEqual([
      {
        type: 'image',
        attrs: {
          name: `docker.io/team/app:1,docker.io/library/app:latest,127.0.0.1:5000/x/y:2,docker.io/library/z@sha256:${'a'.repeat(64)}`,
        },
      },
    ]);
  });

  it("normalizes a pushed image and an archive's names the same way, and keeps the other attributes", () => {
    const { exporters } = planOutputs([
      { type: 'registry', name: 'localhost:5000/a:1', insecure: true, annotations: { k: 'v' } },
      { type: 'docker', dest: 'unused.tar', name: 'team/app' },
    ]);
    expect(exporters[0]).toEqual({
      type: 'image',
      attrs: { name: 'localhost:5000/a:1', push: 'true', 'registry.insecure': 'true', 'annotation.k': 'v' },
    });
    expect(exporters[1]).toEqual({ type: 'docker', attrs: { name: 'docker.io/team/app:latest' } });
  });

  it('refuses a name that is not a reference, naming the output', () => {
    expect(() => planOutputs([{ type: 'image', name: 'Team/App' }])).toThrow(InvalidArgument);
    expect(() => planOutputs([{ type: 'image', name: 'Team/App' }])).toThrow(/outputs\[0\]\.name/);
  });
});
