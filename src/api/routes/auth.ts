// POST /auth (`docker login`): the credentials are checked against the registry, not kept.
import { z } from 'zod';
import { invalid } from '../../errors.js';
import type { RegistryClient } from '../../registry/client.js';
import { login } from '../../registry/login.js';
import { readJson } from '../http.js';
import type { Route } from '../router.js';

const authBody = z.object({
  username: z.string().optional(),
  password: z.string().optional(),
  serveraddress: z.string().optional(),
  registrytoken: z.string().optional(),
});

export function authRoutes(registry: RegistryClient): Route[] {
  return [
    {
      method: 'POST',
      path: '/auth',
      handler: async ({ req }) => {
        const r = authBody.safeParse(await readJson(req));
        if (!r.success) throw invalid(`invalid auth request: ${r.error.issues[0]?.message ?? ''}`, 'registry.authBody');
        const { username, password, serveraddress, registrytoken } = r.data;
        await login(registry, serveraddress ?? '', { ...(username ? { username } : {}), ...(password ? { password } : {}), ...(registrytoken ? { registryToken: registrytoken } : {}) });
        // dockerd sends an IdentityToken only for OAuth token servers that issue refresh tokens.
        return { status: 200, body: { IdentityToken: '', Status: 'Login Succeeded' } };
      },
    },
  ];
}
