/**
 * The pull-request workflow (.github/workflows/plan.yml) and the scripts it runs: the file
 * is valid for GitHub (checked offline by @action-validator/cli), does what the review flow
 * needs (base and head synthesized, the review with --base, a plan matrix from the manifest,
 * OIDC credentials, one comment), and every script it calls exists and does its job.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { main as planSummaryMain } from "../bin/plan-summary";
import { main as prCommentMain } from "../bin/pr-comment";
import { main as stackMatrixMain } from "../bin/stack-matrix";
import { REVIEW_MARKER } from "../review/markdown";
import { composeComment, GitHubApi, upsertComment } from "../review/pr/comment";
import { failedPlan, PlanJson, summarizeLog, summarizePlan } from "../review/pr/plan-summary";
import { planRoleOf, stackMatrix } from "../review/pr/stack-matrix";
import { synthInput } from "./helpers/synth";
import { referenceInput } from "./helpers/topology";
import { tempDir } from "./helpers/tmp";

const ROOT = path.join(__dirname, "..");
const WORKFLOW = path.join(ROOT, ".github", "workflows", "plan.yml");

function validate(file: string) {
  return spawnSync(path.join(ROOT, "node_modules", ".bin", "action-validator"), [file], { cwd: ROOT, encoding: "utf8" });
}

function tmp(name: string): string {
  return path.join(tempDir("mlshare-workflow-"), name);
}

/** Captures what a command writes while it runs. */
async function capture<T>(run: () => T | Promise<T>): Promise<{ result: T; stdout: string; stderr: string }> {
  const out = { stdout: "", stderr: "" };
  const spies = [
    jest.spyOn(process.stdout, "write").mockImplementation((s) => ((out.stdout += String(s)), true)),
    jest.spyOn(process.stderr, "write").mockImplementation((s) => ((out.stderr += String(s)), true)),
  ];
  try {
    return { result: await run(), ...out };
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const workflow: any = parse(fs.readFileSync(WORKFLOW, "utf8"));
const runs = (job: string): string => workflow.jobs[job].steps.map((s: { run?: string }) => s.run ?? "").join("\n");
const uses = (job: string): string[] => workflow.jobs[job].steps.map((s: { uses?: string }) => s.uses).filter(Boolean);

describe(".github/workflows/plan.yml", () => {
  test("is a valid GitHub workflow (action-validator)", () => {
    const r = validate(WORKFLOW);
    expect(r.error).toBeUndefined();
    expect({ status: r.status, output: `${r.stdout}${r.stderr}`.trim() }).toEqual({ status: 0, output: "" });
  });

  test("the validator does fail an invalid workflow, so the check above means something", () => {
    const broken = tmp("broken.yml");
    fs.writeFileSync(broken, fs.readFileSync(WORKFLOW, "utf8").replace("runs-on: ubuntu-latest", "runs-onn: ubuntu-latest"));
    const r = validate(broken);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("runs-onn");
  });

  test("runs on pull requests, reads the topology from a repository variable or the reference", () => {
    expect(Object.keys(workflow.on)).toEqual(["pull_request"]);
    expect(workflow.env.MLSHARE_CONFIG).toBe("${{ vars.MLSHARE_CONFIG || 'examples/reference.yaml' }}");
    expect(workflow.permissions).toEqual({ contents: "read" });
  });

  test("synthesizes the base and the head with npm ci, and reviews the head against the base", () => {
    const checkouts = workflow.jobs.synth.steps.filter((s: { uses?: string }) => s.uses?.startsWith("actions/checkout@"));
    expect(checkouts.map((s: { with: Record<string, string> }) => s.with)).toEqual([{ path: "head" }, { ref: "${{ github.event.pull_request.base.sha }}", path: "base" }]);
    expect(runs("synth").match(/npm ci/g)).toHaveLength(2);
    expect(runs("synth").match(/npx cdktf synth/g)).toHaveLength(2);
    expect(runs("synth")).toContain("npm run review -- --out ../review-out");
    expect(runs("synth")).toContain("--base ../base/cdktf.out");
    expect(runs("synth")).toContain("node bin/run.js bin/stack-matrix cdktf.out/manifest.json");
    expect(workflow.jobs.synth.outputs.stacks).toBe("${{ steps.matrix.outputs.stacks }}");
  });

  test("plans each stack of the matrix with credentials from OIDC role assumption", () => {
    const plan = workflow.jobs.plan;
    expect(plan.needs).toBe("synth");
    expect(plan.strategy.matrix.stack).toBe("${{ fromJSON(needs.synth.outputs.stacks) }}");
    expect(plan.permissions).toEqual({ contents: "read", "id-token": "write" });
    const creds = plan.steps.find((s: { uses?: string }) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    // With pipeline, the hub's plan CI role read from the stacks; without, the repository variable.
    expect(creds.with["role-to-assume"]).toBe("${{ needs.synth.outputs.plan_role || vars.MLSHARE_PLAN_ROLE_ARN }}");
    expect(workflow.jobs.synth.outputs.plan_role).toBe("${{ steps.matrix.outputs.plan_role }}");
    expect(runs("synth")).toContain("node bin/run.js bin/stack-matrix --plan-role cdktf.out/manifest.json");
    // Every plan runs with mlshare_phase = plan: the providers assume the plan roles, which cannot write.
    expect(plan.env.TF_VAR_mlshare_phase).toBe("plan");
    expect(runs("plan")).toMatch(/terraform plan .*-out=tfplan/);
    expect(runs("plan")).toContain("terraform show -json tfplan");
    expect(runs("plan")).toContain("node bin/run.js bin/plan-summary");
    expect(uses("plan")).toEqual(expect.arrayContaining(["actions/download-artifact@v4", "hashicorp/setup-terraform@v3", "actions/upload-artifact@v4"]));
  });

  test("posts one comment with the review and the plans, and fails the run on review findings", () => {
    const comment = workflow.jobs.comment;
    expect(comment.needs).toEqual(["synth", "plan"]);
    expect(comment.if).toBe("always() && needs.synth.result == 'success'");
    expect(comment.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    expect(runs("comment")).toMatch(/node bin\/run\.js bin\/pr-comment --review review-out\/review\.md --plans plans[\s\S]*--post --pr \$\{\{ github\.event\.pull_request\.number \}\}/);
    const gate = comment.steps.at(-1);
    expect(gate.if).toBe("needs.synth.outputs.review == 'failure'");
  });

  test("every script it runs is in the repository: bin modules and npm scripts", () => {
    const text = fs.readFileSync(WORKFLOW, "utf8");
    const modules = [...text.matchAll(/node bin\/run\.js (bin\/[a-z-]+)/g)].map((m) => m[1]);
    expect(new Set(modules)).toEqual(new Set(["bin/stack-matrix", "bin/plan-summary", "bin/pr-comment"]));
    for (const m of modules) expect(fs.existsSync(path.join(ROOT, `${m}.ts`))).toBe(true);
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
    for (const m of text.matchAll(/npm run ([a-z-]+)/g)) expect(scripts[m[1]]).toBeDefined();
    expect(scripts.review).toBe("node bin/run.js bin/review");
  });
});

describe("the plan CI role (bin/stack-matrix --plan-role)", () => {
  test("is the hub's <project>-ci-plan role with pipeline, and nothing without", () => {
    const withPipeline = referenceInput();
    withPipeline.accounts.management.deployRole = "mlshare-deploy";
    withPipeline.pipeline = { github: { repository: "acme/ml-platform" } };
    const out = synthInput(withPipeline);
    const manifest = path.join(out.outdir, "manifest.json");
    expect(planRoleOf(manifest)).toBe("arn:aws:iam::111111111111:role/acme-ml-ci-plan");
    expect(planRoleOf(path.join(synthInput(referenceInput()).outdir, "manifest.json"))).toBeUndefined();
  });

  test("every stack, planned with mlshare_phase = plan, assumes its account's plan role", () => {
    const withPipeline = referenceInput();
    withPipeline.accounts.management.deployRole = "mlshare-deploy";
    withPipeline.pipeline = { github: { repository: "acme/ml-platform" } };
    const out = synthInput(withPipeline);
    for (const name of stackMatrix(out.manifest)) {
      for (const p of (out.stacks[name] as any).provider.aws) {
        expect(p.assume_role[0].role_arn).toMatch(/^\$\{var\.mlshare_phase == "plan" \|\| .*\? "arn:aws:iam::\d{12}:role\/mlshare-plan" :/);
      }
    }
  });
});

describe("the stack matrix (bin/stack-matrix)", () => {
  test("lists the synthesized stacks, dependencies first, without the bootstrap stack", () => {
    const out = synthInput(referenceInput());
    const stacks = stackMatrix(out.manifest);
    expect([...stacks].sort()).toEqual(Object.keys(out.manifest.stacks).filter((s) => s !== "bootstrap").sort());
    expect(stacks[0]).toBe("management");
    for (const [name, entry] of Object.entries<{ dependencies: string[] }>(out.manifest.stacks)) {
      for (const d of entry.dependencies) if (name !== "bootstrap") expect(stacks.indexOf(d)).toBeLessThan(stacks.indexOf(name));
    }
    expect(stackMatrix(out.manifest, { includeBootstrap: true })).toContain("bootstrap");
  });

  test("prints the matrix as one line of JSON for $GITHUB_OUTPUT", async () => {
    const file = tmp("manifest.json");
    fs.writeFileSync(file, JSON.stringify({ stacks: { b: { dependencies: ["a"] }, a: { dependencies: [] }, bootstrap: { dependencies: [] } } }));
    const r = await capture(() => stackMatrixMain([file]));
    expect(r.result).toBe(0);
    expect(r.stdout).toBe('["a","b"]\n');
  });

  test("fails on a missing manifest and on a dependency cycle", async () => {
    const missing = await capture(() => stackMatrixMain([tmp("none.json")]));
    expect(missing.result).toBe(1);
    expect(missing.stderr).toMatch(/none\.json does not exist: synthesize first/);
    expect(() => stackMatrix({ stacks: { a: { dependencies: ["b"] }, b: { dependencies: ["a"] } } })).toThrow(/cycle/);
  });
});

/** A plan as `terraform show -json` writes it: one change of each kind. */
const PLAN: PlanJson = {
  resource_changes: [
    { address: "aws_s3_bucket.Data", mode: "managed", change: { actions: ["create"] } },
    { address: "aws_iam_role_policy.Grants", mode: "managed", change: { actions: ["update"] } },
    { address: "aws_s3_access_point.Old", mode: "managed", change: { actions: ["delete"] } },
    { address: "aws_kms_alias.Key", mode: "managed", change: { actions: ["delete", "create"] } },
    { address: "aws_iam_role.Unchanged", mode: "managed", change: { actions: ["no-op"] } },
    { address: "data.aws_organizations_organizational_unit.Ou", mode: "data", change: { actions: ["read"] } },
  ],
};

describe("the plan summary (bin/plan-summary)", () => {
  test("counts as Terraform does (a replacement is an add and a destroy) and lists what changes", () => {
    const s = summarizePlan("data-lake", PLAN);
    expect(s).toMatchObject({ stack: "data-lake", status: "changes", add: 2, change: 1, destroy: 2, replace: 1 });
    expect(s.changes.map((c) => `${c.action} ${c.address}`)).toEqual([
      "create aws_s3_bucket.Data",
      "update aws_iam_role_policy.Grants",
      "delete aws_s3_access_point.Old",
      "replace aws_kms_alias.Key",
      "read data.aws_organizations_organizational_unit.Ou",
    ]);
    expect(s.markdown).toContain("<b>data-lake</b>: 2 to add, 1 to change, 2 to destroy (1 replaced)");
    expect(s.markdown).toContain("+ aws_s3_bucket.Data\n! aws_iam_role_policy.Grants (update)\n- aws_s3_access_point.Old\n! aws_kms_alias.Key (replace)");
  });

  test("a plan without changes says so; a failed plan shows the end of its log", () => {
    expect(summarizePlan("ml-dev", { resource_changes: [{ address: "aws_iam_role.R", change: { actions: ["no-op"] } }] })).toMatchObject({ status: "no-changes", add: 0, markdown: expect.stringContaining("no changes") });
    const failed = failedPlan("ml-prod", `${"noise\n".repeat(50)}Error: error configuring Terraform AWS Provider: no valid credential sources\n`);
    expect(failed.status).toBe("failed");
    expect(failed.markdown).toContain("❌ plan failed");
    expect(failed.markdown).toContain("Error: error configuring Terraform AWS Provider");
    expect(failed.markdown.match(/noise/g)!.length).toBeLessThan(30);
  });

  test("a remote Terraform Cloud plan is summarized from its log's Plan: line", () => {
    const remote = "Running plan in HCP Terraform...\nTo view this run in a browser, visit:\nhttps://app.terraform.io/app/acme/ml-sharing-ml-dev/runs/run-AbC123xyz\n\nPlan: 3 to add, 0 to change, 1 to destroy.\n";
    expect(summarizeLog("ml-dev", remote)).toMatchObject({ status: "changes", add: 3, change: 0, destroy: 1, markdown: expect.stringContaining("https://app.terraform.io/app/acme/ml-sharing-ml-dev/runs/run-AbC123xyz") });
    expect(summarizeLog("ml-dev", "No changes. Your infrastructure matches the configuration.")).toMatchObject({ status: "no-changes" });
    expect(summarizeLog("ml-dev", "Error: Invalid workspace")).toMatchObject({ status: "failed" });
  });

  test("the command writes the summary as JSON, from the plan's JSON or, without one, from the log", async () => {
    const planFile = tmp("plan.json");
    fs.writeFileSync(planFile, JSON.stringify(PLAN));
    const out = tmp("summaries/data-lake.json");
    const r = await capture(() => planSummaryMain(["--stack", "data-lake", "--plan-json", planFile, "--log", tmp("none.log"), "--out", out]));
    expect(r.result).toBe(0);
    expect(JSON.parse(fs.readFileSync(out, "utf8"))).toMatchObject({ stack: "data-lake", add: 2, destroy: 2 });
    const log = tmp("plan.log");
    fs.writeFileSync(log, "Error: No valid credential sources found\n");
    await capture(() => planSummaryMain(["--stack", "ml-dev", "--plan-json", tmp("missing.json"), "--log", log, "--out", out]));
    expect(JSON.parse(fs.readFileSync(out, "utf8"))).toMatchObject({ stack: "ml-dev", status: "failed" });
    expect((await capture(() => planSummaryMain(["--stack", "x"]))).result).toBe(2);
  });
});

describe("the pull-request comment (bin/pr-comment)", () => {
  const review = `${REVIEW_MARKER}\n### mlshare access review: ✅ no finding at or above high\n\n#### Changes since the base branch\n\n- ml-prod/batch-scoring can now read churn\n\n<details><summary>Access matrix</summary>\n\n${"x".repeat(5000)}\n\n</details>\n`;
  const plans = [summarizePlan("ml-prod", PLAN), failedPlan("ml-dev", "Error: boom")];

  test("is the review first (with the marker), then a table of every stack's plan and their details", () => {
    const body = composeComment({ review, plans, runUrl: "https://github.com/acme/ml/actions/runs/1" });
    expect(body.startsWith(`${REVIEW_MARKER}\n### mlshare access review`)).toBe(true);
    expect(body).toContain("### terraform plan: 2 stacks, ❌ 1 failed; 2 to add, 1 to change, 2 to destroy");
    expect(body).toContain("| ml-dev | ❌ failed | | | |\n| ml-prod | 2 | 1 | 2 | 1 |");
    expect(body.indexOf("can now read churn")).toBeLessThan(body.indexOf("### terraform plan"));
    expect(body).toContain("Error: boom");
    expect(body.endsWith("https://github.com/acme/ml/actions/runs/1")).toBe(true);
  });

  test("fits GitHub's limit by folding away details, keeping the verdict, the changes and the plan table", () => {
    const body = composeComment({ review, plans, maxLength: 3000 });
    expect(body.length).toBeLessThanOrEqual(3000);
    expect(body).toContain("ml-prod/batch-scoring can now read churn");
    expect(body).toContain("| ml-prod | 2 | 1 | 2 | 1 |");
    expect(body).not.toContain("xxxxxxxxxx");
    expect(body).toContain("Truncated to fit a comment");
  });

  test("says when the review did not run, and which stacks have no plan", () => {
    const body = composeComment({ review: undefined, plans: [], missingPlans: ["ml-dev"] });
    expect(body.split("\n")[0]).toBe(REVIEW_MARKER);
    expect(body).toContain("the review did not run");
    expect(body).toContain("⚠️ no plan for ml-dev");
  });

  /** A fake GitHub: comments of one issue, and the requests it received. */
  function fakeGitHub(existing: { id: number; body: string }[]): { api: GitHubApi; requests: { method: string; url: string; body?: string }[] } {
    const requests: { method: string; url: string; body?: string }[] = [];
    const api: GitHubApi = {
      token: "t0ken",
      repository: "acme/ml",
      fetch: async (url, init) => {
        const method = init?.method ?? "GET";
        requests.push({ method, url, ...(init?.body ? { body: init.body } : {}) });
        expect(init?.headers?.Authorization).toBe("Bearer t0ken");
        const page = Number(/[?&]page=(\d+)/.exec(url)?.[1] ?? 1);
        const payload = method === "GET" ? existing.slice((page - 1) * 100, page * 100) : { id: method === "POST" ? 999 : Number(url.split("/").pop()) };
        return { ok: true, status: 200, json: async () => payload, text: async () => JSON.stringify(payload) };
      },
    };
    return { api, requests };
  }

  test("creates the comment when no comment carries the marker", async () => {
    const { api, requests } = fakeGitHub([{ id: 1, body: "LGTM" }]);
    expect(await upsertComment(api, 7, `${REVIEW_MARKER}\nhello`)).toEqual({ action: "created", id: 999 });
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET https://api.github.com/repos/acme/ml/issues/7/comments?per_page=100&page=1",
      "POST https://api.github.com/repos/acme/ml/issues/7/comments",
    ]);
    expect(JSON.parse(requests[1].body!)).toEqual({ body: `${REVIEW_MARKER}\nhello` });
  });

  test("updates the comment an earlier run posted, looking past the first page of comments", async () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ id: i + 1, body: `comment ${i}` }));
    const { api, requests } = fakeGitHub([...many, { id: 4242, body: `${REVIEW_MARKER}\nold review` }]);
    expect(await upsertComment(api, 7, `${REVIEW_MARKER}\nnew review`)).toEqual({ action: "updated", id: 4242 });
    expect(requests.map((r) => `${r.method} ${r.url.replace("https://api.github.com/repos/acme/ml", "")}`)).toEqual([
      "GET /issues/7/comments?per_page=100&page=1",
      "GET /issues/7/comments?per_page=100&page=2",
      "PATCH /issues/comments/4242",
    ]);
  });

  test("the command composes the comment from review.md and the plan summaries it finds", async () => {
    const dir = path.dirname(tmp("x"));
    fs.writeFileSync(path.join(dir, "review.md"), review);
    fs.mkdirSync(path.join(dir, "plans", "nested"), { recursive: true });
    fs.writeFileSync(path.join(dir, "plans", "nested", "ml-prod.json"), JSON.stringify(plans[0]));
    const out = path.join(dir, "comment.md");
    const r = await capture(() => prCommentMain(["--review", path.join(dir, "review.md"), "--plans", path.join(dir, "plans"), "--stacks", '["ml-prod","ml-dev"]', "--out", out]));
    expect(r.result).toBe(0);
    const body = fs.readFileSync(out, "utf8");
    expect(body).toContain("can now read churn");
    expect(body).toContain("| ml-prod | 2 | 1 | 2 | 1 |");
    expect(body).toContain("⚠️ no plan for ml-dev");
    const saved = { token: process.env.GITHUB_TOKEN, repository: process.env.GITHUB_REPOSITORY };
    delete process.env.GITHUB_TOKEN;
    delete process.env.GITHUB_REPOSITORY;
    try {
      const noToken = await capture(() => prCommentMain(["--plans", path.join(dir, "plans"), "--out", out, "--post", "--pr", "7"]));
      expect(noToken.result).toBe(2);
      expect(noToken.stderr).toContain("--post needs GITHUB_TOKEN and GITHUB_REPOSITORY");
    } finally {
      if (saved.token !== undefined) process.env.GITHUB_TOKEN = saved.token;
      if (saved.repository !== undefined) process.env.GITHUB_REPOSITORY = saved.repository;
    }
  });
});

test("a folded section is dropped whole, never leaving a <details> open over the plans", () => {
  const nested = `${REVIEW_MARKER}\n### verdict\n\n<details><summary>Access matrix</summary>\n\n${"a".repeat(3000)}\n<details><summary>Deciding statements</summary>\n\n${"b".repeat(3000)}\n</details>\n\n</details>\n`;
  const body = composeComment({ review: nested, plans: [summarizePlan("ml-prod", PLAN)], maxLength: 4000 });
  expect(body.length).toBeLessThanOrEqual(4000);
  expect((body.match(/<details\b/g) ?? []).length).toBe((body.match(/<\/details>/g) ?? []).length);
  expect(body).not.toContain("Access matrix");
  expect(body).toContain("| ml-prod | 2 | 1 | 2 | 1 |");
});
