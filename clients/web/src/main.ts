import {
  type GenerateVideoRequest,
  isTerminal,
  type JobStatus,
  MathreelClient,
  MathreelError,
  type SubscriptionState,
} from "mathreel-client";

const TOKEN_STORAGE_KEY = "mathreel.token";
const POLL_INTERVAL_MS = 3000;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`#${id} is missing`);
  return found as T;
}

const errorBox = element<HTMLParagraphElement>("error");
const connection = element<HTMLParagraphElement>("connection");
const jobList = element<HTMLUListElement>("jobs");
const authSection = element<HTMLElement>("auth");
const player = element<HTMLVideoElement>("player");

/** The API's own message, shown as it is. */
function showError(error: unknown): void {
  errorBox.hidden = false;
  errorBox.textContent =
    error instanceof MathreelError ? `${error.status}: ${error.detail}` : error instanceof Error ? error.message : String(error);
}

function clearError(): void {
  errorBox.hidden = true;
  errorBox.textContent = "";
}

// --- the token: minted by a standalone server for the local user, or pasted ------------------------------------
let devToken: { token: string; expiresAt: number } | undefined;

async function fetchDevToken(): Promise<string | undefined> {
  const response = await fetch("/api/v1/dev/token", { method: "POST" });
  if (!response.ok) return undefined;
  const body = (await response.json()) as { token: string; expires_in: number };
  devToken = { token: body.token, expiresAt: Date.now() + (body.expires_in - 60) * 1000 };
  return body.token;
}

async function currentToken(): Promise<string> {
  if (devToken !== undefined) {
    if (Date.now() < devToken.expiresAt) return devToken.token;
    const renewed = await fetchDevToken();
    if (renewed !== undefined) return renewed;
  }
  return sessionStorage.getItem(TOKEN_STORAGE_KEY) ?? "";
}

const client = new MathreelClient({ baseUrl: "", token: currentToken });

// --- the job list ------------------------------------------------------------------------------------------------
const jobs = new Map<string, JobStatus>();
const topics = new Map<string, string>();

function stageLabel(stage: string): string {
  return stage.replaceAll("_", " ");
}

function render(job: JobStatus): void {
  let item = jobList.querySelector<HTMLLIElement>(`li[data-job-id="${job.job_id}"]`);
  if (item === null) {
    item = document.createElement("li");
    item.dataset.jobId = job.job_id;
    item.innerHTML = `
      <strong class="job-title"></strong>
      <span class="job-actions">
        <button type="button" class="cancel">Cancel</button>
        <button type="button" class="watch" hidden>Watch</button>
      </span>
      <progress max="100" value="0"></progress>
      <span class="job-status"></span>
      <span class="job-error" hidden></span>`;
    const id = job.job_id;
    item.querySelector<HTMLButtonElement>(".cancel")!.addEventListener("click", () => void cancelJob(id));
    item.querySelector<HTMLButtonElement>(".watch")!.addEventListener("click", () => void watch(id));
    // Newest first, as the API lists them.
    jobList.prepend(item);
  }
  item.dataset.status = job.status;
  item.dataset.stage = job.progress.current_stage;
  item.querySelector(".job-title")!.textContent = job.title ?? topics.get(job.job_id) ?? job.job_id;
  const bar = item.querySelector<HTMLProgressElement>("progress")!;
  bar.value = job.progress.percentage;
  const queue = job.status === "queued" && job.queue_position ? `, #${job.queue_position} in queue` : "";
  item.querySelector(".job-status")!.textContent =
    `${job.status}${queue} — ${stageLabel(job.progress.current_stage)} — ${job.progress.percentage.toFixed(0)}%`;
  item.querySelector<HTMLButtonElement>(".cancel")!.hidden = isTerminal(job);
  item.querySelector<HTMLButtonElement>(".watch")!.hidden = job.status !== "completed";
  const errorLine = item.querySelector<HTMLSpanElement>(".job-error")!;
  errorLine.hidden = !job.error;
  errorLine.textContent = job.error ? `${job.error.code}: ${job.error.message}` : "";
}

/** Keep the newest status: events and polls may arrive out of order. */
function update(job: JobStatus): void {
  const known = jobs.get(job.job_id);
  if (known !== undefined && known.updated_at > job.updated_at) return;
  if (known !== undefined && isTerminal(known) && !isTerminal(job)) return;
  jobs.set(job.job_id, job);
  render(job);
}

