/**
 * Synth replaces its output completely or not at all, and lives with what else is in the
 * output: the real app entry as a child process, a compliance violation in-process, and the
 * publishing rules (output/publish.ts). __tests__/synth-cli.test.ts runs it through `npx cdktf synth`.
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as check from "../compliance/check";
import { RULES } from "../compliance/index";
import { Rule } from "../compliance/rule";
import { MANIFEST } from "../output/publish";
import { ComplianceError, runSynth, synthesize } from "../synth";
import { tempDir as makeTempDir } from "./helpers/tmp";
import { minimalInput, problemsOf, resolve, writeTopology } from "./helpers/topology";

const ROOT = path.resolve(__dirname, "..");

/** A fresh temp directory (removed after the file); `cdktf.out` inside it is where a test synthesizes. */
function tempDir(): string {
  return makeTempDir("mlshare-atomic-");
}

/** Runs the app entry the way `cdktf synth` does, writing into `outdir`. */
function runApp(topology: unknown, outdir: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("node", ["bin/run.js", "main"], {
    cwd: ROOT,
    env: { ...process.env, CDKTF_OUTDIR: outdir, MLSHARE_CONFIG: writeTopology(topology), CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The sha256 and mtime of every file, and the mtime of every folder, under `dir`, by relative path. */
function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = { ".": `dir ${fs.statSync(dir).mtimeMs}` };
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      const mtime = fs.statSync(full).mtimeMs;
      if (entry.isDirectory()) {
        out[path.relative(dir, full)] = `dir ${mtime}`;
        walk(full);
      } else out[path.relative(dir, full)] = `${createHash("sha256").update(fs.readFileSync(full)).digest("hex")} ${mtime}`;
    }
  };
  walk(dir);
  return out;
}

const stackDirs = (outdir: string) => fs.readdirSync(path.join(outdir, "stacks")).sort();
const manifestStacks = (outdir: string) =>
  Object.keys(JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")).stacks).sort();

/** The minimal topology plus an account `spare` that has a stack but nothing shared. */
function withSpareAccount(): any {
  const input = minimalInput();
  input.accounts.spare = { id: "100000000009" };
  return input;
}

/** A topology with several errors at once. */
function broken(): any {
  const input = withSpareAccount();
  input.defaultRegion = "mars-1";
  input.accounts.lake.id = "12";
  input.datasets[0].consumers[0].account = "nobody";
  return input;
}

describe("the app entry, as a child process, run three times on one output directory", () => {
  const dir = tempDir();
  const outdir = path.join(dir, "cdktf.out");
  const accountsAndBootstrap = (input: any) => [...Object.keys(input.accounts), "bootstrap"].sort();

  describe("first, a valid topology", () => {
    let run: { status: number | null; stderr: string };
    beforeAll(() => {
      run = runApp(withSpareAccount(), outdir);
    });

    test("writes manifest.json and one stack directory per account, plus bootstrap", () => {
      expect(run.status).toBe(0);
      const expected = accountsAndBootstrap(withSpareAccount());
      expect(stackDirs(outdir)).toEqual(expected);
      expect(manifestStacks(outdir)).toEqual(expected);
      for (const s of expected) expect(fs.existsSync(path.join(outdir, "stacks", s, "cdk.tf.json"))).toBe(true);
    });
  });

  describe("then a topology with several errors", () => {
    const problems = problemsOf(broken());
    let before: Record<string, string>;
    let run: { status: number | null; stderr: string };
    beforeAll(() => {
      before = hashTree(outdir);
      run = runApp(broken(), outdir);
    });

    test("is broken in three places", () => {
      expect(problems.map((p) => p.split(":")[0]).sort()).toEqual(
        ["accounts.lake.id", "datasets[0].consumers[0].account", "defaultRegion"].sort(),
      );
    });

    test("exits non-zero", () => {
      expect(run.status).not.toBe(0);
    });

    test("prints every error with its path on stderr", () => {
      expect(run.stderr).toContain(`has ${problems.length} errors`);
      for (const p of problems) expect(run.stderr).toContain(`  - ${p}`);
    });

    test("prints no stack trace", () => {
      expect(run.stderr).not.toMatch(/^\s{4}at /m);
    });

    test("leaves the previous output byte-for-byte as it was, mtimes included", () => {
      expect(Object.keys(before)).toContain("manifest.json");
      expect(hashTree(outdir)).toEqual(before);
    });

    test("leaves no staging or old directory beside the output", () => {
      expect(fs.readdirSync(dir)).toEqual(["cdktf.out"]);
    });
  });

  describe("then the topology with the spare account removed", () => {
    let run: { status: number | null; stderr: string };
    beforeAll(() => {
      expect(stackDirs(outdir)).toContain("spare");
      run = runApp(minimalInput(), outdir);
    });

    test("drops the removed account's stack directory and manifest entry", () => {
      expect(run.status).toBe(0);
      const expected = accountsAndBootstrap(minimalInput());
      expect(stackDirs(outdir)).toEqual(expected);
      expect(manifestStacks(outdir)).toEqual(expected);
    });

    test("leaves no staging or old directory beside the output", () => {
      expect(fs.readdirSync(dir)).toEqual(["cdktf.out"]);
    });
  });
});

describe("a compliance violation", () => {
  /** A rule no bucket passes. */
  const alwaysFails: Rule = {
    id: "ALWAYS_FAILS",
    severity: "high",
    info: "Nothing passes this rule.",
    explanation: "It exists to make synth fail.",
    check: (e) => (e.kind === "resource" && e.type === "aws_s3_bucket" ? "non-compliant" : "not-applicable"),
  };
  const realCheck = check.checkCompliance;
  const topology = resolve(minimalInput());
  let dir: string;
  let outdir: string;

  beforeEach(() => {
    dir = tempDir();
    outdir = path.join(dir, "cdktf.out");
    synthesize(topology, outdir);
    jest
      .spyOn(check, "checkCompliance")
      .mockImplementation((stacks, suppressions) => realCheck(stacks, suppressions, [...RULES, alwaysFails]));
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  test("makes synthesize throw a ComplianceError naming the rule and resource", () => {
    let thrown: unknown;
    try {
      synthesize(topology, outdir);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ComplianceError);
    const violations = (thrown as ComplianceError).report.violations;
    expect(violations.length).toBeGreaterThan(0);
    for (const v of violations) expect(v).toEqual(expect.objectContaining({ rule: "ALWAYS_FAILS", severity: "high" }));
    expect(violations.map((v) => v.resource)).toContainEqual(expect.stringMatching(/^bootstrap\/aws_s3_bucket\./));
    expect((thrown as Error).message).toContain("ALWAYS_FAILS");
  });

  test("leaves the existing output untouched, mtimes included, with no staging directory beside it", () => {
    const before = hashTree(outdir);
    expect(() => synthesize(topology, outdir)).toThrow(ComplianceError);
    expect(hashTree(outdir)).toEqual(before);
    expect(fs.readdirSync(dir)).toEqual(["cdktf.out"]);
  });

  test("makes runSynth print the finding without a stack trace and return 1", () => {
    const before = hashTree(outdir);
    const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    const saved = process.env.MLSHARE_CONFIG;
    process.env.MLSHARE_CONFIG = writeTopology(minimalInput());
    try {
      expect(runSynth(outdir)).toBe(1);
    } finally {
      if (saved === undefined) delete process.env.MLSHARE_CONFIG;
      else process.env.MLSHARE_CONFIG = saved;
    }
    const printed = stderr.mock.calls.map((c) => String(c[0])).join("");
    expect(printed).toMatch(/ALWAYS_FAILS bootstrap\/aws_s3_bucket\./);
    expect(printed).not.toMatch(/^\s{4}at /m);
    expect(hashTree(outdir)).toEqual(before);
  });
});

describe("publishing into an output Terraform works in", () => {
  const stackFile = (outdir: string, stack: string, file = "cdk.tf.json") => path.join(outdir, "stacks", stack, file);
  /** What `terraform init` and a local apply leave in a stack folder. */
  const terraformFiles: Record<string, string> = {
    ".terraform/providers/marker": "provider\n",
    ".terraform.lock.hcl": "# lock\n",
    "terraform.tfstate": '{"version": 4}\n',
  };
  const plantTerraformFiles = (dir: string) => {
    for (const [f, text] of Object.entries(terraformFiles)) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), text);
    }
  };
  const terraformFilesIn = (dir: string) => Object.fromEntries(Object.keys(terraformFiles).map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));

  test("replaces each stack's generated file in place and keeps everything else in its folder", () => {
    const outdir = path.join(tempDir(), "cdktf.out");
    synthesize(resolve(withSpareAccount()), outdir);
    const lake = path.join(outdir, "stacks", "lake");
    plantTerraformFiles(lake);
    const changed = withSpareAccount();
    changed.tags = { Team: "lake-keepers" };
    synthesize(resolve(changed), outdir);
    expect(terraformFilesIn(lake)).toEqual(terraformFiles);
    expect(fs.readFileSync(stackFile(outdir, "lake"), "utf8")).toContain("lake-keepers");
    expect(fs.readdirSync(lake).filter((f) => f.includes(".tmp"))).toEqual([]);
  });

  test("leaves a generated file whose content did not change alone, mtime included", () => {
    const outdir = path.join(tempDir(), "cdktf.out");
    const topology = resolve(minimalInput());
    synthesize(topology, outdir);
    const old = new Date("2020-01-01T00:00:00Z");
    fs.utimesSync(stackFile(outdir, "lake"), old, old);
    fs.utimesSync(path.join(outdir, MANIFEST), old, old);
    synthesize(topology, outdir);
    expect(fs.statSync(stackFile(outdir, "lake")).mtimeMs).toBe(old.getTime());
    expect(fs.statSync(path.join(outdir, MANIFEST)).mtimeMs).toBe(old.getTime());
  });

  test("run on its own, removes the folders of stacks the previous manifest named, and no other folder", () => {
    const outdir = path.join(tempDir(), "cdktf.out");
    synthesize(resolve(withSpareAccount()), outdir, { removeStaleStacks: true });
    fs.mkdirSync(path.join(outdir, "stacks", "notes"));
    synthesize(resolve(minimalInput()), outdir, { removeStaleStacks: true });
    expect(stackDirs(outdir)).toEqual([...accountsOf(minimalInput()), "notes"].sort());
  });

  test("under cdktf-cli, leaves stale stack folders to cdktf, whose rmSync without force then succeeds", () => {
    const outdir = path.join(tempDir(), "cdktf.out");
    synthesize(resolve(withSpareAccount()), outdir);
    // What cdktf-cli does around the app (@cdktf/cli-core synth-stack.js): list, run the app, remove orphans.
    const listed = fs.readdirSync(path.join(outdir, "stacks")).map((n) => path.join(outdir, "stacks", n));
    const saved = process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
    process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = "true";
    try {
      synthesize(resolve(minimalInput()), outdir);
    } finally {
      if (saved === undefined) delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
      else process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = saved;
    }
    expect(stackDirs(outdir)).toContain("spare");
    const names = manifestStacks(outdir);
    const orphans = listed.filter((d) => !names.includes(path.basename(d)));
    expect(orphans.map((d) => path.basename(d))).toEqual(["spare"]);
    for (const d of orphans) fs.rmSync(d, { recursive: true });
    expect(stackDirs(outdir)).toEqual(accountsOf(minimalInput()));
  });

  test("a write that fails midway leaves every file as it was, with no temporary file left", () => {
    const outdir = path.join(tempDir(), "cdktf.out");
    synthesize(resolve(withSpareAccount()), outdir);
    // Files only: a folder's mtime records that a temporary file came and went.
    const files = (dir: string) => Object.fromEntries(Object.entries(hashTree(dir)).filter(([, v]) => !v.startsWith("dir ")));
    const before = files(outdir);
    const changed = withSpareAccount();
    changed.tags = { Team: "lake-keepers" };
    // The fs module itself (the import above is a namespace copy that cannot be spied on).
    const nodeFs = require("fs") as typeof fs;
    const realCopy = nodeFs.copyFileSync;
    let calls = 0;
    const spy = jest.spyOn(nodeFs, "copyFileSync").mockImplementation((src, dest, mode) => {
      if (++calls === 2) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      return realCopy(src, dest, mode);
    });
    try {
      expect(() => synthesize(resolve(changed), outdir)).toThrow(/ENOSPC/);
    } finally {
      spy.mockRestore();
    }
    expect(calls).toBe(2);
    expect(files(outdir)).toEqual(before);
  });

  test("the bootstrap stack's local state is named from its folder in the output, not from the staging folder", () => {
    const outdir = path.join(tempDir(), "cdktf.out");
    synthesize(resolve(minimalInput()), outdir);
    const stack = JSON.parse(fs.readFileSync(stackFile(outdir, "bootstrap"), "utf8"));
    const statePath = stack.terraform.backend.local.path;
    expect(path.resolve(path.join(outdir, "stacks", "bootstrap"), statePath)).toBe(path.join(process.cwd(), "terraform.bootstrap.tfstate"));
  });

  const accountsOf = (input: any) => [...Object.keys(input.accounts), "bootstrap"].sort();
  const manifestStacks = (outdir: string) => Object.keys(JSON.parse(fs.readFileSync(path.join(outdir, MANIFEST), "utf8")).stacks);
});

describe("what the app prints", () => {
  test("on success, notices go to stdout (cdktf shows them as they are) and nothing to stderr", () => {
    const input = minimalInput();
    input.organization.ramSharingWithOrganization = false;
    input.accounts.sandbox = { create: true, email: "sandbox@example.com", name: "Sandbox" };
    const run = runApp(input, path.join(tempDir(), "cdktf.out"));
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("mlshare: account sandbox has no id yet");
  });

  test("on a refused synth, the error once on stderr, nothing on stdout", () => {
    const run = runApp(broken(), path.join(tempDir(), "cdktf.out"));
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.match(/mlshare: the topology in .* has \d+ errors:/g)).toHaveLength(1);
  });
});
