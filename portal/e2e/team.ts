// A business with an owner and two agents, set up through the public API (fast: no pages), the
// way a person would: the owner signs up and verifies the mailed link; the agents are invited
// with the built-in "agent" role and accept the mailed invitation. The browsers then log in
// through the login page (account.ts).
import { waitForLink } from './mail';
import { newOwner, type Owner } from './account';

export interface Person {
  name: string;
  email: string;
  password: string;
  business: string;
}

export interface Team {
  owner: Owner;
  ownerToken: string;
  a: Person;
  b: Person;
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public body: unknown,
    what: string,
  ) {
    super(`${what}: ${status} ${JSON.stringify(body)}`);
  }
}

/** One JSON call to the server under test. */
export async function call<T = unknown>(base: string, method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const res = await fetch(new URL(path, base), {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) throw new ApiError(res.status, json, `${method} ${path}`);
  return json as T;
}

function tokenOf(link: string): string {
  const t = new URL(link, 'http://x').searchParams.get('token');
  if (!t) throw new Error(`no token in ${link}`);
  return t;
}

export async function logInApi(base: string, email: string, password: string): Promise<string> {
  const s = await call<{ access_token: string }>(base, 'POST', '/api/v1/auth/login', { email, password });
  return s.access_token;
}

export async function setUpTeam(base: string, mailDir: string, names = { a: 'Ana Álvarez', b: 'Bruno Blanco' }): Promise<Team> {
  const owner = newOwner('team');
  await call(base, 'POST', '/api/v1/signup', { business_name: owner.business, name: owner.name, email: owner.email, password: owner.password, locale: 'en' });
  const verify = await waitForLink({ dir: mailDir, to: owner.email, pathFragment: '/verify-email?token=' });
  await call(base, 'POST', '/api/v1/auth/verify-email', { token: tokenOf(verify) });
  const ownerToken = await logInApi(base, owner.email, owner.password);

  const roles = await call<{ items: { id: string; name: string }[] } | { id: string; name: string }[]>(base, 'GET', '/api/v1/roles', undefined, ownerToken);
  const list = Array.isArray(roles) ? roles : roles.items;
  const agentRole = list.find((r) => r.name.toLowerCase() === 'agent');
  if (!agentRole) throw new Error(`no agent role in ${JSON.stringify(list)}`);

  const stamp = owner.email.replace(/^team-|@.*$/g, '');
  const person = (key: 'a' | 'b'): Person => ({
    name: names[key],
    email: `agent-${key}-${stamp}@example.com`,
    password: 'C0rrect-horse-battery',
    business: owner.business,
  });
  const a = person('a');
  const b = person('b');
  for (const p of [a, b]) {
    await call(base, 'POST', '/api/v1/invitations', { email: p.email, role_id: agentRole.id }, ownerToken);
  }
  for (const p of [a, b]) {
    const link = await waitForLink({ dir: mailDir, to: p.email, pathFragment: '/accept-invitation?token=' });
    await call(base, 'POST', '/api/v1/invitations/accept', { token: tokenOf(link), name: p.name, password: p.password });
  }
  return { owner, ownerToken, a, b };
}
