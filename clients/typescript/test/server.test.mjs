// Against a running gateway: MATHREEL_BASE_URL (http://127.0.0.1:8000) and MATHREEL_TOKEN (`mathreel token --user
// someone`). MATHREEL_JOB_ID: a job already submitted to follow to completion; without it one is submitted here
// (low quality, a short curriculum topic: a minute or two of rendering).
import assert from "node:assert/strict";
import { test } from "node:test";

import WebSocket from "ws";

import { isTerminal, MathreelClient, MathreelError } from "../dist/index.js";

const baseUrl = process.env.MATHREEL_BASE_URL ?? "http://127.0.0.1:8000";
const token = process.env.MATHREEL_TOKEN;
if (!token) throw new Error("set MATHREEL_TOKEN to a token the gateway accepts (mathreel token --user someone)");

const client = new MathreelClient({ baseUrl, token, WebSocket, pollIntervalMs: 1000 });
const lowQuality = (topic) => ({
  configuration: { topic, context: "A short lesson.", quality: "low" },
  priority: "normal",
});

test("waitForCompletion follows a job to its video, reporting progress on the way", { timeout: 600_000 }, async () => {
  const jobId = process.env.MATHREEL_JOB_ID ?? (await client.createVideoJob(lowQuality("Matrix multiplication"))).job_id;
  const seen = [];
  const fallbacks = [];
  const final = await client.waitForCompletion(jobId, {
    onStatus: (status) => seen.push(status),
    onFallback: (reason) => fallbacks.push(String(reason)),
  });
  assert.deepEqual(fallbacks, [], "the job's events were not used");
  assert.equal(final.status, "completed", JSON.stringify(final.error));
  assert.equal(final.progress.percentage, 100);
  assert.ok(
    seen.some((status) => status.status === "processing"),
    `no processing status among ${seen.map((s) => s.status)}`,
  );
  const percentages = seen.map((status) => status.progress.percentage);
  assert.deepEqual(percentages, [...percentages].sort((a, b) => a - b), "progress went backwards");

  const video = await client.getVideoUrl(jobId);
  assert.equal(video.metadata.quality, "low");
  const mp4 = await fetch(video.video_url, { headers: { Range: "bytes=0-15" } });
  assert.equal(mp4.status, 206);
  assert.equal(Buffer.from(await mp4.arrayBuffer()).subarray(4, 8).toString("latin1"), "ftyp");
  assert.match(await client.getCaptions(jobId), /^WEBVTT/);
  const thumbnail = await client.getThumbnail(jobId);
  assert.equal(thumbnail.type, "image/jpeg");
  assert.ok(thumbnail.size > 1000);
});

test("a cancelled job ends cancelled, and subscribe() carries its statuses", { timeout: 120_000 }, async () => {
  const received = [];
  const states = [];
  let opened;
  const open = new Promise((resolve) => (opened = resolve));
  const subscription = client.subscribe((status) => received.push(status), {
    onState: (state) => {
      states.push(state);
      if (state === "open") opened();
    },
  });
  try {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the WebSocket did not open: ${states}`)), 30_000);
    });
    await Promise.race([open, timeout]).finally(() => clearTimeout(timer));
    const created = await client.createVideoJob(lowQuality("Mean and variance"));
    const cancelled = await client.cancel(created.job_id);
    assert.equal(cancelled.status, "cancelled");
    assert.equal((await client.waitForCompletion(created.job_id)).status, "cancelled");
    const deadline = Date.now() + 30_000;
    while (!received.some((s) => s.job_id === created.job_id && s.status === "cancelled")) {
      assert.ok(Date.now() < deadline, `no cancelled event over the WebSocket; got ${JSON.stringify(received)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(received.filter((s) => s.job_id === created.job_id).every((s) => s.quality === "low"));
  } finally {
    subscription.close();
  }
  assert.deepEqual(states.slice(0, 2), ["connecting", "open"]);
  assert.equal(states.at(-1), "closed");
});

test("the API's refusals arrive as MathreelError with the API's message", async () => {
  await assert.rejects(client.getStatus("00000000-0000-4000-8000-000000000000"), (error) => {
    assert.ok(error instanceof MathreelError);
    assert.equal(error.status, 404);
    assert.equal(error.detail, "Job not found");
    return true;
  });
  await assert.rejects(client.waitForCompletion("00000000-0000-4000-8000-000000000000"), { status: 404 });
  const bad = { configuration: { topic: "t", context: "c", quality: "ultra" } };
  await assert.rejects(client.createVideoJob(bad), (error) => {
    assert.equal(error.status, 422);
    assert.match(error.detail, /quality/);
    return true;
  });
  const stranger = new MathreelClient({ baseUrl, token: "not-a-token" });
  await assert.rejects(stranger.listJobs(), { status: 401 });
  assert.equal(isTerminal({ status: "queued" }), false);
});
