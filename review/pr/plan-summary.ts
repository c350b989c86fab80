/**
 * A pull request's summary of one stack's `terraform plan`, from `terraform show -json
 * tfplan`: how many resources are added, changed, destroyed and replaced (counted the way
 * Terraform's own "Plan:" line counts them: a replacement is one add and one destroy), and
 * which. A plan that failed is summarized by the end of its log.
 */

/** The part of `terraform show -json` the summary reads. */
export interface PlanJson {
  readonly resource_changes?: readonly {
    readonly address: string;
    readonly mode?: string;
    readonly change: { readonly actions: readonly string[] };
  }[];
  readonly output_changes?: Readonly<Record<string, { readonly actions: readonly string[] }>>;
}

/** One changed resource. */
export interface PlannedChange {
  readonly address: string;
  /** `create`, `update`, `delete`, `replace`, `read`. */
  readonly action: string;
}

/** One stack's plan, summarized. */
export interface PlanSummary {
  readonly stack: string;
  /** `changes`, `no-changes`, or `failed`. */
  readonly status: "changes" | "no-changes" | "failed";
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  readonly replace: number;
  readonly changes: readonly PlannedChange[];
  /** Markdown for the pull-request comment. */
  readonly markdown: string;
}

/** The action of a resource change, in one word; undefined for no-ops. */
export function actionOf(actions: readonly string[]): string | undefined {
  const a = [...actions].sort().join(",");
  if (a === "create") return "create";
  if (a === "update") return "update";
  if (a === "delete") return "delete";
  if (a === "create,delete") return "replace";
  if (a === "read") return "read";
  return undefined;
}

/** The first character of a change's line in a `diff` block (green, red, orange, plain). */
const PREFIX: Readonly<Record<string, string>> = { create: "+", delete: "-", update: "!", replace: "!", read: " " };

/** Summarizes a plan's JSON; at most `maxListed` changes are listed by address. */
export function summarizePlan(stack: string, plan: PlanJson, maxListed = 50): PlanSummary {
  const changes: PlannedChange[] = [];
  for (const c of plan.resource_changes ?? []) {
    const action = actionOf(c.change.actions);
    if (action) changes.push({ address: c.address, action });
  }
  const count = (a: string) => changes.filter((c) => c.action === a).length;
  const replace = count("replace");
  const add = count("create") + replace;
  const change = count("update");
  const destroy = count("delete") + replace;
  const status = changes.some((c) => c.action !== "read") ? "changes" : "no-changes";
  const head = status === "changes" ? `${add} to add, ${change} to change, ${destroy} to destroy${replace ? ` (${replace} replaced)` : ""}` : "no changes";
  const lines = [`<details><summary><b>${stack}</b>: ${head}</summary>`, ""];
  if (changes.length) {
    lines.push("```diff");
    for (const c of changes.slice(0, maxListed)) lines.push(`${PREFIX[c.action]} ${c.address}${c.action === "create" || c.action === "delete" ? "" : ` (${c.action})`}`);
    if (changes.length > maxListed) lines.push(`# ... and ${changes.length - maxListed} more`);
    lines.push("```");
  } else lines.push("No changes: the infrastructure matches the configuration.");
  lines.push("", "</details>");
  return { stack, status, add, change, destroy, replace, changes, markdown: lines.join("\n") };
}

/** The summary of a plan that failed: the last lines of its log. */
export function failedPlan(stack: string, log: string, lastLines = 30): PlanSummary {
  const tail = log.replace(/\x1b\[[0-9;]*m/g, "").trimEnd().split("\n").slice(-lastLines).join("\n");
  const markdown = [`<details open><summary><b>${stack}</b>: ❌ plan failed</summary>`, "", "```", tail || "(no output)", "```", "", "</details>"].join("\n");
  return { stack, status: "failed", add: 0, change: 0, destroy: 0, replace: 0, changes: [], markdown };
}

/**
 * The summary of a plan known only by its log (a speculative plan run remotely in a
 * Terraform Cloud workspace, which saves no plan file here): Terraform's "Plan:" line or
 * "No changes.", else a failed plan.
 */
export function summarizeLog(stack: string, log: string): PlanSummary {
  const text = log.replace(/\x1b\[[0-9;]*m/g, "");
  const m = /Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/.exec(text);
  const run = /https?:\/\/\S+\/runs\/run-[A-Za-z0-9]+/.exec(text)?.[0];
  if (m) {
    const [add, change, destroy] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const markdown = [
      `<details><summary><b>${stack}</b>: ${add} to add, ${change} to change, ${destroy} to destroy</summary>`,
      "",
      ...(run ? [`The plan ran remotely: ${run}`, ""] : []),
      "```",
      m[0],
      "```",
      "",
      "</details>",
    ].join("\n");
    return { stack, status: add + change + destroy ? "changes" : "no-changes", add, change, destroy, replace: 0, changes: [], markdown };
  }
  if (/No changes\./.test(text)) return summarizePlan(stack, {});
  return failedPlan(stack, log);
}
