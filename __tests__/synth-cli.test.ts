/**
 * `npx cdktf synth` as a user runs it, week after week, on one output folder: the reference
 * topology, then one account fewer, one more, a stray folder in `stacks/`, and a topology that
 * must be refused. cdktf-cli lists the stack folders before it runs the app and removes the
 * ones the new manifest does not name afterwards (without `force`); the app must live with
 * that, and keep what Terraform put in the stack folders it keeps.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PLUGIN_DIR, requireTerraform } from "./helpers/terraform";
import { tempDir } from "./helpers/tmp";
import { problemsOf, referenceInput, writeTopology } from "./helpers/topology";

const ROOT = path.resolve(__dirname, "..");

/** What one `npx cdktf synth` printed, and its exit status. */
interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `npx cdktf synth --output <outdir>` from the project, on a topology file. */
function cdktfSynth(topologyFile: string, outdir: string): CliRun {
  const r = spawnSync("npx", ["cdktf", "synth", "--output", outdir], {
    cwd: ROOT,
    env: { ...process.env, MLSHARE_CONFIG: topologyFile, CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null", FORCE_COLOR: "0" },
    encoding: "utf8",
    timeout: 90_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file below `dir` with its size and mtime, by relative path (folders too). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      const st = fs.lstatSync(full);
      out[path.relative(dir, full)] = `${entry.isDirectory() ? "dir" : st.size} ${st.mtimeMs}`;
      if (entry.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return out;
}

/** The reference topology without the account ml-staging (and the staging environment). */
function withoutStaging(): any {
  const t = referenceInput();
  delete t.accounts["ml-staging"];
  t.environments = t.environments.filter((e: string) => e !== "staging");
  for (const ou of t.organization.organizationalUnits) ou.accounts = ou.accounts.filter((a: string) => a !== "ml-staging");
  for (const set of t.modelArtifacts) set.consumers = set.consumers.filter((c: any) => c.account !== "ml-staging");
  for (const p of t.mlProjects) delete p.accounts.staging;
  return t;
}

/** That topology plus an account ml-qa with a stack and nothing shared. */
function withQa(): any {
  const t = withoutStaging();
  t.accounts["ml-qa"] = { id: "666666666666" };
  return t;
}

/** A topology synth must refuse: an account id that is not one. */
function refused(): any {
  const t = withQa();
  t.accounts["ml-qa"].id = "12";
  return t;
}

const stacksOf = (outdir: string) => fs.readdirSync(path.join(outdir, "stacks")).sort();
const manifestOf = (outdir: string) => Object.keys(JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")).stacks).sort();

describe("npx cdktf synth, five times on one output folder", () => {
  const outdir = path.join(tempDir("mlshare-cli-"), "cdktf.out");
  const devDir = path.join(outdir, "stacks", "ml-dev");
  const runs: Record<string, CliRun> = {};
  let devFiles: Record<string, string>;
  let beforeRefused: Record<string, string>;

  beforeAll(() => {
    requireTerraform();
    for (const t of [withoutStaging(), withQa()]) expect(problemsOf(t)).toEqual([]);
    expect(problemsOf(refused())).toEqual([expect.stringMatching(/^accounts\.ml-qa\.id: .*\(value: "12"\)$/)]);

    runs.reference = cdktfSynth(writeTopology(referenceInput()), outdir);
    // What Terraform leaves in a stack folder: a real init (provider and lock file), and local state.
    execFileSync("terraform", ["init", "-backend=false", `-plugin-dir=${PLUGIN_DIR}`, "-input=false", "-no-color"], {
      cwd: devDir,
      env: { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_CLI_CONFIG_FILE: "/dev/null" },
      stdio: "pipe",
    });
    fs.writeFileSync(path.join(devDir, "terraform.tfstate"), '{"version": 4}\n');
    fs.mkdirSync(path.join(outdir, "stacks", "ml-staging", ".terraform"));
    devFiles = Object.fromEntries(
      [".terraform.lock.hcl", "terraform.tfstate"].map((f) => [f, fs.readFileSync(path.join(devDir, f), "utf8")]),
    );

    runs.fewer = cdktfSynth(writeTopology(withoutStaging()), outdir);
    runs.more = cdktfSynth(writeTopology(withQa()), outdir);
    fs.mkdirSync(path.join(outdir, "stacks", "notes"));
    fs.writeFileSync(path.join(outdir, "stacks", "notes", "todo.txt"), "not a stack\n");
    runs.stray = cdktfSynth(writeTopology(withQa()), outdir);
    beforeRefused = snapshot(outdir);
    runs.refused = cdktfSynth(writeTopology(refused()), outdir);
  }, 240_000);

  test("every synth but the refused one exits 0", () => {
    const statuses = Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, r.status]));
    expect(statuses).toEqual({ reference: 0, fewer: 0, more: 0, stray: 0, refused: 1 });
  });

  test("no synth that succeeds prints an error", () => {
    for (const k of ["reference", "fewer", "more", "stray"]) {
      expect({ run: k, errors: `${runs[k].stdout}${runs[k].stderr}`.split("\n").filter((l) => /ERROR|ENOENT/.test(l)) }).toEqual({ run: k, errors: [] });
    }
  });

  test("the removed account's stack folder is gone, the added one is there, and the manifest agrees", () => {
    expect(stacksOf(outdir)).toEqual(["bootstrap", "data-lake", "management", "ml-dev", "ml-prod", "ml-qa"]);
    expect(manifestOf(outdir)).toEqual(stacksOf(outdir));
  });

  test("a stray folder in stacks/ does not break synth; cdktf removes it like any folder that is no stack", () => {
    expect(runs.stray.status).toBe(0);
    expect(fs.existsSync(path.join(outdir, "stacks", "notes"))).toBe(false);
  });

  test("a surviving stack keeps .terraform/, .terraform.lock.hcl and local state, with new generated files", () => {
    expect(fs.readdirSync(path.join(devDir, ".terraform"))).toContain("providers");
    for (const [f, text] of Object.entries(devFiles)) expect(fs.readFileSync(path.join(devDir, f), "utf8")).toBe(text);
    const dev = JSON.parse(fs.readFileSync(path.join(devDir, "cdk.tf.json"), "utf8"));
    // ml-staging no longer reads the model artifacts of ml-dev.
    expect(JSON.stringify(dev)).not.toContain("444444444444");
  });

  test("the refused synth leaves every file, size and mtime as it was", () => {
    expect(Object.keys(beforeRefused)).toContain(path.join("stacks", "ml-dev", ".terraform.lock.hcl"));
    expect(snapshot(outdir)).toEqual(beforeRefused);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual(["cdktf.out"]);
  });

  test("the refused synth names the field, the value and the rule, without a stack trace", () => {
    const all = `${runs.refused.stdout}${runs.refused.stderr}`;
    expect(all).toContain(`  - ${problemsOf(refused())[0]}`);
    expect(all).not.toMatch(/^\s+at /m);
  });

  test("the app prints the error once; cdktf's failure report quotes it once", () => {
    const header = /mlshare: the topology in .* has 1 error:/g;
    // cdktf echoes the app's stderr as it comes, then quotes it in its report ("Command output on stderr").
    expect(runs.refused.stderr.match(header)).toHaveLength(1);
    expect(runs.refused.stderr).toContain("Command output on stderr:");
  });
});
