// s3rver (npm, a local S3-compatible store) for the tests, on 127.0.0.1, with
// credentials really checked: s3rver 3.7.1 checks only that a V4 request's
// access key id exists, so every request first passes through a middleware
// that recomputes its AWS Signature V4 with the aws4 package and refuses
// unsigned requests, unknown keys and wrong signatures with 403.
//
//   node s3_server.js PORT DIRECTORY ACCESS_KEY SECRET BUCKET...
'use strict';

const S3rver = require('s3rver');
const AWSAccount = require('s3rver/lib/models/account');
const aws4 = require('aws4');

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

const server = new S3rver({
  address: '127.0.0.1',
  port: Number(port),
  directory,
  silent: true,
  configureBuckets: buckets.map(name => ({ name, configs: [] })),
});
server.middleware.unshift(checkSignature);
server.run().catch(err => {
  console.error(err);
  process.exit(1);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
