// Brings up the real engine and registries (scripts/engine.sh) before the integration tests and
// hands their addresses to the test workers through the environment. There is no skip: if the
// engine cannot be had, the run fails here, loudly, with the script's own message.
import { buildkitDown, buildkitUp, engineDown, engineUp } from './engine-env.js';

export default function setup(): () => Promise<void> {
  let env: Record<string, string>;
  try {
    env = engineUp();
  } catch (error) {
    throw new Error(
      `the integration tests need a real Docker engine and scripts/engine.sh could not provide one: ${(error as Error).message}`,
    );
  }
  Object.assign(process.env, env);
  // standalone BuildKit daemons beside the engine (they use its registries)
  try {
    Object.assign(process.env, buildkitUp(env));
  } catch (error) {
    throw new Error(
      `the integration tests need buildkitd and scripts/buildkitd.sh could not start it: ${(error as Error).message}`,
    );
  }
  // testcontainers finds the engine through DOCKER_HOST; nothing here has a bridge network.
  process.env['TESTCONTAINERS_RYUK_DISABLED'] = 'true';
  process.env['TESTCONTAINERS_HOST_OVERRIDE'] = '127.0.0.1';
  return async () => {
    // In CI nothing may outlive the run; on a developer machine the engine is kept for the next run.
    if (process.env['CI'] === 'true') {
      await buildkitDown();
      await engineDown();
    }
  };
}
