/*
 * Verifies a JWS / JWT (VC-JOSE-COSE) with `jose`.
 *
 * Request:
 *   {jwt, jwk?: JWK | verification method with publicKeyJwk,
 *    jwks?: {keys: [...]}, now?: iso, typ?: str, mode?: "jwt" | "jws",
 *    algorithms?: [str]}
 *   Exactly one of jwk / jwks. Private members of a JWK (d, ...) are dropped.
 *   mode "jwt" (default) runs jwtVerify: signature plus exp/nbf/iat claim
 *   checks; "jws" runs compactVerify: signature only.
 * Result:
 *   {verified, header, payload, error?, errorCode?}
 *   header/payload are decoded even when verification fails (null if
 *   undecodable).
 */
import * as jose from 'jose';

import {main} from './lib/harness.mjs';

const DEFAULT_ALGORITHMS = ['EdDSA', 'Ed25519', 'ES256'];
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function publicJwk(jwk) {
  const source = jwk.publicKeyJwk || jwk;
  const out = {...source};
  for(const member of PRIVATE_MEMBERS) {
    delete out[member];
  }
  return out;
}

function tryDecode(fn) {
  try {
    return fn();
  } catch{
    return null;
  }
}

async function keyFor({jwk, jwks}) {
  if(jwks && jwk) {
    throw new TypeError('give either "jwk" or "jwks", not both');
  }
  if(jwks) {
    return jose.createLocalJWKSet({keys: jwks.keys.map(publicJwk)});
  }
  if(jwk) {
    const pub = publicJwk(jwk);
    // jose picks the key type from the JWK; the protected header's alg must
    // still be in `algorithms`
    return async header => jose.importJWK(pub, pub.alg || header.alg);
  }
  throw new TypeError('"jwk" or "jwks" is required');
}

export async function handle(request) {
  const {
    jwt, jwk, jwks, now, typ, mode = 'jwt',
    algorithms = DEFAULT_ALGORITHMS
  } = request;
  if(typeof jwt !== 'string') {
    throw new TypeError('"jwt" must be a compact JWS string');
  }
  const header = tryDecode(() => jose.decodeProtectedHeader(jwt));
  let payload = tryDecode(() => jose.decodeJwt(jwt));
  if(!['jwt', 'jws'].includes(mode)) {
    throw new TypeError(`unknown mode "${mode}"`);
  }
  const key = await keyFor({jwk, jwks});
  try {
    if(mode === 'jws') {
      const result = await jose.compactVerify(jwt, key, {algorithms});
      if(typ && result.protectedHeader.typ !== typ) {
        throw Object.assign(
          new Error(`header typ must be "${typ}", got ` +
            `"${result.protectedHeader.typ}"`),
          {code: 'HARNESS_TYP_MISMATCH'});
      }
      payload = tryDecode(() => JSON.parse(
        new TextDecoder().decode(result.payload)));
    } else {
      const options = {algorithms};
      if(typ) {
        options.typ = typ;
      }
      if(now) {
        options.currentDate = new Date(now);
      }
      ({payload} = await jose.jwtVerify(jwt, key, options));
    }
  } catch(e) {
    // any failure here (bad signature, claims, key/alg mismatch) is a verdict
    return {
      verified: false,
      header,
      payload,
      error: e.code ? `jose: ${e.code}: ${e.message}` : `${e.name}: ${e.message}`,
      errorCode: e.code || null
    };
  }
  return {verified: true, header, payload};
}

await main(handle);
