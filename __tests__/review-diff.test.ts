/**
 * The access diff between two synths: two topologies that differ by one consumer show
 * exactly that grant, and nothing else; the command puts it at the top of review.md.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { diffReviews, isEmptyDiff } from "../review/diff";
import { renderReview } from "../review/markdown";
import { Review } from "../review/model";
import { reviewDirectory } from "../review/review";
import { synthInput, Synthesized } from "./helpers/synth";
import { referenceInput } from "./helpers/topology";
import { tempDir } from "./helpers/tmp";

const ROOT = path.join(__dirname, "..");

/** The reference topology, with ml-staging's existing role `validator` also reading churn. */
function withOneMoreConsumer(): unknown {
  const t = referenceInput();
  t.datasets.find((d: { name: string }) => d.name === "churn").consumers.push({ account: "ml-staging", access: "read", roles: ["validator"] });
  return t;
}

let base: Synthesized;
let head: Synthesized;
let baseReview: Review;
let headReview: Review;

beforeAll(async () => {
  base = synthInput(referenceInput());
  head = synthInput(withOneMoreConsumer());
  baseReview = await reviewDirectory(base.outdir);
  headReview = await reviewDirectory(head.outdir);
});

describe("the diff of two topologies that differ by one consumer", () => {
  test("shows exactly that grant: ml-staging/validator can now read churn", () => {
    const d = diffReviews(baseReview, headReview);
    expect(d.access.map((c) => c.sentence)).toEqual(["ml-staging/validator can now read churn"]);
    expect(d.access[0]).toMatchObject({ change: "granted", kind: "dataset", name: "churn", verb: "read", arn: `arn:aws:iam::${head.topology.accounts.find((a) => a.key === "ml-staging")!.id}:role/validator` });
  });

  test("and nothing else: no resource appears or goes, no finding appears or goes", () => {
    const d = diffReviews(baseReview, headReview);
    expect(d.resources).toEqual([]);
    expect(d.findings).toEqual([]);
  });

  test("read the other way, the grant is revoked: ml-staging/validator can no longer read churn", () => {
    expect(diffReviews(headReview, baseReview).access.map((c) => c.sentence)).toEqual(["ml-staging/validator can no longer read churn"]);
  });

  test("a review against itself has no changes, and says so", () => {
    const d = diffReviews(baseReview, baseReview);
    expect(isEmptyDiff(d)).toBe(true);
    expect(renderReview(baseReview, d)).toContain("#### Changes since the base branch\n\nNo change in access or findings.");
  });

  test("review.md puts the change first, right after the verdict and the summary", () => {
    const md = renderReview(headReview, diffReviews(baseReview, headReview));
    const lines = md.split("\n");
    expect(lines.slice(5, 8)).toEqual(["#### Changes since the base branch", "", "- ml-staging/validator can now read churn"]);
    expect(md.indexOf("ml-staging/validator can now read churn")).toBeLessThan(md.indexOf("#### Findings"));
  });
});

describe("npm run review -- --base, as a command (bin/run.js awaiting the command's promise)", () => {
  test("writes the change at the top of review.md and into review.json, and exits 0", () => {
    const out = tempDir("mlshare-review-cli-");
    const r = spawnSync("node", ["bin/run.js", "bin/review", "--out", out, "--base", base.outdir, head.outdir], { cwd: ROOT, encoding: "utf8" });
    expect(r.stderr.split("\n").filter((l) => l.trim() && !/^npm (warn|notice)/i.test(l))).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^mlshare review of .*: 6 stacks; 5 shared resources; findings: 0 high, 0 medium, 0 low; 1 access changes and 0 finding changes since /);
    const md = fs.readFileSync(path.join(out, "review.md"), "utf8");
    expect(md.split("\n").slice(5, 8)).toEqual(["#### Changes since the base branch", "", "- ml-staging/validator can now read churn"]);
    const json = JSON.parse(fs.readFileSync(path.join(out, "review.json"), "utf8"));
    expect(json.changes.access.map((c: { sentence: string }) => c.sentence)).toEqual(["ml-staging/validator can now read churn"]);
  });

  test("exits 2 with the usage on a bad option, and when the base does not exist", () => {
    const bad = spawnSync("node", ["bin/run.js", "bin/review", "--fail-on", "sometimes"], { cwd: ROOT, encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("mlshare review: --fail-on must be one of high, medium, low, none (value: sometimes)");
    expect(bad.stderr).toContain("Usage: npm run review --");
    const missing = spawnSync("node", ["bin/run.js", "bin/review", "--out", os.tmpdir(), "--base", path.join(os.tmpdir(), "no-such-cdktf.out"), head.outdir], { cwd: ROOT, encoding: "utf8" });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no-such-cdktf\.out\/manifest\.json does not exist: synthesize first/);
  });
});
