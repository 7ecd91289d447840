#!/usr/bin/env node
// grpc.testing interop cases (grpc/grpc doc/interop-test-descriptions.md) with Node @grpc/grpc-js.
// Usage: node interop-client.js --port PORT [--cases a,b,c]
// Prints "PASS node <case>" / "FAIL node <case>: reason"; exits 1 if any case failed.
'use strict';

const path = require('path');
const assert = require('assert/strict');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTOS = path.resolve(__dirname, '..', '..', 'protos');
const definition = protoLoader.loadSync('grpc/testing/test.proto', {
  includeDirs: [PROTOS], keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true,
});
const testing = grpc.loadPackageDefinition(definition).grpc.testing;

const SPECIAL = '\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \u{1F608}\t\n';
const GZIP = 2; // grpc-js compression algorithm id
const payload = (n) => ({ body: Buffer.alloc(n) });

function unary(client, method, request, options = {}) {
  return new Promise((resolve, reject) => {
    // the callback may run before the 'status' event: resolve once both the response and the trailers are in
    let initial = null;
    let response;
    let trailing;
    const settle = () => { if (response !== undefined && trailing !== undefined) { resolve({ response, initial, trailing }); } };
    const call = client[method](request, options.metadata || new grpc.Metadata(), options.callOptions || {}, (err, r) => {
      if (err) { reject(err); } else { response = r; settle(); }
    });
    call.on('metadata', (m) => { initial = m; });
    call.on('status', (s) => { trailing = s.metadata; settle(); });
  });
}

function collect(call) {
  return new Promise((resolve, reject) => {
    const messages = [];
    let initial = null;
    call.on('metadata', (m) => { initial = m; });
    call.on('data', (m) => messages.push(m));
    call.on('error', reject);
    call.on('status', (s) => { if (s.code === grpc.status.OK) { resolve({ messages, initial, trailing: s.metadata }); } });
  });
}

function nextMessage(call) {
  return new Promise((resolve, reject) => {
    const onData = (m) => { cleanup(); resolve(m); };
    const onError = (e) => { cleanup(); reject(e); };
    const cleanup = () => { call.off('data', onData); call.off('error', onError); };
    call.on('data', onData);
    call.on('error', onError);
  });
}

async function expectCode(promise, code, message) {
  try {
    await promise;
  } catch (err) {
    assert.equal(err.code, code, `expected code ${code}, got ${err.code} (${err.details})`);
    if (message !== undefined) { assert.equal(err.details, message); }
    return err;
  }
  throw new Error(`expected code ${code}, call succeeded`);
}

function echoMetadata() {
  const md = new grpc.Metadata();
  md.set('x-grpc-test-echo-initial', 'test_initial_metadata_value');
  md.set('x-grpc-test-echo-trailing-bin', Buffer.from([0xab, 0xab, 0xab]));
  return md;
}

function checkEcho(initial, trailing) {
  assert.deepEqual(initial.get('x-grpc-test-echo-initial'), ['test_initial_metadata_value']);
  assert.deepEqual(trailing.get('x-grpc-test-echo-trailing-bin'), [Buffer.from([0xab, 0xab, 0xab])]);
}

