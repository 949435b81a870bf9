/*
 * Shared plumbing for the interop scripts: one JSON request on stdin, one JSON
 * result on stdout, and a fail-closed JSON-LD document loader that never
 * touches the network.
 *
 * Contexts come from vendored files, mapped URL -> file name by contexts.json.
 * Directory: $LEARNPROOF_CONTEXTS_DIR if set (only that directory), otherwise
 * <repo>/app/crypto/contexts, then <repo>/../shared/reference/contexts and
 * <repo>/tests/vectors/interop/contexts for files the product has not
 * vendored (first hit wins).
 */
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as didKey from '@digitalbazaar/did-method-key';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import {
  createVerifyCryptosuite as createEcdsaJcs2019VerifyCryptosuite
} from '@digitalbazaar/ecdsa-jcs-2019-cryptosuite';
import {
  cryptosuite as ecdsaRdfc2019Cryptosuite
} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {
  createVerifyCryptosuite as createEddsaJcs2022VerifyCryptosuite
} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {
  cryptosuite as eddsaRdfc2022Cryptosuite
} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {JsonLdDocumentLoader} from 'jsonld-document-loader';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const INTEROP_DIR = path.resolve(HERE, '..');
export const REPO_DIR = path.resolve(INTEROP_DIR, '..', '..');

export function contextDirs() {
  if(process.env.LEARNPROOF_CONTEXTS_DIR) {
    return [path.resolve(process.env.LEARNPROOF_CONTEXTS_DIR)];
  }
  return [
    path.join(REPO_DIR, 'app', 'crypto', 'contexts'),
    path.resolve(REPO_DIR, '..', 'shared', 'reference', 'contexts'),
    path.join(REPO_DIR, 'tests', 'vectors', 'interop', 'contexts')
  ];
}

/** URL -> absolute path of the file that serves it (URLs without a file are left out). */
export function contextFiles() {
  const map = JSON.parse(
    readFileSync(path.join(INTEROP_DIR, 'contexts.json'), 'utf8'));
  const dirs = contextDirs();
  const files = {};
  for(const [url, name] of Object.entries(map)) {
    const hit = dirs.map(d => path.join(d, name)).find(f => existsSync(f));
    if(hit) {
      files[url] = hit;
    }
  }
  return files;
}

let contextCache;
function loadContexts() {
  if(!contextCache) {
    contextCache = new Map(Object.entries(contextFiles()).map(
      ([url, file]) => [url, JSON.parse(readFileSync(file, 'utf8'))]));
  }
  return contextCache;
}

export function makeDidKeyDriver() {
  const driver = didKey.driver();
  driver.use({
    multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from
  });
  driver.use({
    multibaseMultikeyHeader: 'zDna', fromMultibase: EcdsaMultikey.from
  });
  driver.use({
    multibaseMultikeyHeader: 'z82L', fromMultibase: EcdsaMultikey.from
  });
  return driver;
}

/** did:web:host%3Aport:a:b -> candidate URLs of its DID document. */
function didWebUrls(did) {
  const parts = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
  const [host, ...segments] = parts;
  const suffix = segments.length ?
    `/${segments.join('/')}/did.json` : '/.well-known/did.json';
  return [`https://${host}${suffix}`, `http://${host}${suffix}`];
}

function findVerificationMethod(didDocument, did, fragment) {
  const wanted = new Set([`${did}#${fragment}`, `#${fragment}`]);
  const relations = [
    'verificationMethod', 'assertionMethod', 'authentication',
    'capabilityInvocation', 'capabilityDelegation', 'keyAgreement'
  ];
  for(const relation of relations) {
    for(const vm of [].concat(didDocument[relation] || [])) {
      if(vm && typeof vm === 'object' && wanted.has(vm.id)) {
        return vm;
      }
    }
  }
  return undefined;
}

/**
 * Builds a documentLoader that serves ONLY: the vendored contexts, the
 * caller's `documents` ({url: doc}), DID URLs into those documents, and
 * did:key. Anything else throws.
 */
