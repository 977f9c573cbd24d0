/**
 * A thin, typed layer over the Mathreel API. The request and response types come from the gateway's OpenAPI
 * document (`schema.ts`, generated: `make client-types`); `api` exposes every route through openapi-fetch for what
 * this layer does not wrap.
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";
import { Webhook } from "standardwebhooks";

import type { components, paths } from "./schema.js";

export type { components, paths } from "./schema.js";

type Schemas = components["schemas"];
export type GenerateVideoRequest = Schemas["GenerateVideoRequest"];
export type VideoConfiguration = Schemas["VideoConfiguration"];
export type JobCreated = Schemas["JobCreated"];
export type JobList = Schemas["JobList"];
export type VideoUrl = Schemas["VideoUrlResponse"];
export type Quality = Schemas["Quality"];
export type Priority = Schemas["Priority"];
/** The body of `GET /videos/jobs/{id}/status`; events add `queue_position` (1 = next) while the job is queued. */
export type JobStatus = Schemas["JobStatusResponse"] & { queue_position?: number | null };
export type JobState = JobStatus["status"];

export const TERMINAL_STATES: ReadonlySet<JobState> = new Set<JobState>(["completed", "failed", "cancelled"]);

export function isTerminal(status: Pick<JobStatus, "status">): boolean {
  return TERMINAL_STATES.has(status.status);
}

/** A refused request: `status` is the HTTP status, `detail` the API's own message, `body` the whole JSON body. */
export class MathreelError extends Error {
  readonly status: number;
  readonly detail: string;
  readonly body: unknown;

  constructor(status: number, body: unknown) {
    const detail = describeDetail(body) ?? `HTTP ${status}`;
    super(detail);
    this.name = "MathreelError";
    this.status = status;
    this.detail = detail;
    this.body = body;
  }
}

function describeDetail(body: unknown): string | undefined {
  if (body === null || typeof body !== "object" || !("detail" in body)) {
    return typeof body === "string" && body ? body : undefined;
  }
  const detail = (body as { detail: unknown }).detail;
  if (typeof detail === "string") return detail;
  // FastAPI's validation errors: a list of {loc, msg}.
  if (Array.isArray(detail)) {
    return detail
      .map((item: { loc?: unknown[]; msg?: string }) =>
        [Array.isArray(item.loc) ? item.loc.join(".") : undefined, item.msg].filter(Boolean).join(": "),
      )
      .join("; ");
  }
  return JSON.stringify(detail);
}

/** The minimal WebSocket surface used here: the browser's `WebSocket`, Node 22's, or the `ws` package's. */
export interface WebSocketLike {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  close(code?: number, reason?: string): void;
  send(data: string): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface MathreelOptions {
  /** Where the gateway is, without `/api/v1`: `http://127.0.0.1:8000`. In a browser on the same origin: `""`. */
  baseUrl: string;
  /** The bearer token, or a function returning a current one (called for every request, so it may refresh). */
  token: string | (() => string | Promise<string>);
  fetch?: typeof fetch;
  /** Defaults to `globalThis.WebSocket` (browsers, Node 22+); on Node 20 pass the `ws` package's. */
  WebSocket?: WebSocketConstructor;
  /** Interval of the polling fallback of `waitForCompletion`, in milliseconds (default 3000). */
  pollIntervalMs?: number;
}

export interface WaitOptions {
  /** Called with every status seen, the terminal one included. */
  onStatus?: (status: JobStatus) => void;
  signal?: AbortSignal;
  /** `false`: poll only, never open the event stream. */
  useEvents?: boolean;
  /** Called once if the event stream cannot be used and polling takes over, with the reason. */
  onFallback?: (reason: unknown) => void;
}

export interface StatusEvent {
  /** The event's `id:` (monotone per job), for `Last-Event-ID`. */
  id: string | undefined;
  status: JobStatus;
}

export type SubscriptionState = "connecting" | "open" | "reconnecting" | "closed";

export interface SubscribeOptions {
  onState?: (state: SubscriptionState) => void;
  /** Failures that end the subscription (the ticket cannot be obtained: token refused) or that cause a reconnect. */
  onError?: (error: unknown) => void;
  signal?: AbortSignal;
  /** Longest wait between reconnection attempts, in milliseconds (default 30000; they start at 500 and double). */
  maxBackoffMs?: number;
}

export interface Subscription {
  close(): void;
}

export type Ticket = Schemas["TicketResponse"];

const API_PREFIX = "/api/v1";
/** A WebSocket closed with this code refused its ticket (unknown, used or expired): connect again with a new one. */
export const TICKET_REFUSED_CLOSE_CODE = 4401;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

async function errorFromResponse(response: Response): Promise<MathreelError> {
  const text = await response.text().catch(() => "");
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return new MathreelError(response.status, body);
}

export class MathreelClient {
  /** Every route of the API, typed, through openapi-fetch (the `Authorization` header is added). */
  readonly api: Client<paths>;
  private readonly baseUrl: string;
  private readonly token: MathreelOptions["token"];
  private readonly fetchImpl: typeof fetch;
  private readonly WebSocketImpl: WebSocketConstructor | undefined;
  private readonly pollIntervalMs: number;

