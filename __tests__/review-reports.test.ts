/**
 * The review's reports at the largest organizations, over a generated review of 1,000 consumer
 * accounts x 200 datasets (what `npm run review` would report, built directly: a synth and
 * review of that size belong to the benchmark): `review.md` is a summary that fits one
 * pull-request comment with the plans beside it, `review-full.md` holds every row and
 * principal, and `review.json` writes each deciding statement and route once and gives the
 * review back unchanged.
 */
import { renderFullReview, renderReview, REVIEW_MARKER } from "../review/markdown";
import { AccessGrant, Review, ReviewFinding, ReviewPrincipal, SharedResource, StackSummary } from "../review/model";
import { composeComment } from "../review/pr/comment";
import { summarizePlan } from "../review/pr/plan-summary";
import { expandReviewJson, reviewToJson } from "../review/report-json";

const GITHUB_COMMENT_LIMIT = 65_536;
const CONSUMERS = 1000;
const DATASETS = 200;
const LAKE = "900000000001";
const BUCKET = `scale-ml-data-${LAKE}-us-east-1`;
const key = (c: number) => `ml-${String(c).padStart(4, "0")}`;
const id = (c: number) => String(910000000000 + c);

/** A review shaped like that of the mixed scale topology at 1,000 x 200. */
function largeReview(): Review {
  const principals: ReviewPrincipal[] = [];
  for (let c = 0; c < CONSUMERS; c++) {
    for (const role of ["reader", "writer"]) principals.push({ arn: `arn:aws:iam::${id(c)}:role/${role}`, label: `${key(c)}/${role}`, kind: "role", accountId: id(c) });
    principals.push({ arn: `arn:aws:iam::${id(c)}:role/mlshare-review-any-other-role`, label: `${key(c)}/(any other role)`, kind: "any-other-role", accountId: id(c) });
  }
  const byLabel = new Map(principals.map((p) => [p.label, p]));
  const grant = (c: number, role: string, d: string, verb: string): AccessGrant => {
    const p = byLabel.get(`${key(c)}/${role}`)!;
    const ap = `arn:aws:s3:us-east-1:${LAKE}:accesspoint/scale-ml-${id(c)}-1`;
    const object = `${d}/mlshare-review/sample-object`;
    return {
      principal: p.label,
      arn: p.arn,
      kind: p.kind,
      via: `access point scale-ml-${id(c)}-1`,
      steps: [
        {
          step: "s3",
          action: verb === "read" ? "s3:GetObject" : "s3:PutObject",
          resource: `${ap}/object/${object}`,
          statements: [
            { policy: `${key(c)}/aws_iam_role_policy.Access_RoleGrants_${role}_Inline`, side: "identity", effect: "Allow", statement: "DataObjects1" },
            { policy: `data-lake/aws_s3_access_point.Shares_AccessPoint-scale-ml-${id(c)}-1`, side: "resource", effect: "Allow", statement: verb === "read" ? "Grant1Objects" : "Grant2Objects" },
          ],
        },
        { step: "s3-bucket", action: "s3:GetObject", resource: `arn:aws:s3:::${BUCKET}/${object}`, statements: [{ policy: "data-lake/aws_s3_bucket_policy.Shares_DataBucket_Policy", side: "resource", effect: "Allow", statement: "DelegateToAccessPoints" }] },
        { step: "kms", action: "kms:Decrypt", resource: `arn:aws:kms:us-east-1:${LAKE}:key/Shares_DatasetKey`, statements: [{ policy: "data-lake/aws_kms_key.Shares_DatasetKey", side: "resource", effect: "Allow", statement: "ConsumerAccountsDecryptThroughS3" }] },
      ],
    };
  };
  const matrix: SharedResource[] = Array.from({ length: DATASETS }, (_, d) => {
    const name = `dataset-${String(d).padStart(3, "0")}`;
    const read: AccessGrant[] = [];
    const write: AccessGrant[] = [];
    for (let c = 0; c < CONSUMERS; c++) {
      if ((c + d) % 5 === 1) write.push(grant(c, "writer", name, "write"));
      read.push(grant(c, (c + d) % 5 === 1 ? "writer" : "reader", name, "read"));
    }
    return { kind: "dataset", name, id: `dataset:data-lake:${name}`, owner: "data-lake", ownerAccountId: LAKE, location: `s3://${BUCKET}/${name}/`, access: { read, write }, evaluated: principals.length, notes: [] };
  });
  const stacks: StackSummary[] = [
    { name: "data-lake", accountId: LAKE, region: "us-east-1", dependencies: [], resources: { aws_s3_access_point: CONSUMERS, aws_iam_role: 400, aws_kms_key: 1 }, resourceCount: CONSUMERS + 401 },
    ...Array.from({ length: CONSUMERS }, (_, c) => ({ name: key(c), accountId: id(c), region: "us-east-1", dependencies: ["data-lake"], resources: { aws_iam_role_policy: 2 }, resourceCount: 2 })),
  ];
  const findings: ReviewFinding[] = Array.from({ length: CONSUMERS }, (_, c) => ({
    id: `access:ACCESS_ANY_ROLE_OF_ACCOUNT:${key(c)}`,
    source: "access",
    severity: "low",
    rule: "ACCESS_ANY_ROLE_OF_ACCOUNT",
    resource: `data-lake/${key(c)}`,
    what: `a role of ${key(c)} that no grant names ${"reads through the key's account statement ".repeat(20)}`,
    why: "the bucket policy decides",
  }));
  return {
    version: 1,
    source: "cdktf.out",
    organization: { id: "o-scale12345", accountIds: [LAKE, ...Array.from({ length: CONSUMERS }, (_, c) => id(c))] },
    stacks,
    principals,
    matrix,
    findings,
    suppressed: [],
    policySizes: Array.from({ length: 3 * CONSUMERS }, (_, i) => ({ policy: `${key(i % CONSUMERS)}/aws_iam_role_policy.p${i}`, quota: "role-inline", description: "IAM inline policies per role (10,240)", size: 9000 - i, limit: 10240, percent: 80 })),
    unresolved: [],
    notes: [],
  };
}

