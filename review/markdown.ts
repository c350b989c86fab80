/**
 * `review.md`: the review as a pull-request comment. The verdict and the changes since the
 * base come first, then the findings; the access matrix, policy sizes, compliance,
 * resources per stack and unresolved values are folded in `<details>`.
 */
import { ReviewDiff, resourcePhrase, verbPhrase } from "./diff";
import { tablesSection } from "./tables";
import { AccessGrant, countBySeverity, findingsAtOrAbove, Review, ReviewFinding, Severity, SharedKind, SharedResource, VERBS } from "./model";

/** The first line of every review comment: how the workflow finds its own comment again. */
export const REVIEW_MARKER = "<!-- mlshare-review -->";

/** How much detail the Markdown carries. */
export interface MarkdownOptions {
  /** The severity the review fails at, for the verdict line (`none`: never). @default "high" */
  readonly failOn?: Severity | "none";
  /** At most this many findings listed; the rest are counted. @default 50 */
  readonly maxFindings?: number;
  /** At most this many deciding-statement lines. @default 40 */
  readonly maxStatementLines?: number;
  /** At most this many changes listed per kind. @default 100 */
  readonly maxChanges?: number;
  /**
   * The most characters the text may have: folded sections are dropped from the end until it
   * fits (GitHub refuses comments over 65,536). @default {@link REVIEW_MD_MAX_LENGTH}
   */
  readonly maxLength?: number;
}

/** How long `review.md` may be: one pull-request comment, with room for the plan summaries. */
export const REVIEW_MD_MAX_LENGTH = 50_000;

/** The caps of one rendering; the full report has none. */
interface Limits {
  readonly findings: number;
  readonly statementLines: number;
  readonly changes: number;
  /** Principals named per matrix cell. */
  readonly principalsPerCell: number;
  /** Rows (groups of alike resources) per kind of the matrix. */
  readonly groupsPerKind: number;
  readonly stackRows: number;
  readonly policyRows: number;
  readonly unresolvedRows: number;
  /** Characters of a finding's text. */
  readonly whatChars: number;
  /** Where what is left out can be read. */
  readonly elsewhere: string;
}

const FULL: Limits = {
  findings: Infinity,
  statementLines: Infinity,
  changes: Infinity,
  principalsPerCell: Infinity,
  groupsPerKind: Infinity,
  stackRows: Infinity,
  policyRows: Infinity,
  unresolvedRows: Infinity,
  whatChars: Infinity,
  elsewhere: "review.json",
};

/** The name of the full report beside `review.md`. */
export const FULL_REPORT = "review-full.md";

/** Escapes text for a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Names of a group of resources: all of them, or the first and last few when there are many. */
function names(rs: readonly SharedResource[]): string {
  const n = rs.map((r) => r.name);
  return n.length <= 6 ? n.join(", ") : `${n.slice(0, 3).join(", ")}, …, ${n.slice(-2).join(", ")} (${n.length})`;
}

/** Resources of a kind grouped by identical access (a hundred datasets shared alike make one row). */
function groups(resources: readonly SharedResource[]): SharedResource[][] {
  const by = new Map<string, SharedResource[]>();
  for (const r of resources) {
    const signature = JSON.stringify([r.owner, Object.entries(r.access).map(([v, gs]) => [v, gs.map((g) => g.principal)])]);
    const l = by.get(signature);
    if (l) l.push(r);
    else by.set(signature, [r]);
  }
  return [...by.values()];
}

function principalsCell(grants: readonly AccessGrant[], max: number): string {
  if (!grants.length) return "—";
  const shown = grants.slice(0, max).map((g) => `\`${g.principal}\``);
  return cell(shown.join(", ") + (grants.length > max ? ` and ${grants.length - max} more` : ""));
}

const KIND_TITLES: Readonly<Record<SharedKind, string>> = {
  dataset: "Datasets",
  "model-artifacts": "Model artifact sets",
  "model-package-group": "Model package groups",
  "ram-share": "RAM shares",
};

