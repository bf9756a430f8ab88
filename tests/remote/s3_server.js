// s3rver (npm, a local S3-compatible store) for the tests, on 127.0.0.1, with
// credentials really checked: s3rver 3.7.1 checks only that a V4 request's
// access key id exists, so every request first passes through a middleware
// that recomputes its AWS Signature V4 with the aws4 package and refuses
// unsigned requests, unknown keys and wrong signatures with 403.
//
// s3rver 3.7.1 misreads suffix ranges: suffixRange below mends them.
//
// s3rver 3.7.1 lacks AbortMultipartUpload and ListMultipartUploads, which the
// upload tests need: multipartExtras below serves them from s3rver's own
// upload directories. With ESDB_S3_FAIL_PART=N set, every UploadPart of part N
// fails with 500 (a fault injected mid upload).
//
//   node s3_server.js PORT DIRECTORY ACCESS_KEY SECRET BUCKET...
'use strict';

const S3rver = require('s3rver');
const AWSAccount = require('s3rver/lib/models/account');
const aws4 = require('aws4');
const fs = require('fs');
const path = require('path');

const [port, directory, accessKey, secret, ...buckets] = process.argv.slice(2);

AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKey, secret);

const kAuth =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

function refuse(ctx, code, message) {
  ctx.status = 403;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

async function checkSignature(ctx, next) {
  const m = kAuth.exec(ctx.get('authorization'));
  if (!m) return refuse(ctx, 'AccessDenied', 'Access Denied: the request is not signed with AWS Signature V4');
  const [, keyId, , region, signedHeaders, signature] = m;
  if (keyId !== accessKey) return refuse(ctx, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  const names = signedHeaders.split(';');
  const headers = {};
  for (const name of names) headers[name] = ctx.req.headers[name] || '';
  if (!headers['x-amz-date'] || !headers['x-amz-content-sha256'])
    return refuse(ctx, 'AccessDenied', 'x-amz-date and x-amz-content-sha256 must be signed');
  const signer = new aws4.RequestSigner(
    { service: 's3', region, method: ctx.method, host: headers.host, path: ctx.req.url, headers },
    { accessKeyId: accessKey, secretAccessKey: secret });
  signer.prepareRequest();
  // Exactly the headers the client signed, in its order of names.
  signer.filteredHeaders = names.map(name => [name, headers[name]]);
  if (signer.signature() !== signature)
    return refuse(ctx, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
  return next();
}

function xml(ctx, status, body) {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}

function escapeXml(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const failPart = process.env.ESDB_S3_FAIL_PART;

async function multipartExtras(ctx, next) {
  const [, bucket = '', key = ''] = /^\/([^/]*)\/?(.*)$/.exec(ctx.path) || [];
  const uploads = () => server.store.getResourcePath(bucket, undefined, 'uploads');
  if (ctx.method === 'PUT' && failPart && ctx.query.partNumber === failPart && 'uploadId' in ctx.query)
    return xml(ctx, 500, '<Error><Code>InternalError</Code><Message>injected failure</Message></Error>');
  if (ctx.method === 'DELETE' && key && 'uploadId' in ctx.query) {
    const dir = path.join(uploads(), path.basename(ctx.query.uploadId));
    if (!fs.existsSync(dir))
      return xml(ctx, 404, '<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>');
    fs.rmSync(dir, { recursive: true, force: true });
    ctx.status = 204;
    return;
  }
  if (ctx.method === 'GET' && !key && 'uploads' in ctx.query) {
    let body = `<ListMultipartUploadsResult><Bucket>${escapeXml(bucket)}</Bucket>`;
    const root = uploads();
    for (const id of fs.existsSync(root) ? fs.readdirSync(root).sort() : []) {
      const name = fs.readFileSync(path.join(root, id, 'key'), 'utf8');
      body += `<Upload><Key>${escapeXml(name)}</Key><UploadId>${id}</UploadId></Upload>`;
    }
    return xml(ctx, 200, body + '<IsTruncated>false</IsTruncated></ListMultipartUploadsResult>');
  }
  return next();
}

// s3rver 3.7.1 reads a suffix range "bytes=-N" (the last N bytes, RFC 9110,
// which S3 serves and the reader's first request uses) as "bytes=0-N".
// Rewrite it into the explicit range S3 itself would serve, after the
// signature was checked over the header as sent.
async function suffixRange(ctx, next) {
  const m = /^bytes=-(\d+)$/.exec(ctx.get('range'));
  const [, bucket = '', key = ''] = /^\/([^/]*)\/?(.*)$/.exec(ctx.path) || [];
  if (ctx.method === 'GET' && m && key) {
    let size;
    try {
      size = Number((await server.store.getMetadata(bucket, decodeURIComponent(key)))['content-length']);
    } catch (err) {
      return next();  // no such object: s3rver answers as it does
    }
    const n = Math.min(Number(m[1]), size);
    if (n > 0) ctx.headers['range'] = `bytes=${size - n}-${size - 1}`;
  }
  return next();
}

const server = new S3rver({
  address: '127.0.0.1',
  port: Number(port),
  directory,
  silent: true,
  configureBuckets: buckets.map(name => ({ name, configs: [] })),
});
server.middleware.unshift(checkSignature, suffixRange, multipartExtras);
server.run().catch(err => {
  console.error(err);
  process.exit(1);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
