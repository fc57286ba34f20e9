// A real OpenID provider for the tests: the certified `oidc-provider` package on loopback,
// with the test users below and a small control surface under /__test/ that lets a test
// change a user's groups at the provider and tamper with the next ID token it hands out.
//
//   OP_PORT=4100 OP_APP_URL=http://127.0.0.1:3000 OP_CLIENT_ID=digiparat \
//   OP_CLIENT_SECRET=... node oidc-provider.mjs
//
// It prints `ready <issuer>` on one line once it listens.
import Provider from 'oidc-provider';
import * as jose from 'jose';

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`oidc-provider.mjs: ${name} is not set`);
    process.exit(2);
  }
  return value;
};
const port = Number(env('OP_PORT'));
const appUrl = env('OP_APP_URL');
const clientId = env('OP_CLIENT_ID');
const clientSecret = env('OP_CLIENT_SECRET');
const issuer = `http://127.0.0.1:${port}`;

// The people the provider knows, by the login typed at its sign-in form.
const users = {
  karen: { name: 'Karen Caseworker', groups: ['dp-caseworkers-a'] },
  mads: { name: 'Mads Manager', groups: ['dp-managers'] },
  lone: { name: 'Lone Leaver', groups: ['dp-caseworkers-a'] },
};

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await jose.exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [`${appUrl}/auth/oidc/callback`],
    post_logout_redirect_uris: [`${appUrl}/`],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: ['digiparat-test-provider-cookie-key'] },
  claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'groups'] },
  // The claims of the requested scopes go into the ID token itself, as Entra ID does.
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: () => true },
  async findAccount(_ctx, id) {
    const user = users[id];
    if (!user) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, name: user.name, preferred_username: id, groups: [...user.groups] };
      },
    };
  },
  // First-party: no consent page.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile');
    grant.addOIDCClaims(['name', 'preferred_username', 'groups']);
    await grant.save();
    return grant;
  },
});

let tamper = null;
let previousIdToken = null;

async function resign(token, change) {
  const claims = { ...jose.decodeJwt(token), ...change };
  return new jose.SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: signingKey.kid, typ: 'JWT' })
    .sign(privateKey);
}

async function tampered(token, mode) {
  const now = Math.floor(Date.now() / 1000);
  switch (mode) {
    case 'signature': {
      const [header, payload, signature] = token.split('.');
      const i = 20;
      const flipped = signature[i] === 'A' ? 'B' : 'A';
      return `${header}.${payload}.${signature.slice(0, i)}${flipped}${signature.slice(i + 1)}`;
    }
    case 'audience': return resign(token, { aud: 'another-client' });
    case 'issuer': return resign(token, { iss: 'http://127.0.0.1:1' });
    case 'expired': return resign(token, { iat: now - 7200, exp: now - 3600 });
    // A genuine ID token from an earlier sign-in: its nonce belongs to that sign-in.
    case 'replay': return previousIdToken ?? token;
    default: throw new Error(`unknown tamper mode ${mode}`);
  }
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test/groups') {
    const user = users[ctx.query.user];
    if (!user) { ctx.status = 404; ctx.body = 'no such user'; return; }
    user.groups = String(ctx.query.groups ?? '').split(',').filter(Boolean);
    ctx.body = 'ok';
    return;
  }
  if (ctx.path === '/__test/tamper') {
    tamper = String(ctx.query.mode);
    ctx.body = 'ok';
    return;
  }
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token) {
    const genuine = ctx.body.id_token;
    if (tamper) {
      ctx.body.id_token = await tampered(genuine, tamper);
      tamper = null;
    }
    previousIdToken = genuine;
  }
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