function matrixSection(review: Review, limits: Limits): string[] {
  const maxLines = limits.statementLines;
  const out: string[] = [];
  for (const kind of Object.keys(KIND_TITLES) as SharedKind[]) {
    const rs = review.matrix.filter((r) => r.kind === kind);
    if (!rs.length) continue;
    const verbs = VERBS[kind];
    out.push(`**${KIND_TITLES[kind]}**`, "", `| ${kind === "ram-share" ? "share" : kind.replace(/-/g, " ")} | owner | ${verbs.join(" | ")} |`, `|---|---|${verbs.map(() => "---").join("|")}|`);
    const gs = groups(rs);
    for (const g of gs.slice(0, limits.groupsPerKind)) out.push(`| ${cell(names(g))} | ${g[0].owner} | ${verbs.map((v) => principalsCell(g[0].access[v] ?? [], limits.principalsPerCell)).join(" | ")} |`);
    if (gs.length > limits.groupsPerKind) out.push(`| … ${gs.length - limits.groupsPerKind} more rows in ${limits.elsewhere} | | ${verbs.map(() => "").join(" | ")} |`);
    out.push("");
  }
  // Why: the statements that decided, for the first resource of each group.
  const lines: string[] = [];
  for (const g of groups(review.matrix)) {
    const r = g[0];
    for (const v of VERBS[r.kind]) {
      for (const grant of r.access[v] ?? []) {
        const why = grant.steps.map((s) => `${s.step} \`${s.action}\`: ${s.statements.map((x) => `${x.effect} \`${x.policy}#${x.statement}\``).join(", ") || "—"}`).join("; ");
        lines.push(`- \`${grant.principal}\` ${verbPhrase(r.kind, v)} ${resourcePhrase(r.kind, r.name)}${g.length > 1 ? ` (and ${g.length - 1} alike)` : ""} via ${grant.via}: ${why}`);
      }
    }
  }
  if (lines.length) {
    out.push("<details><summary>Deciding statements</summary>", "", ...lines.slice(0, maxLines));
    if (lines.length > maxLines) out.push(`- … and ${lines.length - maxLines} more in ${limits.elsewhere}`);
    out.push("", "</details>", "");
  }
  const notes = [...new Set(review.matrix.flatMap((r) => r.notes.filter((n) => !n.startsWith("roles of ") && !n.startsWith("shares "))))];
  out.push(
    `Evaluated against every role the stacks create or name, a synthetic role per account that allows itself everything (\`<account>/(any other role)\`) and one role outside the organization. Read is \`s3:GetObject\`, write \`s3:PutObject\` with the resource's key, each end to end (bucket or access point policy, identity policy, assumed role, KMS key policy); roles of the owning account other than those named are governed by their own IAM policies and not listed.`,
    ...notes.map((n) => `- ${n}`),
  );
  return out;
}

/** A text cut to `max` characters. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function findingRows(findings: readonly ReviewFinding[], limits: Limits): string[] {
  if (!findings.length) return ["No findings."];
  const max = limits.findings;
  const rows = ["| severity | rule | resource | what |", "|---|---|---|---|"];
  for (const f of findings.slice(0, max)) rows.push(`| ${f.severity} | ${f.rule} | \`${cell(f.resource)}\` | ${cell(clip(f.what, limits.whatChars))}${f.suppressedBecause ? ` _(suppressed: ${cell(clip(f.suppressedBecause, limits.whatChars))})_` : ""} |`);
  if (findings.length > max) rows.push(`| | | | … and ${findings.length - max} more in ${limits.elsewhere} |`);
  return rows;
}

function diffSection(diff: ReviewDiff, limits: Limits): string[] {
  const max = limits.changes;
  const out: string[] = ["#### Changes since the base branch", ""];
  const list = (items: readonly string[]) => [...items.slice(0, max).map((s) => `- ${s}`), ...(items.length > max ? [`- … and ${items.length - max} more in ${limits.elsewhere}`] : [])];
  if (!diff.access.length && !diff.tables?.length && !diff.resources.length && !diff.findings.length) return [...out, "No change in access or findings.", ""];
  out.push(...list([...diff.access.map((c) => c.sentence), ...(diff.tables ?? []), ...diff.resources.map((c) => c.sentence), ...diff.findings.map((c) => c.sentence)]));
  return [...out, ""];
}

/**
 * The review as Markdown, for `review.md` and the pull-request comment: a summary that fits
 * one comment whatever the organization's size (lists capped, then folded sections dropped
 * from the end until it fits); the full report is {@link renderFullReview}.
 */