const cases = {
  async empty_unary(c) {
    const { response } = await unary(c.stub, 'EmptyCall', {});
    assert.deepEqual(response, {});
  },
  async large_unary(c) {
    const { response } = await unary(c.stub, 'UnaryCall', { response_size: 314159, payload: payload(271828) });
    assert.equal(response.payload.body.length, 314159);
    assert.ok(response.payload.body.equals(Buffer.alloc(314159)));
  },
  async client_streaming(c) {
    const result = new Promise((resolve, reject) => {
      const call = c.stub.StreamingInputCall((err, r) => (err ? reject(err) : resolve(r)));
      for (const n of [27182, 8, 1828, 45904]) { call.write({ payload: payload(n) }); }
      call.end();
    });
    assert.equal((await result).aggregated_payload_size, 74922);
  },
  async server_streaming(c) {
    const sizes = [31415, 9, 2653, 58979];
    const { messages } = await collect(c.stub.StreamingOutputCall({ response_parameters: sizes.map((size) => ({ size })) }));
    assert.deepEqual(messages.map((m) => m.payload.body.length), sizes);
  },
  async ping_pong(c) {
    const call = c.stub.FullDuplexCall();
    const done = collect(call);
    const pairs = [[27182, 31415], [8, 9], [1828, 2653], [45904, 58979]];
    for (const [req, resp] of pairs) {
      const next = nextMessage(call);
      call.write({ response_parameters: [{ size: resp }], payload: payload(req) });
      assert.equal((await next).payload.body.length, resp);
    }
    call.end();
    await done;
  },
  async empty_stream(c) {
    const call = c.stub.FullDuplexCall();
    const done = collect(call);
    call.end();
    assert.equal((await done).messages.length, 0);
  },
  async custom_metadata(c) {
    const u = await unary(c.stub, 'UnaryCall', { response_size: 314159, payload: payload(271828) }, { metadata: echoMetadata() });
    checkEcho(u.initial, u.trailing);
    const call = c.stub.FullDuplexCall(echoMetadata());
    const done = collect(call);
    call.write({ response_parameters: [{ size: 314159 }], payload: payload(271828) });
    call.end();
    const d = await done;
    assert.equal(d.messages[0].payload.body.length, 314159);
    checkEcho(d.initial, d.trailing);
  },
  async status_code_and_message(c) {
    const status = { code: 2, message: 'test status message' };
    await expectCode(unary(c.stub, 'UnaryCall', { response_status: status }), grpc.status.UNKNOWN, 'test status message');
    const call = c.stub.FullDuplexCall();
    const done = collect(call);
    call.write({ response_status: status });
    call.end();
    await expectCode(done, grpc.status.UNKNOWN, 'test status message');
  },
  async special_status_message(c) {
    await expectCode(unary(c.stub, 'UnaryCall', { response_status: { code: 2, message: SPECIAL } }), grpc.status.UNKNOWN, SPECIAL);
  },
  async unimplemented_method(c) {
    await expectCode(unary(c.stub, 'UnimplementedCall', {}), grpc.status.UNIMPLEMENTED);
  },
  async unimplemented_service(c) {
    await expectCode(unary(c.unimplemented, 'UnimplementedCall', {}), grpc.status.UNIMPLEMENTED);
  },
  async cancel_after_begin(c) {
    const result = new Promise((resolve, reject) => {
      const call = c.stub.StreamingInputCall((err, r) => (err ? reject(err) : resolve(r)));
      call.cancel();
    });
    await expectCode(result, grpc.status.CANCELLED);
  },
  async cancel_after_first_response(c) {
    const call = c.stub.FullDuplexCall();
    const done = collect(call);
    const next = nextMessage(call);
    call.write({ response_parameters: [{ size: 31415 }], payload: payload(27182) });
    assert.equal((await next).payload.body.length, 31415);
    call.cancel();
    await expectCode(done, grpc.status.CANCELLED);
  },
  async timeout_on_sleeping_server(c) {
    const call = c.stub.FullDuplexCall({ deadline: Date.now() + 1 });
    const done = collect(call);
    call.write({ payload: payload(27182) });
    await expectCode(done, grpc.status.DEADLINE_EXCEEDED);
  },
  async client_compressed_unary(c) {
    const request = (expect) => ({ expect_compressed: { value: expect }, response_size: 314159, payload: payload(271828) });
    await expectCode(unary(c.stub, 'UnaryCall', request(true)), grpc.status.INVALID_ARGUMENT);
    const compressed = await unary(c.gzipStub, 'UnaryCall', request(true));
    assert.equal(compressed.response.payload.body.length, 314159);
    const plain = await unary(c.stub, 'UnaryCall', request(false));
    assert.equal(plain.response.payload.body.length, 314159);
  },
  async server_compressed_unary(c) {
    for (const value of [true, false]) {
      const { response } = await unary(c.stub, 'UnaryCall', { response_compressed: { value }, response_size: 314159, payload: payload(271828) });
      assert.equal(response.payload.body.length, 314159);
    }
  },
  async client_compressed_streaming(c) {
    const probe = new Promise((resolve, reject) => {
      const call = c.stub.StreamingInputCall((err, r) => (err ? reject(err) : resolve(r)));
      call.write({ expect_compressed: { value: true }, payload: payload(27182) });
      call.end();
    });
    await expectCode(probe, grpc.status.INVALID_ARGUMENT);
    const result = new Promise((resolve, reject) => {
      const call = c.gzipStub.StreamingInputCall((err, r) => (err ? reject(err) : resolve(r)));
      call.write({ expect_compressed: { value: true }, payload: payload(27182) });
      call.write({ expect_compressed: { value: true }, payload: payload(45904) });
      call.end();
    });
    assert.equal((await result).aggregated_payload_size, 73086);
  },
  async server_compressed_streaming(c) {
    const params = [{ compressed: { value: true }, size: 31415 }, { compressed: { value: false }, size: 92653 }];
    const { messages } = await collect(c.stub.StreamingOutputCall({ response_parameters: params }));
    assert.deepEqual(messages.map((m) => m.payload.body.length), [31415, 92653]);
  },
};

async function main() {
  const args = process.argv.slice(2);
  const port = Number(args[args.indexOf('--port') + 1]);
  const wanted = args.includes('--cases') ? new Set(args[args.indexOf('--cases') + 1].split(',')) : null;
  if (!port) { console.error('usage: node interop-client.js --port PORT [--cases a,b]'); process.exit(2); }
  const address = `127.0.0.1:${port}`;
  const insecure = grpc.credentials.createInsecure();
  const c = {
    stub: new testing.TestService(address, insecure),
    gzipStub: new testing.TestService(address, insecure, { 'grpc.default_compression_algorithm': GZIP }),
    unimplemented: new testing.UnimplementedService(address, insecure),
  };
  let failures = 0;
  for (const [name, run] of Object.entries(cases)) {
    if (wanted && !wanted.has(name)) { continue; }
    try {
      await Promise.race([run(c), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 20 s')), 20000))]);
      console.log(`PASS node ${name}`);
    } catch (err) {
      failures += 1;
      console.log(`FAIL node ${name}: ${err && err.message}`);
    }
  }
  for (const client of [c.stub, c.gzipStub, c.unimplemented]) { client.close(); }
  process.exit(failures ? 1 : 0);
}

main();
