/**
 * The one pull-request comment: the access review (`review.md`) and every stack's plan
 * summary, kept under GitHub's comment size limit, posted once and then updated in place
 * (the comment is found again by {@link REVIEW_MARKER}).
 */
import { REVIEW_MARKER, topLevelDetails } from "../markdown";
import { PlanSummary } from "./plan-summary";

/** GitHub refuses comments over 65,536 characters; stay clear of it. */
export const MAX_COMMENT_LENGTH = 60_000;

/** What goes into the comment. */
export interface CommentParts {
  /** The review's Markdown; undefined when the review did not run. */
  readonly review?: string;
  readonly plans: readonly PlanSummary[];
  /** Stacks expected but without a plan summary (a matrix job that did not finish). */
  readonly missingPlans?: readonly string[];
  /** A link to the workflow run, for the full artifacts. */
  readonly runUrl?: string;
  readonly maxLength?: number;
}

/** Drops whole folded sections from the end of a Markdown text until it fits. */
function shrink(text: string, room: number): string {
  let t = text;
  while (t.length > room) {
    const starts = topLevelDetails(t);
    const last = starts[starts.length - 1];
    if (last === undefined || last <= 0) break;
    t = t.slice(0, last).trimEnd();
  }
  return t.length > room ? `${t.slice(0, Math.max(0, room - 1))}…` : t;
}

/** The comment's Markdown. */
export function composeComment(parts: CommentParts): string {
  const max = parts.maxLength ?? MAX_COMMENT_LENGTH;
  const review = parts.review?.trim() ? parts.review.trim() : `${REVIEW_MARKER}\n### mlshare access review: ⚠️ the review did not run; see the workflow log`;
  const withMarker = review.startsWith(REVIEW_MARKER) ? review : `${REVIEW_MARKER}\n${review}`;
  const plans = [...parts.plans].sort((a, b) => a.stack.localeCompare(b.stack));
  const failed = plans.filter((p) => p.status === "failed").length;
  const total = (k: "add" | "change" | "destroy") => plans.reduce((n, p) => n + p[k], 0);
  const planHead = [
    `### terraform plan: ${plans.length} stack${plans.length === 1 ? "" : "s"}${failed ? `, ❌ ${failed} failed` : ""}; ${total("add")} to add, ${total("change")} to change, ${total("destroy")} to destroy`,
    "",
    ...(parts.missingPlans?.length ? [`⚠️ no plan for ${parts.missingPlans.join(", ")}`, ""] : []),
    "| stack | add | change | destroy | replace |",
    "|---|---|---|---|---|",
    ...plans.map((p) => (p.status === "failed" ? `| ${p.stack} | ❌ failed | | | |` : `| ${p.stack} | ${p.add} | ${p.change} | ${p.destroy} | ${p.replace} |`)),
    "",
  ].join("\n");
  const footer = parts.runUrl ? `\n\n---\nFull review (review-full.md, review.json) and plans: ${parts.runUrl}` : "";
  const details = plans.map((p) => p.markdown).join("\n");
  const truncatedNote = "\n\n_Truncated to fit a comment: the full report is in the workflow run's artifacts._";
  let body = `${withMarker}\n\n${planHead}\n${details}${footer}`;
  if (body.length <= max) return body;
  // Too long: keep the verdict, the changes and the plan table; fold away details.
  const fixed = `\n\n${planHead}${truncatedNote}${footer}`;
  const failedDetails = plans.filter((p) => p.status === "failed").map((p) => p.markdown).join("\n");
  const reviewRoom = Math.max(2_000, max - fixed.length - Math.min(failedDetails.length, max / 4));
  body = `${shrink(withMarker, reviewRoom)}\n\n${planHead}\n${shrink(failedDetails, Math.max(0, max - reviewRoom - fixed.length))}${truncatedNote}${footer}`;
  return body.length <= max ? body : `${body.slice(0, max - 1)}…`;
}

/** What {@link upsertComment} needs of GitHub. */
export interface GitHubApi {
  readonly fetch: (url: string, init?: { method?: string; headers?: Record<string, string>; body?: string }) => Promise<{ ok: boolean; status: number; json(): Promise<unknown>; text(): Promise<string> }>;
  readonly token: string;
  /** `owner/name`. */
  readonly repository: string;
  /** @default "https://api.github.com" */
  readonly apiUrl?: string;
}

/**
 * Creates the comment on the pull request, or updates the one that already carries the
 * marker (so every push replaces the review instead of adding another).
 */
export async function upsertComment(api: GitHubApi, issue: number, body: string, marker = REVIEW_MARKER): Promise<{ action: "created" | "updated"; id: number }> {
  const base = `${api.apiUrl ?? "https://api.github.com"}/repos/${api.repository}`;
  const headers = { Authorization: `Bearer ${api.token}`, Accept: "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28", "Content-Type": "application/json" };
  const call = async (url: string, method = "GET", payload?: unknown) => {
    const r = await api.fetch(url, { method, headers, ...(payload !== undefined ? { body: JSON.stringify(payload) } : {}) });
    if (!r.ok) throw new Error(`GitHub ${method} ${url}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  let existing: number | undefined;
  for (let page = 1; existing === undefined; page++) {
    const comments = (await call(`${base}/issues/${issue}/comments?per_page=100&page=${page}`)) as { id: number; body?: string }[];
    existing = comments.find((c) => c.body?.includes(marker))?.id;
    if (comments.length < 100) break;
  }
  if (existing !== undefined) {
    await call(`${base}/issues/comments/${existing}`, "PATCH", { body });
    return { action: "updated", id: existing };
  }
  const created = (await call(`${base}/issues/${issue}/comments`, "POST", { body })) as { id: number };
  return { action: "created", id: created.id };
}