export function renderReview(review: Review, diff?: ReviewDiff, options: MarkdownOptions = {}): string {
  const limits: Limits = {
    findings: options.maxFindings ?? 50,
    statementLines: options.maxStatementLines ?? 40,
    changes: options.maxChanges ?? 100,
    principalsPerCell: 25,
    groupsPerKind: 30,
    stackRows: 25,
    policyRows: 20,
    unresolvedRows: 50,
    whatChars: 400,
    elsewhere: `${FULL_REPORT} and review.json`,
  };
  return foldToFit(render(review, diff, options.failOn ?? "high", limits), options.maxLength ?? REVIEW_MD_MAX_LENGTH);
}

/**
 * The full report (`review-full.md`, in the workflow's artifacts): the same sections with
 * nothing capped: every row of the access matrix with every principal, every deciding
 * statement, finding, policy size, stack and unresolved value.
 */
export function renderFullReview(review: Review, diff?: ReviewDiff, options: Pick<MarkdownOptions, "failOn"> = {}): string {
  return render(review, diff, options.failOn ?? "high", FULL);
}

/** Where each top-level `<details>` block of a text begins (nested blocks are part of theirs). */
export function topLevelDetails(text: string): number[] {
  const starts: number[] = [];
  let depth = 0;
  for (const m of text.matchAll(/<details\b|<\/details>/g)) {
    if (m[0] === "</details>") depth = Math.max(0, depth - 1);
    else if (depth++ === 0) starts.push(m.index!);
  }
  return starts;
}

/**
 * Drops whole folded sections (`<details>`) from the end of a Markdown text until it fits in
 * `room` characters, saying so; cuts the text only when nothing is left to fold.
 */
export function foldToFit(text: string, room: number, note = `_Sections left out to fit a comment are in ${FULL_REPORT}._`): string {
  if (text.length <= room) return text;
  let t = text;
  while (t.length + note.length + 2 > room) {
    const starts = topLevelDetails(t);
    const last = starts[starts.length - 1];
    if (last === undefined || last <= 0) break;
    t = t.slice(0, last).trimEnd();
  }
  t = `${t}\n\n${note}`;
  return t.length > room ? `${t.slice(0, Math.max(0, room - 1))}…` : t;
}