  constructor(options: MathreelOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.token = options.token;
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.WebSocketImpl =
      options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket ?? undefined;
    this.pollIntervalMs = options.pollIntervalMs ?? 3000;
    this.api = createClient<paths>({ baseUrl: this.baseUrl, fetch: this.fetchImpl });
    const auth: Middleware = {
      onRequest: async ({ request }) => {
        request.headers.set("Authorization", `Bearer ${await this.bearer()}`);
        return request;
      },
    };
    this.api.use(auth);
  }

  private async bearer(): Promise<string> {
    return typeof this.token === "function" ? await this.token() : this.token;
  }

  private static unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
    if (result.error !== undefined || result.data === undefined) {
      throw new MathreelError(result.response.status, result.error);
    }
    return result.data;
  }

  /** Submit a job. The same `idempotencyKey` with the same body within 24 h answers the original job again. */
  async createVideoJob(
    body: GenerateVideoRequest,
    options: { idempotencyKey?: string; signal?: AbortSignal } = {},
  ): Promise<JobCreated> {
    const headers: Record<string, string> = {};
    if (options.idempotencyKey !== undefined) headers["Idempotency-Key"] = options.idempotencyKey;
    return MathreelClient.unwrap(
      await this.api.POST("/api/v1/videos/generate", { body, headers, signal: options.signal }),
    );
  }

  async getStatus(jobId: string, options: { signal?: AbortSignal } = {}): Promise<JobStatus> {
    return MathreelClient.unwrap(
      await this.api.GET("/api/v1/videos/jobs/{job_id}/status", {
        params: { path: { job_id: jobId } },
        signal: options.signal,
      }),
    );
  }

  async listJobs(query: { limit?: number; offset?: number } = {}): Promise<JobList> {
    return MathreelClient.unwrap(await this.api.GET("/api/v1/videos/jobs", { params: { query } }));
  }

  async cancel(jobId: string): Promise<JobStatus> {
    return MathreelClient.unwrap(
      await this.api.POST("/api/v1/videos/jobs/{job_id}/cancel", { params: { path: { job_id: jobId } } }),
    );
  }

  /** Presigned video, download and captions URLs of a completed job (they expire at `expires_at`). */
  async getVideoUrl(jobId: string): Promise<VideoUrl> {
    return MathreelClient.unwrap(
      await this.api.GET("/api/v1/videos/jobs/{job_id}/video-url", { params: { path: { job_id: jobId } } }),
    );
  }

  /** The captions as text (WebVTT by default). */
  async getCaptions(jobId: string, format: "vtt" | "srt" = "vtt"): Promise<string> {
    const response = await this.authorizedFetch(
      `${API_PREFIX}/videos/jobs/${encodeURIComponent(jobId)}/captions?format=${format}`,
    );
    return await response.text();
  }

  /** The thumbnail (JPEG). The route needs the bearer token, so an `<img>` or a poster needs an object URL. */
  async getThumbnail(jobId: string): Promise<Blob> {
    const response = await this.authorizedFetch(`${API_PREFIX}/videos/jobs/${encodeURIComponent(jobId)}/thumbnail`);
    return await response.blob();
  }

  /** A single-use ticket, valid 60 s, for the WebSocket (browsers cannot set its headers) or the event stream. */
  async createTicket(): Promise<Ticket> {
    return MathreelClient.unwrap(await this.api.POST("/api/v1/realtime/tickets"));
  }