export function buildDocumentLoader({documents = {}} = {}) {
  const supplied = new Map();
  for(const [url, doc] of Object.entries(documents)) {
    supplied.set(url, typeof doc === 'string' ? JSON.parse(doc) : doc);
  }
  const didKeyDriver = makeDidKeyDriver();

  const didHandler = {
    async get({url}) {
      if(url.startsWith('did:key:')) {
        return didKeyDriver.get({url});
      }
      const [did, fragment] = url.split('#');
      let didDocument = supplied.get(did);
      if(!didDocument && did.startsWith('did:web:')) {
        const hit = didWebUrls(did).find(u => supplied.has(u));
        didDocument = hit && supplied.get(hit);
      }
      if(!didDocument) {
        throw new Error(
          `Refusing to resolve "${url}": no DID document supplied for ` +
          `"${did}" (harness is offline).`);
      }
      if(!fragment) {
        return structuredClone(didDocument);
      }
      const vm = findVerificationMethod(didDocument, did, fragment);
      if(!vm) {
        throw new Error(
          `Verification method "${url}" not found in the DID document.`);
      }
      return {'@context': didDocument['@context'], ...structuredClone(vm)};
    }
  };

  const loader = new JsonLdDocumentLoader();
  loader.addDocuments({documents: loadContexts()});
  loader.addDocuments({documents: supplied});
  loader.setDidResolver(didHandler);
  const base = loader.build();

  return async url => {
    try {
      return await base(url);
    } catch(e) {
      if(e && String(e.message).startsWith('Document not found')) {
        throw new Error(
          `Refusing to load unknown URL "${url}" (not a vendored context ` +
          'nor a supplied document; harness is offline).');
      }
      throw e;
    }
  };
}

/** Verification suites: eddsa-rdfc-2022 and ecdsa-rdfc-2019. */
export function verifySuites() {
  return [
    new DataIntegrityProof({cryptosuite: eddsaRdfc2022Cryptosuite}),
    new DataIntegrityProof({cryptosuite: ecdsaRdfc2019Cryptosuite}),
    new DataIntegrityProof({cryptosuite: createEddsaJcs2022VerifyCryptosuite()}),
    new DataIntegrityProof({cryptosuite: createEcdsaJcs2019VerifyCryptosuite()})
  ];
}

/** Flattens an Error (with .errors / .cause chains) into unique messages. */
export function errorMessages(error, out = []) {
  if(!error) {
    return out;
  }
  if(Array.isArray(error)) {
    error.forEach(e => errorMessages(e, out));
    return out;
  }
  const nested = Array.isArray(error.errors) ? error.errors : [];
  // a VerificationError only wraps its `errors`; report those instead
  if(!(error.name === 'VerificationError' && nested.length)) {
    const msg = error.message || String(error);
    const detail = error.details ? ` (${_safeJson(error.details)})` : '';
    const line = `${msg}${detail}`;
    if(!out.includes(line)) {
      out.push(line);
    }
  }
  errorMessages(nested, out);
  if(error.cause && error.cause !== error) {
    errorMessages(error.cause, out);
  }
  const detailCause = error.details && error.details.cause;
  if(detailCause instanceof Error && detailCause !== error.cause) {
    errorMessages(detailCause, out);
  }
  return out;
}

function _safeJson(value) {
  try {
    // Error objects serialize to {}: show their message instead
    return JSON.stringify(value, (key, v) => v instanceof Error ? v.message : v);
  } catch{
    return String(value);
  }
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Runs `handler(request)` on the JSON request read from stdin and prints its
 * result as one JSON line. Only harness crashes exit non-zero.
 */
export async function main(handler) {
  let result;
  try {
    const request = JSON.parse(await readStdin());
    result = await handler(request);
  } catch(e) {
    process.stderr.write(`${e && e.stack || e}\n`);
    process.stdout.write(`${JSON.stringify({
      harnessError: errorMessages(e).join('; ') || String(e)
    })}\n`);
    process.exitCode = 2;
    return;
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
