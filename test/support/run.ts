// Runs a command in an image with testcontainers (no network) and returns what it printed.
import { GenericContainer, Wait } from 'testcontainers';

export async function runInImage(image: string, script: string): Promise<string> {
  const marker = `END-${Math.random().toString(36).slice(2)}`;
  const container = await new GenericContainer(image)
    .withNetworkMode('none')
    .withCommand(['sh', '-c', `${script}; echo ${marker}; sleep 60`])
    .withWaitStrategy(Wait.forLogMessage(marker))
    .start();
  try {
    let out = '';
    for await (const chunk of await container.logs()) {
      out += String(chunk);
      if (out.includes(marker)) break;
    }
    return out.slice(0, out.indexOf(marker)).trim();
  } finally {
    await container.stop({ timeout: 1 });
  }
}
