// sigv4_verifier.mjs - an independent check of AWS Signature Version 4 (the algorithm as AWS
// documents it, written with node's crypto), for the signatures libcurl makes for signalbox:
// rebuild the canonical request from what arrived, derive the signing key from the secret,
// and compare. Used by a local SQS-like server that refuses what does not verify, as AWS does.
import crypto from 'node:crypto';

const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest();

// Verifies one request: { method, path, headers (lower-case names, as node gives them), body
// (Buffer or string) } against keys: { accessKeyId: { secret, token } }. Returns
// { ok: true, accessKeyId, region, service, signedHeaders } or { ok: false, code, why }.
export function verifySigV4({ method, path, headers, body }, keys, { now = Date.now(), required = [] } = {}) {
  const auth = headers.authorization || '';
  const m = auth.match(/^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/);
  if (!m) return { ok: false, code: 'IncompleteSignature', why: `malformed Authorization: ${auth}` };
  const [, accessKeyId, date, region, service, signedList, signature] = m;
  const key = keys[accessKeyId];
  if (!key) return { ok: false, code: 'InvalidClientTokenId', why: `unknown access key ${accessKeyId}` };
  const amzDate = headers['x-amz-date'] || '';
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date)
    return { ok: false, code: 'IncompleteSignature', why: 'X-Amz-Date missing or not the credential date' };
  const when = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
  if (Math.abs(now - when) > 15 * 60 * 1000) return { ok: false, code: 'RequestExpired', why: 'signed more than 15 minutes away' };
  const signed = signedList.split(';');
  for (const h of ['host', 'x-amz-date', ...required, ...(headers['x-amz-security-token'] ? ['x-amz-security-token'] : [])])
    if (!signed.includes(h)) return { ok: false, code: 'SignatureDoesNotMatch', why: `${h} is not signed` };
  if (key.token !== undefined && headers['x-amz-security-token'] !== key.token)
    return { ok: false, code: 'InvalidClientTokenId', why: 'wrong or missing session token' };
  const [p, q = ''] = path.split('?');
  const canonicalQuery = q.split('&').filter(Boolean).map((kv) => kv.split('=')).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : (a[1] || '') < (b[1] || '') ? -1 : 1))
    .map(([k, v = '']) => `${k}=${v}`).join('&');
  const canonicalHeaders = signed.map((h) => `${h}:${String(headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const payloadHash = sha256(body ?? '');
  if (headers['x-amz-content-sha256'] && headers['x-amz-content-sha256'] !== payloadHash)
    return { ok: false, code: 'SignatureDoesNotMatch', why: 'x-amz-content-sha256 is not the hash of the body' };
  const canonical = [method, p || '/', canonicalQuery, canonicalHeaders, signedList, payloadHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const kSigning = hmac(hmac(hmac(hmac(`AWS4${key.secret}`, date), region), service), 'aws4_request');
  const expected = crypto.createHmac('sha256', kSigning).update(toSign).digest('hex');
  if (!crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(signature)))
    return { ok: false, code: 'SignatureDoesNotMatch', why: 'the signature does not match' };
  return { ok: true, accessKeyId, region, service, signedHeaders: signed };
}
