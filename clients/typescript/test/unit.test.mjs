// The parts of the client that need no server: event-stream parsing, webhook verification, request shapes.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Webhook } from "standardwebhooks";

import { MathreelClient, MathreelError, parseEventStream, verifyWebhook } from "../dist/index.js";

function streamOf(...chunks) {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

test("the event-stream parser reads ids, event names and data split across chunks, skipping comments", async () => {
  const body = streamOf(
    ": ping\n\nid: 1\nevent: status\nda",
    'ta: {"a":1}\n\n',
    "id: 2\r\nevent: status\r\ndata: line one\r\ndata: line two\r\n\r\n",
    "data: no id\n\n",
  );
  const messages = [];
  for await (const message of parseEventStream(body)) messages.push(message);
  assert.deepEqual(messages, [
    { id: "1", event: "status", data: '{"a":1}' },
    { id: "2", event: "status", data: "line one\nline two" },
    { id: "2", event: "message", data: "no id" },
  ]);
});

test("a webhook signed with the endpoint's secret verifies, a tampered one does not", () => {
  const secret = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;
  const payload = JSON.stringify({ type: "job.completed", data: { job_id: "42" } });
  const id = "msg_1";
  const timestamp = new Date();
  const signature = new Webhook(secret).sign(id, timestamp, payload);
  const headers = new Headers({
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
    "webhook-signature": signature,
  });
  assert.deepEqual(verifyWebhook(secret, payload, headers), JSON.parse(payload));
  assert.throws(() => verifyWebhook(secret, payload.replace("42", "43"), headers));
  assert.throws(() => verifyWebhook(secret, payload, { ...Object.fromEntries(headers), "webhook-id": "msg_2" }));
});

test("createVideoJob sends the idempotency key and the token, and a refusal becomes a MathreelError", async () => {
  const seen = [];
  const fakeFetch = async (request) => {
    seen.push(request);
    return new Response(JSON.stringify({ detail: [{ loc: ["body", "configuration", "quality"], msg: "bad" }] }), {
      status: 422,
      headers: { "content-type": "application/json" },
    });
  };
  const client = new MathreelClient({ baseUrl: "http://api.invalid/", token: async () => "t0k", fetch: fakeFetch });
  const body = { configuration: { topic: "t", context: "c", quality: "low" } };
  await assert.rejects(client.createVideoJob(body, { idempotencyKey: "key-1" }), (error) => {
    assert.ok(error instanceof MathreelError);
    assert.equal(error.status, 422);
    assert.equal(error.detail, "body.configuration.quality: bad");
    return true;
  });
  assert.equal(seen.length, 1);
  assert.equal(seen[0].url, "http://api.invalid/api/v1/videos/generate");
  assert.equal(seen[0].headers.get("Idempotency-Key"), "key-1");
  assert.equal(seen[0].headers.get("Authorization"), "Bearer t0k");
  assert.deepEqual(await seen[0].json(), body);
});