  private async authorizedFetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("Authorization", `Bearer ${await this.bearer()}`);
    const response = await this.fetchImpl(`${this.baseUrl}${path}`, { ...init, headers });
    if (!response.ok) throw await errorFromResponse(response);
    return response;
  }

  /**
   * The job's status events over server-sent events, read with `fetch` (so the token goes in a header): the current
   * status first, then every change, ending after the terminal one. `lastEventId` resumes after that event.
   */
  async *events(jobId: string, options: { lastEventId?: string; signal?: AbortSignal } = {}): AsyncGenerator<StatusEvent> {
    const headers: Record<string, string> = { Accept: "text/event-stream" };
    if (options.lastEventId !== undefined) headers["Last-Event-ID"] = options.lastEventId;
    const response = await this.authorizedFetch(`${API_PREFIX}/videos/jobs/${encodeURIComponent(jobId)}/events`, {
      headers,
      signal: options.signal,
    });
    if (!(response.headers.get("content-type") ?? "").startsWith("text/event-stream") || response.body === null) {
      throw new MathreelError(response.status, "the events route did not answer with an event stream");
    }
    for await (const message of parseEventStream(response.body)) {
      if (message.event === "status") {
        yield { id: message.id, status: JSON.parse(message.data) as JobStatus };
      }
    }
  }

  /**
   * Resolve with the job's terminal status (completed, failed or cancelled), calling `onStatus` on the way. Events
   * first (server-sent events, resumed with `Last-Event-ID` when the connection drops); when the event stream is not
   * available, polling `/status` every `pollIntervalMs` (3 s). An unknown job rejects with the API's 404.
   */
  async waitForCompletion(jobId: string, options: WaitOptions = {}): Promise<JobStatus> {
    const { onStatus, signal } = options;
    if (options.useEvents !== false) {
      let lastEventId: string | undefined;
      for (let attempt = 0; attempt < 5; attempt += 1) {
        let sawEvent = false;
        let failure: unknown = "the event stream ended before the job did";
        try {
          for await (const event of this.events(jobId, { lastEventId, signal })) {
            sawEvent = true;
            lastEventId = event.id ?? lastEventId;
            onStatus?.(event.status);
            if (isTerminal(event.status)) return event.status;
          }
        } catch (error) {
          if (signal?.aborted) throw error;
          // A refusal of the job itself (not ours, unknown) is final; anything else falls back below.
          if (error instanceof MathreelError && (error.status === 401 || error.status === 403)) throw error;
          failure = error;
        }
        // The stream ended or broke before the terminal event: resume where it stopped, if it ever worked.
        if (!sawEvent) {
          options.onFallback?.(failure);
          break;
        }
      }
    }
    for (;;) {
      const status = await this.getStatus(jobId, { signal });
      onStatus?.(status);
      if (isTerminal(status)) return status;
      await sleep(this.pollIntervalMs, signal);
    }
  }

  /**
   * Every status change of every job of the user over one WebSocket, jobs submitted later included. Each
   * connection takes a fresh ticket; a dropped connection is reopened with backoff (500 ms doubling up to
   * `maxBackoffMs`). It ends with `close()`, the `signal`, or when no ticket can be obtained (token refused).
   */
  subscribe(onStatus: (status: JobStatus) => void, options: SubscribeOptions = {}): Subscription {
    const WebSocketImpl = this.WebSocketImpl;
    if (WebSocketImpl === undefined) {
      throw new Error("no WebSocket implementation: pass one as the WebSocket option (e.g. the ws package's)");
    }
    const maxBackoff = options.maxBackoffMs ?? 30000;
    let closed = false;
    let socket: WebSocketLike | undefined;
    let backoff = 500;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    const setState = (state: SubscriptionState) => options.onState?.(state);

    const close = () => {
      if (closed) return;
      closed = true;
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      socket?.close(1000, "client closed");
      setState("closed");
    };
    options.signal?.addEventListener("abort", close, { once: true });

    const reconnect = () => {
      if (closed) return;
      setState("reconnecting");
      retryTimer = setTimeout(() => void connect(), backoff);
      backoff = Math.min(backoff * 2, maxBackoff);
    };

    const connect = async () => {
      if (closed) return;
      let ticket: Ticket;
      try {
        ticket = await this.createTicket();
      } catch (error) {
        options.onError?.(error);
        if (error instanceof MathreelError && (error.status === 401 || error.status === 403)) {
          close();
          return;
        }
        reconnect();
        return;
      }
      if (closed) return;
      const url = new URL(`${API_PREFIX}/ws`, this.baseUrl || globalThis.location?.href);
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
      url.searchParams.set("ticket", ticket.ticket);
      const ws = new WebSocketImpl(url.toString());
      socket = ws;
      ws.onopen = () => {
        backoff = 500;
        setState("open");
      };
      ws.onmessage = (event) => {
        let message: { type?: string; job?: JobStatus };
        try {
          message = JSON.parse(String(event.data)) as typeof message;
        } catch {
          return;
        }
        if (message.type === "job.status" && message.job) onStatus(message.job);
      };
      ws.onerror = (event) => options.onError?.(event);
      ws.onclose = () => {
        if (socket === ws) socket = undefined;
        reconnect();
      };
    };

    setState("connecting");
    void connect();
    return { close };
  }
}

/** One server-sent event. */
export interface EventStreamMessage {
  id: string | undefined;
  event: string;
  data: string;
}

/** Parse a `text/event-stream` body (the WHATWG rules: `id`, `event`, `data` fields, comments, blank-line ends). */
export async function* parseEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<EventStreamMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let id: string | undefined;
  let event = "";
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
        if (line === "") {
          if (data.length > 0) yield { id, event: event || "message", data: data.join("\n") };
          event = "";
          data = [];
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "id") id = value;
        else if (field === "event") event = value;
        else if (field === "data") data.push(value);
      }
    }
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => undefined);
  }
}

/**
 * Verify a webhook delivery (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`) with the
 * endpoint's `whsec_…` secret and return its parsed JSON payload; throws when the signature or timestamp is wrong.
 * `payload` must be the raw request body, exactly as received.
 */
export function verifyWebhook<T = unknown>(
  secret: string,
  payload: string,
  headers: Headers | Record<string, string | string[] | undefined>,
): T {
  const plain: Record<string, string> = {};
  if (headers instanceof Headers) {
    headers.forEach((value, name) => {
      plain[name.toLowerCase()] = value;
    });
  } else {
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined) plain[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
    }
  }
  return new Webhook(secret).verify(payload, plain) as T;
}
