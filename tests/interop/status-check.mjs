/*
 * Decodes the Bitstring Status List bit of every BitstringStatusListEntry of
 * a credential, as @digitalbazaar/vc-bitstring-status-list computes it.
 * Each entry is checked on its own, so one bad entry does not hide the others.
 *
 * Request:
 *   {credential, documents?: {url: doc}, statusListCredentials?: [doc],
 *    verifyStatusListCredential?: bool (default false),
 *    verifyMatchingIssuers?: bool (default false)}
 *   statusListCredentials are served at their own `id`.
 * Result:
 *   {results: [{statusPurpose, statusListIndex, statusListCredential,
 *               status: bool | null, error?}]}
 */
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

import {
  buildDocumentLoader, errorMessages, main, verifySuites
} from './lib/harness.mjs';

export async function handle(request) {
  const {
    credential, documents = {}, statusListCredentials = [],
    verifyStatusListCredential = false, verifyMatchingIssuers = false
  } = request;
  if(!credential || typeof credential !== 'object') {
    throw new TypeError('"credential" must be an object');
  }
  const allDocuments = {...documents};
  for(const doc of statusListCredentials) {
    allDocuments[doc.id] = doc;
  }
  const documentLoader = buildDocumentLoader({documents: allDocuments});
  const entries = [].concat(credential.credentialStatus || []);
  const results = [];
  for(const entry of entries) {
    const out = {
      type: entry.type,
      statusPurpose: entry.statusPurpose,
      statusListIndex: entry.statusListIndex,
      statusListCredential: entry.statusListCredential,
      status: null
    };
    const result = await checkStatus({
      credential: {...credential, credentialStatus: entry},
      documentLoader,
      suite: verifySuites(),
      verifyBitstringStatusListCredential: verifyStatusListCredential,
      verifyMatchingIssuers
    });
    if(result.verified && result.results?.length === 1) {
      out.status = result.results[0].status;
    } else {
      out.error = errorMessages(result.error).join('; ') ||
        'status not computed';
    }
    results.push(out);
  }
  return {results};
}

await main(handle);
