/**
 * A planted high-severity problem makes the review fail: the stacks are synthesized, then a
 * stack's JSON is edited by hand the way a careless change (or a bad suppression) would
 * leave it, and the review must see it in the effective access, whatever compliance says.
 */
import * as fs from "fs";
import * as path from "path";
import { main } from "../bin/review";
import { REVIEW_MARKER } from "../review/markdown";
import { Review } from "../review/model";
import { reviewDirectory } from "../review/review";
import { synthInput, Synthesized } from "./helpers/synth";
import { minimalInput } from "./helpers/topology";
import { tempDir } from "./helpers/tmp";

/** The data bucket of the `lake` account: its logical id and its policy resource. */
function dataBucket(out: Synthesized): { id: string; name: string; policy: { policy: string } } {
  const lake = out.stacks.lake.resource!;
  const [id, bucket] = Object.entries(lake.aws_s3_bucket).find(([, b]) => String(b.bucket).startsWith("mini-data-"))!;
  const policy = Object.values(lake.aws_s3_bucket_policy).find((p) => String(p.bucket).includes(id) || p.bucket === bucket.bucket) as { policy: string };
  return { id, name: String(bucket.bucket), policy };
}

/** Rewrites the lake stack's data bucket policy with `edit`, on disk. */
function editBucketPolicy(out: Synthesized, edit: (doc: { Statement: Record<string, unknown>[] }) => void): void {
  const b = dataBucket(out);
  const doc = JSON.parse(b.policy.policy);
  edit(doc);
  b.policy.policy = JSON.stringify(doc);
  writeStack(out, "lake");
}

function writeStack(out: Synthesized, stack: string): void {
  fs.writeFileSync(path.join(out.outdir, out.manifest.stacks[stack].synthesizedStackPath), JSON.stringify(out.stacks[stack], null, 2));
}

/** Runs the command in-process; its exit status and what it wrote. */
async function runReview(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const writes = { stdout: "", stderr: "" };
  const spies = [
    jest.spyOn(process.stdout, "write").mockImplementation((s) => ((writes.stdout += String(s)), true)),
    jest.spyOn(process.stderr, "write").mockImplementation((s) => ((writes.stderr += String(s)), true)),
  ];
  try {
    return { status: await main(args), ...writes };
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
}

function outDir(): string {
  return tempDir("mlshare-review-out-");
}

describe("a bucket whose TLS deny was dropped, under a suppression of S3_TLS_ONLY", () => {
  let out: Synthesized;
  let review: Review;
  let where: string;
  const reason = "TLS is enforced by the lake's VPC endpoint policy (ticket ML-42)";

  beforeAll(async () => {
    const first = synthInput(minimalInput());
    where = `lake/aws_s3_bucket.${dataBucket(first).id}`;
    const input = minimalInput();
    input.compliance = { suppressions: [{ rule: "S3_TLS_ONLY", resource: where, reason }] };
    out = synthInput(input);
    expect(out.topology.suppressions).toHaveLength(1);
    editBucketPolicy(out, (doc) => {
      doc.Statement = doc.Statement.filter((s) => s.Sid !== "DenyInsecureTransport");
    });
    // The suppressions as the synthesized stack records them (the review reads no topology).
    (out.stacks.lake as Record<string, unknown>)["//"] = { ...(out.stacks.lake["//"] as object), mlshare: { suppressions: out.topology.suppressions } };
    writeStack(out, "lake");
    review = await reviewDirectory(out.outdir);
  });

  test("the compliance finding is reported as suppressed, with its reason, and does not count", () => {
    expect(review.suppressed).toEqual([expect.objectContaining({ rule: "S3_TLS_ONLY", severity: "high", resource: where, suppressedBecause: reason })]);
    expect(review.findings.filter((f) => f.source === "compliance")).toEqual([]);
  });

  test("the access check finds the bucket serving plain HTTP: a high finding", () => {
    expect(review.findings).toEqual([expect.objectContaining({ rule: "ACCESS_NON_TLS", severity: "high", resource: where, what: expect.stringContaining("without TLS") })]);
  });

  test("the review exits 1 naming the finding, and writes its reports; with --fail-on none it exits 0", async () => {
    const dir = outDir();
    const r = await runReview(["--out", dir, out.outdir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`[high] ACCESS_NON_TLS ${where}`);
    const md = fs.readFileSync(path.join(dir, "review.md"), "utf8");
    expect(md.startsWith(`${REVIEW_MARKER}\n### mlshare access review: ❌ 1 finding at or above high`)).toBe(true);
    expect(md).toContain("_(suppressed: TLS is enforced by the lake's VPC endpoint policy (ticket ML-42))_");
    expect(JSON.parse(fs.readFileSync(path.join(dir, "review.json"), "utf8")).findings).toHaveLength(1);
    expect((await runReview(["--out", outDir(), "--fail-on", "none", out.outdir])).status).toBe(0);
  });

  test("without the recorded suppression, the compliance rule counts too", async () => {
    delete (out.stacks.lake as Record<string, unknown>)["//"];
    writeStack(out, "lake");
    const unsuppressed = await reviewDirectory(out.outdir);
    expect(unsuppressed.findings.map((f) => f.rule).sort()).toEqual(["ACCESS_NON_TLS", "S3_TLS_ONLY"]);
    expect(unsuppressed.suppressed).toEqual([]);
  });
});

describe("a bucket policy edited to admit Principal \"*\"", () => {
  let review: Review;
  let out: Synthesized;

  beforeAll(async () => {
    out = synthInput(minimalInput());
    const bucket = dataBucket(out).name;
    editBucketPolicy(out, (doc) => {
      doc.Statement.push({ Sid: "QuickFix", Effect: "Allow", Principal: "*", Action: ["s3:GetObject", "s3:ListBucket"], Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/events/*`] });
    });
    review = await reviewDirectory(out.outdir);
  });

  test("a role outside the organization gets past the bucket policy: a high finding naming the statement", () => {
    const outside = review.findings.filter((f) => f.rule === "ACCESS_OUTSIDE_ORGANIZATION");
    expect(outside.length).toBeGreaterThanOrEqual(1);
    expect(outside.every((f) => f.severity === "high")).toBe(true);
    expect(outside.map((f) => f.what).join("\n")).toContain("#QuickFix");
  });

  test("other roles of the organization's accounts get past it too, and can list the dataset without reading it", () => {
    const rules = review.findings.filter((f) => f.what.startsWith("mgmt/(any other role)")).map((f) => f.rule).sort();
    expect(rules).toEqual(["ACCESS_BUCKET_ONLY", "ACCESS_LIST_WITHOUT_READ"]);
  });

  test("the key refuses accounts no grant names; a granted account's other roles read (the key admits the account through S3): a high finding", () => {
    const events = review.matrix.find((r) => r.kind === "dataset" && r.name === "events")!;
    expect(events.access.read.map((g) => g.principal)).toEqual(["science/(any other role)", "science/analyst"]);
    const wide = review.findings.filter((f) => f.what.startsWith("science/(any other role)"));
    expect(wide.map((f) => [f.rule, f.severity])).toEqual([["ACCESS_ANY_ROLE_OF_ACCOUNT", "high"]]);
    expect(wide[0].what).toContain("#QuickFix");
  });

  test("the review exits 1", async () => {
    expect((await runReview(["--out", outDir(), out.outdir])).status).toBe(1);
  });
});