async function refreshList(): Promise<void> {
  const page = await client.listJobs({ limit: 20 });
  for (const job of [...page.items].reverse()) update(job);
}

async function cancelJob(jobId: string): Promise<void> {
  clearError();
  try {
    update(await client.cancel(jobId));
  } catch (error) {
    showError(error);
  }
}

// --- the player --------------------------------------------------------------------------------------------------
const objectUrls: string[] = [];

async function watch(jobId: string): Promise<void> {
  clearError();
  try {
    const [video, captions, thumbnail] = await Promise.all([
      client.getVideoUrl(jobId),
      client.getCaptions(jobId, "vtt").catch(() => undefined),
      client.getThumbnail(jobId).catch(() => undefined),
    ]);
    for (const url of objectUrls.splice(0)) URL.revokeObjectURL(url);
    player.replaceChildren();
    player.removeAttribute("poster");
    // The thumbnail and captions routes need the token, which an attribute cannot carry: show them from blobs.
    if (thumbnail !== undefined) {
      const poster = URL.createObjectURL(thumbnail);
      objectUrls.push(poster);
      player.poster = poster;
    }
    player.src = video.video_url;
    if (captions !== undefined) {
      const track = document.createElement("track");
      track.kind = "captions";
      track.label = "English";
      track.srclang = "en";
      track.default = true;
      const vtt = URL.createObjectURL(new Blob([captions], { type: "text/vtt" }));
      objectUrls.push(vtt);
      track.src = vtt;
      player.append(track);
    }
    element<HTMLAnchorElement>("download").href = video.download_url;
    element("player-title").textContent = jobs.get(jobId)?.title ?? topics.get(jobId) ?? "Video";
    element("player-section").hidden = false;
    player.dataset.jobId = jobId;
    player.load();
  } catch (error) {
    showError(error);
  }
}

// --- submitting ----------------------------------------------------------------------------------------------------
element<HTMLFormElement>("submit-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const data = new FormData(form);
  const body: GenerateVideoRequest = {
    configuration: {
      topic: String(data.get("topic") ?? ""),
      context: String(data.get("context") ?? ""),
      quality: data.get("quality") as GenerateVideoRequest["configuration"]["quality"],
      use_rag: data.get("use_rag") === "on",
      use_context_learning: data.get("use_context_learning") === "on",
    },
    priority: data.get("priority") as GenerateVideoRequest["priority"],
  };
  clearError();
  const button = form.querySelector<HTMLButtonElement>("button[type=submit]")!;
  button.disabled = true;
  client
    .createVideoJob(body, { idempotencyKey: crypto.randomUUID() })
    .then((created) => {
      topics.set(created.job_id, body.configuration.topic);
      // The WebSocket brings what follows; the first status is shown at once.
      return client.getStatus(created.job_id).then(update);
    })
    .catch(showError)
    .finally(() => {
      button.disabled = false;
    });
});

element<HTMLFormElement>("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_STORAGE_KEY, element<HTMLInputElement>("token-input").value.trim());
  void start();
});

// --- live updates: the WebSocket, polling the list while it is down --------------------------------------------
let pollTimer: ReturnType<typeof setInterval> | undefined;
let subscription: { close(): void } | undefined;

function setConnection(state: SubscriptionState | "polling"): void {
  connection.dataset.state = state;
  connection.textContent = state === "open" ? "live" : state;
  if (state === "open") {
    if (pollTimer !== undefined) clearInterval(pollTimer);
    pollTimer = undefined;
    // Catch up on what changed while the socket was down.
    refreshList().catch(showError);
  } else if (pollTimer === undefined) {
    pollTimer = setInterval(() => refreshList().catch(() => undefined), POLL_INTERVAL_MS);
  }
}

async function start(): Promise<void> {
  clearError();
  if ((await currentToken()) === "") {
    authSection.hidden = false;
    connection.textContent = "no token";
    return;
  }
  try {
    await refreshList();
  } catch (error) {
    showError(error);
    if (error instanceof MathreelError && error.status === 401) authSection.hidden = false;
    return;
  }
  authSection.hidden = devToken !== undefined;
  subscription?.close();
  setConnection("polling");
  subscription = client.subscribe(update, {
    onState: (state) => setConnection(state === "closed" ? "polling" : state),
  });
}

await fetchDevToken().catch(() => undefined);
await start();
