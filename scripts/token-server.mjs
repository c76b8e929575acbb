// A token server for registry 2.8's `auth.token`, as Docker Hub's auth.docker.io is for Docker
// Hub: GET /token?service=&scope= (Basic credentials, or none) and POST /token (the OAuth2
// `password` and `refresh_token` grants) answer a JWT signed RS256 with the certificate in its
// `x5c` header. The user gets every action a scope asks for; anyone gets `pull` on repositories
// under `public/`. GET /counts tells how many tokens were given per scope (for the tests).
//
//   node scripts/token-server.mjs --port P --key KEY --cert CERT --service S --issuer I --user U --password PW
import { createHmac, createSign, randomUUID, timingSafeEqual, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: Object.fromEntries(
    ['port', 'key', 'cert', 'service', 'issuer', 'user', 'password'].map((k) => [k, { type: 'string' }]),
  ),
});
const key = readFileSync(args.key, 'utf8');
const certDer = new X509Certificate(readFileSync(args.cert)).raw.toString('base64');
const lifetime = 300;
const counts = {};
// the refresh token a password grant hands out: tied to the password, so it dies with it
const refreshToken = createHmac('sha256', args.password).update(`refresh:${args.user}`).digest('hex');

const b64url = (data) => Buffer.from(data).toString('base64url');
const same = (a, b) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function sign(subject, access) {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5c: [certDer] }));
  const claims = b64url(
    JSON.stringify({
      iss: args.issuer,
      sub: subject,
      aud: args.service,
      exp: now + lifetime,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    }),
  );
  const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(key).toString('base64url');
  return `${header}.${claims}.${signature}`;
}

/** `repository:name:pull,push` → what this subject may do there. */
function grant(scopes, user) {
  const access = [];
  for (const scope of scopes) {
    const [type, ...rest] = scope.split(':');
    const actions = (rest.pop() ?? '').split(',').filter(Boolean);
    const name = rest.join(':');
    if (type !== 'repository' || !name) continue;
    const allowed = user ? actions : name.startsWith('public/') ? actions.filter((a) => a === 'pull') : [];
    if (allowed.length) access.push({ type, name, actions: allowed });
  }
  return access;
}

function answer(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function issue(res, params, user, withRefresh) {
  if (params.getAll('service').some((s) => s !== args.service)) return answer(res, 400, { error: 'invalid_request' });
  const scopes = params
    .getAll('scope')
    .flatMap((s) => s.split(' '))
    .filter(Boolean);
  const counted = scopes.slice().sort().join(' ') || '(none)';
  counts[counted] = (counts[counted] ?? 0) + 1;
  const token = sign(user ?? '', grant(scopes, user));
  answer(res, 200, {
    token,
    access_token: token,
    expires_in: lifetime,
    issued_at: new Date().toISOString(),
    ...(withRefresh ? { refresh_token: refreshToken } : {}),
  });
}

function basicUser(header) {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return { given: false };
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  const [user, password] = [text.slice(0, colon), text.slice(colon + 1)];
  return {
    given: true,
    user: colon !== -1 && same(user, args.user) && same(password, args.password) ? user : undefined,
  };
}

createServer((req, res) => {
  const url = new URL(req.url, 'http://token');
  if (req.method === 'GET' && url.pathname === '/counts') return answer(res, 200, counts);
  if (url.pathname !== '/token') return answer(res, 404, { error: 'not_found' });
  if (req.method === 'GET') {
    const basic = basicUser(req.headers.authorization);
    if (basic.given && !basic.user) return answer(res, 401, { error: 'unauthorized', details: 'bad credentials' });
    return issue(
      res,
      url.searchParams,
      basic.user,
      url.searchParams.get('offline_token') === 'true' && basic.user !== undefined,
    );
  }
  if (req.method !== 'POST') return answer(res, 405, { error: 'method_not_allowed' });
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const form = new URLSearchParams(body);
    const kind = form.get('grant_type');
    if (kind === 'password') {
      if (!same(form.get('username') ?? '', args.user) || !same(form.get('password') ?? '', args.password))
        return answer(res, 401, { error: 'invalid_grant' });
      return issue(res, form, args.user, form.get('access_type') === 'offline');
    }
    if (kind === 'refresh_token') {
      if (!same(form.get('refresh_token') ?? '', refreshToken)) return answer(res, 401, { error: 'invalid_grant' });
      return issue(res, form, args.user, false);
    }
    return answer(res, 400, { error: 'unsupported_grant_type' });
  });
}).listen(Number(args.port), '127.0.0.1');
