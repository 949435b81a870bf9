/*
 * Verifies a Data Integrity credential with @digitalbazaar/vc
 * (DataIntegrityProof + eddsa-rdfc-2022 / ecdsa-rdfc-2019), offline.
 *
 * Request:
 *   {credential, documents?: {url: doc}, now?: iso, checkStatus?: bool |
 *    {verifyStatusListCredential?: bool, verifyMatchingIssuers?: bool},
 *    checkIssuer?: bool}
 *   or a batch {items: [request, ...], documents?: {...}, warmup?: n} (shared
 *   documents are merged under each item's own; the first `warmup` items are
 *   verified but neither timed nor returned).
 * Result:
 *   {verified, errors: [str], warnings: [str], proofs: [...], statusResult?}
 *   or {results: [result, ...], seconds} for a batch (`seconds`: the time of
 *   the items after the warm-up).
 *
 * checkIssuer (default true) uses @digitalbazaar/vc's CredentialIssuancePurpose,
 * which requires issuer == controller of the verification method; false uses a
 * plain assertionMethod purpose (for vectors whose issuer is not the key's DID).
 * With checkStatus, a set revocation/suspension bit makes `verified` false.
 */
import {verifyCredential} from '@digitalbazaar/vc';
import {checkStatus as bslCheckStatus} from '@digitalbazaar/vc-bitstring-status-list';
import jsigs from 'jsonld-signatures';

import {
  buildDocumentLoader, errorMessages, main, verifySuites
} from './lib/harness.mjs';

const {purposes: {AssertionProofPurpose}} = jsigs;

function statusEntries(credential) {
  const cs = credential && credential.credentialStatus;
  return cs ? [].concat(cs) : [];
}

function makeStatusChecker(checkStatus) {
  const flags = typeof checkStatus === 'object' && checkStatus !== null ?
    checkStatus : {};
  return options => bslCheckStatus({
    ...options,
    verifyBitstringStatusListCredential:
      flags.verifyStatusListCredential ?? true,
    verifyMatchingIssuers: flags.verifyMatchingIssuers ?? true
  });
}

function serializeStatus(statusResult) {
  const out = {verified: statusResult.verified === true};
  if(statusResult.error) {
    out.errors = errorMessages(statusResult.error);
  }
  if(Array.isArray(statusResult.results)) {
    out.results = statusResult.results.map(r => ({
      statusPurpose: r.credentialStatus?.statusPurpose,
      statusListIndex: r.credentialStatus?.statusListIndex,
      statusListCredential: r.credentialStatus?.statusListCredential,
      status: r.status,
      verified: r.verified
    }));
  }
  return out;
}

export async function verifyOne(request) {
  const {
    credential, documents = {}, now, checkStatus = false, checkIssuer = true
  } = request;
  const warnings = [];
  const options = {
    credential,
    suite: verifySuites(),
    documentLoader: buildDocumentLoader({documents})
  };
  if(now) {
    options.now = now;
  }
  if(!checkIssuer) {
    options.purpose = new AssertionProofPurpose();
  }
  if(checkStatus) {
    options.checkStatus = makeStatusChecker(checkStatus);
  } else if(statusEntries(credential).length) {
    warnings.push('credentialStatus present but not checked (checkStatus false)');
    options.checkStatus = async () => ({verified: true});
  }

  const result = await verifyCredential(options);

  const errors = errorMessages(result.error);
  const proofs = (result.results || []).filter(r => r.proof).map(r => {
    const entry = {
      type: r.proof.type,
      cryptosuite: r.proof.cryptosuite,
      verificationMethod: r.proof.verificationMethod,
      verified: r.verified === true
    };
    if(r.error) {
      entry.errors = errorMessages(r.error);
      entry.errors.forEach(m => errors.includes(m) || errors.push(m));
    }
    return entry;
  });
  for(const r of result.results || []) {
    if(!r.proof && r.error) {
      errorMessages(r.error).forEach(m => errors.includes(m) || errors.push(m));
    }
  }

  const credentialProofs = credential && credential.proof ?
    [].concat(credential.proof) : [];
  if(proofs.length && proofs.length < credentialProofs.length) {
    for(const p of credentialProofs) {
      if(!proofs.some(r => r.verificationMethod === p.verificationMethod &&
        r.type === p.type && r.cryptosuite === p.cryptosuite)) {
        warnings.push(
          `proof ${p.type}/${p.cryptosuite} (${p.verificationMethod}) not ` +
          'checked: no suite matched it');
      }
    }
  }

  let verified = result.verified === true;
  const out = {verified, errors, warnings, proofs};
  if(checkStatus && result.statusResult) {
    out.statusResult = serializeStatus(result.statusResult);
    if(out.statusResult.errors) {
      out.statusResult.errors.forEach(
        m => errors.includes(m) || errors.push(m));
    }
    for(const r of out.statusResult.results || []) {
      if(r.status === true) {
        verified = false;
        errors.push(
          `credential status "${r.statusPurpose}" is set ` +
          `(index ${r.statusListIndex} of ${r.statusListCredential})`);
      }
    }
  }
  out.verified = verified;
  return out;
}

export async function handle(request) {
  if(Array.isArray(request.items)) {
    const shared = request.documents || {};
    const warmup = request.warmup || 0;
    const results = [];
    let started = performance.now();
    for(const item of request.items) {
      results.push(await verifyOne(
        {...item, documents: {...shared, ...(item.documents || {})}}));
      if(results.length === warmup) {
        started = performance.now();
      }
    }
    // The verification time of the items after the first `warmup` (JIT and caches warm).
    const seconds = (performance.now() - started) / 1000;
    return {results: results.slice(warmup), seconds};
  }
  return verifyOne(request);
}

await main(handle);
