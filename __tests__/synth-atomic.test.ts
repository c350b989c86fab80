/**
 * Synth replaces its output all at once or not at all: the real app entry as a child
 * process, then a compliance violation in-process.
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as check from "../compliance/check";
import { RULES } from "../compliance/index";
import { Rule } from "../compliance/rule";
import { ComplianceError, runSynth, synthesize } from "../synth";
import { minimalInput, problemsOf, resolve, writeTopology } from "./helpers/topology";

const ROOT = path.resolve(__dirname, "..");

/** A fresh temp directory; `cdktf.out` inside it is where a test synthesizes. */
function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "mlshare-atomic-"));
}

/** Runs the app entry the way `cdktf synth` does, writing into `outdir`. */
function runApp(topology: unknown, outdir: string): { status: number | null; stderr: string } {
  const r = spawnSync("node", ["bin/run.js", "main"], {
    cwd: ROOT,
    env: { ...process.env, CDKTF_OUTDIR: outdir, MLSHARE_CONFIG: writeTopology(topology), CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stderr: r.stderr };
}

/** The sha256 of every file under `dir`, by relative path. */
function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = createHash("sha256").update(fs.readFileSync(full)).digest("hex");
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

const made: string[] = [];
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

describe("the app entry, as a child process, run three times on one output directory", () => {
  const dir = tempDir();
  made.push(dir);
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

    test("leaves the previous output byte-for-byte as it was", () => {
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
    made.push(dir);
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

  test("leaves the existing output untouched, with no staging directory beside it", () => {
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
