// A loopback registry that serves only the v1 search endpoint: registry 2 has none, and the
// engine's /images/search needs one (ENGINE.md). Everything else is the real engine.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface SearchRegistry {
  address: string;
  requests: Array<{ url: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

export async function startSearchRegistry(
  repositories: Array<{ name: string; description: string; star_count: number }>,
): Promise<SearchRegistry> {
  const requests: SearchRegistry['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    const url = new URL(req.url ?? '/', 'http://registry');
    res.setHeader('Content-Type', 'application/json');
    if (url.pathname === '/v1/_ping') {
      res.end('{"standalone":true}');
    } else if (url.pathname === '/v1/search') {
      const q = url.searchParams.get('q') ?? '';
      const n = Number(url.searchParams.get('n') ?? 25);
      const results = repositories
        .filter((r) => r.name.includes(q))
        .slice(0, n)
        .map((r) => ({ ...r, is_official: false, is_automated: false }));
      res.end(JSON.stringify({ num_results: results.length, query: q, results }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