const review = largeReview();

describe("review.md: a summary that fits one pull-request comment at 1,000 accounts", () => {
  const md = renderReview(review);

  test("fits, with the verdict, the counts and the findings first, each list saying where the rest is", () => {
    expect(md.length).toBeLessThanOrEqual(50_000);
    expect(md.startsWith(`${REVIEW_MARKER}\n### mlshare access review: ✅ no finding at or above high`)).toBe(true);
    expect(md).toContain("1001 stacks, ");
    expect(md).toContain("findings: 0 high, 0 medium, 1000 low");
    expect(md).toContain("| … and 950 more in review-full.md and review.json |");
    expect((md.match(/<details\b/g) ?? []).length).toBe((md.match(/<\/details>/g) ?? []).length);
  });

  test("without its caps the same review is several times a comment (the caps are what make it fit)", () => {
    expect(renderFullReview(review).length).toBeGreaterThan(10 * GITHUB_COMMENT_LIMIT);
  });

  test("folded sections go from the end, whole, when the caps are not enough", () => {
    const small = renderReview(review, undefined, { maxLength: 30_000 });
    expect(small.length).toBeLessThanOrEqual(30_000);
    expect(small).not.toContain("Access matrix");
    expect(small).toContain("#### Findings");
    expect(small).toContain("Sections left out to fit a comment are in review-full.md.");
    expect((small.match(/<details\b/g) ?? []).length).toBe((small.match(/<\/details>/g) ?? []).length);
  });

  test("the pull-request comment holds the summary and a thousand plans under GitHub's limit", () => {
    const plan = { format_version: "1.2", resource_changes: [{ address: "aws_iam_role.x", type: "aws_iam_role", change: { actions: ["create"] } }] };
    const plans = Array.from({ length: CONSUMERS }, (_, c) => summarizePlan(key(c), plan as never));
    const body = composeComment({ review: md, plans, runUrl: "https://github.com/acme/ml/actions/runs/1" });
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(body).toContain("### mlshare access review");
    expect(body).toContain("#### Findings");
  });
});

describe("review-full.md: the whole matrix, in the artifact", () => {
  const full = renderFullReview(review);

  test("names every principal of every cell, every stack and every finding", () => {
    const seen = (re: RegExp) => new Set([...full.matchAll(re)].map((m) => m[1]));
    const all = Array.from({ length: CONSUMERS }, (_, c) => key(c));
    expect([...seen(/`(ml-\d{4})\/reader`/g)].sort()).toEqual(all);
    expect([...seen(/\| (ml-\d{4}) \| \d{12} \|/g)].sort()).toEqual(all);
    expect([...seen(/`data-lake\/(ml-\d{4})`/g)].sort()).toEqual(all);
    expect(full).not.toContain(" more in ");
    expect(full).not.toContain("Sections left out");
  });
});

describe("review.json: each deciding statement and route once", () => {
  const json = reviewToJson(review);
  const text = JSON.stringify(json);
  const naive = JSON.stringify(review).length;

  // Compared field by field on ten datasets (10,000 cells): toEqual over all 200 takes a minute.
  const part: Review = { ...review, matrix: review.matrix.slice(0, 10) };

  test("gives the review back unchanged", () => {
    expect(expandReviewJson(JSON.parse(JSON.stringify(reviewToJson(part))))).toEqual(part);
    expect(expandReviewJson(JSON.parse(text)).matrix.map((r) => r.access.read.length)).toEqual(review.matrix.map((r) => r.access.read.length));
  });

  test("a route is shared by every dataset a grant reaches the same way: routes grow with principals, not cells", () => {
    // Per consumer: the reader's read, the writer's read and the writer's write.
    expect(json.routes.length).toBe(3 * CONSUMERS);
    expect(json.statements.length).toBeLessThan(5 * CONSUMERS);
    expect(text.length).toBeLessThan(naive / 5);
  });

  test("grants whose statements differ keep routes of their own", () => {
    const changed = JSON.parse(JSON.stringify(part)) as Review;
    (changed.matrix[0].access.read[0].steps[2].statements[0] as { statement: string }).statement = "SomethingElse";
    const a = reviewToJson(changed);
    expect(a.routes.length).toBe(reviewToJson(part).routes.length + 1);
    expect(expandReviewJson(JSON.parse(JSON.stringify(a)))).toEqual(changed);
  });
});