function render(review: Review, diff: ReviewDiff | undefined, failOn: Severity | "none", limits: Limits): string {
  const counts = countBySeverity(review.findings);
  const failing = failOn === "none" ? [] : findingsAtOrAbove(review.findings, failOn);
  const shared = review.matrix.length;
  const largest = review.policySizes[0];
  const resources = review.stacks.reduce((n, s) => n + s.resourceCount, 0);
  const verdict = failing.length
    ? `❌ ${plural(failing.length, "finding")} at or above ${failOn}`
    : `✅ no finding${failOn === "none" ? "s fail this review" : ` at or above ${failOn}`}`;
  const out: string[] = [
    REVIEW_MARKER,
    `### mlshare access review: ${verdict}`,
    "",
    `${plural(review.stacks.length, "stack")}, ${plural(resources, "resource")}, ${plural(shared, "shared resource")}; ` +
      `findings: ${counts.high} high, ${counts.medium} medium, ${counts.low} low${review.suppressed.length ? ` (+${review.suppressed.length} suppressed)` : ""}; ` +
      `${plural(review.policySizes.length, "policy", "policies")}${largest ? `, the largest at ${largest.percent} % of its quota` : ""}; ` +
      `${plural(review.unresolved.length, "unresolved value")}.`,
    "",
  ];
  if (diff) out.push(...diffSection(diff, limits));
  out.push("#### Findings", "", ...findingRows(review.findings, limits), "");
  out.push(`<details><summary>Access matrix (${plural(shared, "shared resource")})</summary>`, "", ...matrixSection(review, limits), "", "</details>", "");
  out.push(...tablesSection(review.tables ?? []));
  out.push(
    `<details><summary>Policy sizes (${plural(review.policySizes.length, "policy", "policies")}, largest share of quota first)</summary>`,
    "",
    "| policy | quota | size | % |",
    "|---|---|---|---|",
    ...review.policySizes.slice(0, limits.policyRows).map((p) => `| \`${cell(p.policy)}\` | ${cell(p.description)} | ${p.size} | ${p.percent} % |`),
    ...(review.policySizes.length > limits.policyRows ? [`| … ${review.policySizes.length - limits.policyRows} more in ${limits.elsewhere} | | | |`] : []),
    "",
    "</details>",
    "",
  );
  const compliance = review.findings.filter((f) => f.source === "compliance");
  out.push(
    `<details><summary>Compliance rules (${plural(compliance.length, "finding")}, ${review.suppressed.length} suppressed)</summary>`,
    "",
    ...findingRows(compliance, limits),
    "",
    ...(review.suppressed.length ? ["Suppressed, with the topology's reasons (reported, never failing the review):", "", ...findingRows(review.suppressed, limits), ""] : []),
    "</details>",
    "",
  );
  out.push(
    `<details><summary>Resources per stack (${plural(review.stacks.length, "stack")})</summary>`,
    "",
    "| stack | account | region | resources | by type |",
    "|---|---|---|---|---|",
    // The largest stacks first when they are capped (a thousand consumer stacks look alike).
    ...(review.stacks.length > limits.stackRows ? [...review.stacks].sort((a, b) => b.resourceCount - a.resourceCount || a.name.localeCompare(b.name)) : review.stacks)
      .slice(0, limits.stackRows)
      .map((s) => `| ${s.name} | ${s.accountId} | ${s.region} | ${s.resourceCount} | ${cell(Object.entries(s.resources).map(([t, n]) => `${t.replace(/^aws_/, "")} ${n}`).join(", "))} |`),
    ...(review.stacks.length > limits.stackRows ? [`| … ${review.stacks.length - limits.stackRows} more (largest shown) in ${limits.elsewhere} | | | | |`] : []),
    "",
    "</details>",
    "",
  );
  out.push(`<details><summary>Unresolved values (${review.unresolved.length})</summary>`, "");
  if (review.unresolved.length) {
    out.push("| stack | address | attribute | value | why |", "|---|---|---|---|---|");
    for (const u of review.unresolved.slice(0, limits.unresolvedRows)) out.push(`| ${u.stack} | \`${cell(u.address)}\` | ${u.attribute} | \`${cell(u.value.slice(0, 120))}\` | ${cell(u.reason)} |`);
    if (review.unresolved.length > limits.unresolvedRows) out.push(`| … ${review.unresolved.length - limits.unresolvedRows} more in ${limits.elsewhere} | | | | |`);
  } else out.push("Every value of every policy resolved: what was evaluated is what AWS will see (KMS key ids and other ids known only after apply stand in as `key/<logical id>`, `ou-synthetic-...`).");
  out.push("", "</details>", "");
  if (review.notes.length) out.push("<details><summary>Not taken into account</summary>", "", ...review.notes.map((n) => `- ${n}`), "", "</details>", "");
  return out.join("\n");
}
