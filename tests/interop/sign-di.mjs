/*
 * Signs a credential with the reference stack: an Ed25519 did:key and
 * DataIntegrityProof / eddsa-rdfc-2022 via @digitalbazaar/vc `issue`.
 * Used to check that LearnProof's verifier accepts reference-signed input.
 *
 * Request:
 *   {credential, seed?: hex (32 bytes), created?: iso, setIssuer?: bool,
 *    documents?: {url: doc}}
 *   Without a seed a fresh key is generated. The issuer is set to the did:key
 *   when the credential has none, or always with setIssuer: true (a string
 *   issuer is replaced, an object issuer gets its id replaced).
 *   or a batch {items: [credential, ...], warmup?: n, seed?, created?,
 *   setIssuer?, documents?}: every item signed with the same key, one after
 *   another; the first `warmup` items are signed but not timed.
 * Result:
 *   {signed, did, verificationMethod, publicKeyMultibase}
 *   (for a batch `signed` is the list, and `seconds` the signing time alone,
 *   without Node's start and the library load: what bench/issue.py --peer reads)
 */
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {
  cryptosuite as eddsaRdfc2022Cryptosuite
} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {issue} from '@digitalbazaar/vc';

import {buildDocumentLoader, main} from './lib/harness.mjs';

function seedBytes(seed) {
  if(!/^[0-9a-fA-F]{64}$/.test(seed)) {
    throw new TypeError('"seed" must be 64 hex characters (32 bytes)');
  }
  return Uint8Array.from(Buffer.from(seed, 'hex'));
}

function withIssuer(credential, did, setIssuer) {
  const out = structuredClone(credential);
  if(out.issuer === undefined) {
    out.issuer = did;
  } else if(setIssuer) {
    out.issuer = typeof out.issuer === 'object' ?
      {...out.issuer, id: did} : did;
  }
  return out;
}

export async function handle(request) {
  const {
    credential, items, warmup = 0, seed, created, setIssuer = false,
    documents = {}
  } = request;
  const batch = Array.isArray(items);
  const credentials = batch ? items : [credential];
  if(credentials.some(c => !c || typeof c !== 'object')) {
    throw new TypeError('"credential" must be an object');
  }
  const generated = await Ed25519Multikey.generate(
    seed ? {seed: seedBytes(seed)} : {});
  const did = `did:key:${generated.publicKeyMultibase}`;
  const verificationMethod = `${did}#${generated.publicKeyMultibase}`;
  const keyPair = await Ed25519Multikey.from({
    ...await generated.export({publicKey: true, secretKey: true}),
    id: verificationMethod,
    controller: did
  });
  const documentLoader = buildDocumentLoader({documents});
  let started = performance.now();
  const signed = [];
  for(const each of credentials) {
    if(signed.length === warmup) {
      started = performance.now();
    }
    const suite = new DataIntegrityProof({
      signer: keyPair.signer(),
      cryptosuite: eddsaRdfc2022Cryptosuite,
      ...(created ? {date: created} : {})
    });
    signed.push(await issue({
      credential: withIssuer(each, did, setIssuer),
      suite,
      documentLoader
    }));
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    signed: batch ? signed.slice(warmup) : signed[0],
    ...(batch ? {seconds} : {}),
    did,
    verificationMethod,
    publicKeyMultibase: generated.publicKeyMultibase
  };
}

await main(handle);
