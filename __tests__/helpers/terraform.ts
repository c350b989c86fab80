/**
 * The real Terraform and the real AWS provider schema, offline: `terraform validate` and
 * `terraform plan` over synthesized stacks, using the provider mirror at /opt/tf-plugins.
 *
 * A missing terraform binary or mirror fails the calling test with a message that says so:
 * a check that could not run never passes.
 */
import { execFile, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { tempDir } from "./tmp";

const run = promisify(execFile);

/** The provider mirror; override with MLSHARE_TF_PLUGIN_DIR. */
export const PLUGIN_DIR = process.env.MLSHARE_TF_PLUGIN_DIR ?? "/opt/tf-plugins";
/** The provider version the mirror must hold (what @cdktf/provider-aws 20.1.0 was generated from). */
export const AWS_PROVIDER_VERSION = "5.100.0";

const env = {
  ...process.env,
  CHECKPOINT_DISABLE: "1",
  TF_IN_AUTOMATION: "1",
  TF_INPUT: "0",
  TF_CLI_CONFIG_FILE: "/dev/null",
};

let initialized: string | undefined;

/**
 * Throws, loudly, when terraform or the provider mirror is missing. Called by every check,
 * so a machine without them fails the tests instead of skipping them.
 */
export function requireTerraform(): void {
  const version = spawnSync("terraform", ["version", "-json"], { encoding: "utf8", env });
  if (version.error || version.status !== 0) {
    throw new Error(
      "TERRAFORM IS MISSING: `terraform` is not on PATH, so synthesized stacks cannot be validated. " +
        "Install Terraform >= 1.10; these tests do not pass without it.",
    );
  }
  const provider = path.join(PLUGIN_DIR, "registry.terraform.io", "hashicorp", "aws", AWS_PROVIDER_VERSION);
  if (!fs.existsSync(provider)) {
    throw new Error(
      `THE TERRAFORM PROVIDER MIRROR IS MISSING: ${provider} does not exist. terraform validate needs ` +
        `hashicorp/aws ${AWS_PROVIDER_VERSION} in a local mirror (set MLSHARE_TF_PLUGIN_DIR to its root).`,
    );
  }
}

/**
 * A working directory initialized once against the mirror; its `.terraform` (a symlink to
 * the mirror's provider) and lock file are copied into each stack's directory, so the 675 MB
 * provider is neither copied nor hashed per stack.
 */
async function initTemplate(): Promise<string> {
  if (initialized) return initialized;
  requireTerraform();
  // Kept for the other checks of the test file, removed after it.
  const dir = tempDir("mlshare-tf-init-");
  fs.writeFileSync(
    path.join(dir, "main.tf.json"),
    JSON.stringify({ terraform: { required_providers: { aws: { source: "hashicorp/aws", version: AWS_PROVIDER_VERSION } } } }),
  );
  await run("terraform", ["init", "-backend=false", `-plugin-dir=${PLUGIN_DIR}`, "-input=false", "-no-color"], { cwd: dir, env });
  initialized = dir;
  return dir;
}

/**
 * Lays the stacks out as child modules of one root module, in a directory terraform can use
 * without init. One terraform run then loads the provider schema once for every stack. The
 * backend block is dropped from each copy: child modules take none, and `validate` never
 * checks backends.
 */
async function prepare(
  stacks: Readonly<Record<string, unknown>>,
  transform: (json: any) => any = (j) => j,
  shareProviders = false,
): Promise<string> {
  const template = await initTemplate();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlshare-tf-stacks-"));
  const modules: Record<string, { source: string; providers?: Record<string, string> }> = {};
  const rootProviders = new Map<string, unknown>();
  for (const [name, json] of Object.entries(stacks)) {
    const copy = transform(JSON.parse(JSON.stringify(json)));
    if (copy.terraform) {
      delete copy.terraform.backend;
      delete copy.terraform.cloud;
    }
    modules[name] = { source: `./${name}` };
    if (shareProviders && copy.provider?.aws) {
      // One provider instance per alias for all stacks: each provider block is a plugin process.
      const aliases: string[] = copy.provider.aws.map((p: any) => p.alias);
      for (const p of copy.provider.aws) if (!rootProviders.has(p.alias)) rootProviders.set(p.alias, offlineCopy({ provider: { aws: [p] } }).provider.aws[0]);
      delete copy.provider;
      copy.terraform.required_providers.aws.configuration_aliases = aliases.map((a) => `aws.${a}`);
      modules[name].providers = Object.fromEntries(aliases.map((a) => [`aws.${a}`, `aws.${a}`]));
    }
    fs.mkdirSync(path.join(dir, name));
    fs.writeFileSync(path.join(dir, name, "cdk.tf.json"), JSON.stringify(copy));
  }
  const root: Record<string, unknown> = { module: modules };
  if (rootProviders.size) root.provider = { aws: [...rootProviders.values()] };
  fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(root));
  fs.cpSync(path.join(template, ".terraform"), path.join(dir, ".terraform"), { recursive: true, verbatimSymlinks: true });
  fs.copyFileSync(path.join(template, ".terraform.lock.hcl"), path.join(dir, ".terraform.lock.hcl"));
  // terraform reads the module list from here instead of running init again.
  fs.mkdirSync(path.join(dir, ".terraform", "modules"), { recursive: true });
  fs.writeFileSync(
    path.join(dir, ".terraform", "modules", "modules.json"),
    JSON.stringify({
      Modules: [{ Key: "", Source: "", Dir: "." }, ...Object.keys(modules).map((m) => ({ Key: m, Source: `./${m}`, Dir: m }))],
    }),
  );
  return dir;
}

/** A terraform diagnostic. */
export interface Diagnostic {
  readonly severity: string;
  readonly summary: string;
  readonly detail?: string;
  readonly range?: { readonly filename?: string };
}

/**
 * Runs `terraform validate` over stacks; returns each stack's diagnostics (empty: valid).
 * Diagnostics no stack owns are listed under "(root)". With `shareProviders`, the stacks'
 * provider blocks are replaced by one root provider per alias (for hundreds of stacks, where
 * a plugin process per provider block is too slow); the provider blocks themselves are then
 * not validated.
 */
export async function validateStacks(
  stacks: Readonly<Record<string, unknown>>,
  options: { readonly shareProviders?: boolean } = {},
): Promise<Record<string, Diagnostic[]>> {
  const dir = await prepare(stacks, undefined, options.shareProviders);
  try {
    const { stdout } = await run("terraform", ["validate", "-json", "-no-color"], { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 }).catch((e) => e);
    const parsed = JSON.parse(stdout);
    const out: Record<string, Diagnostic[]> = {};
    for (const name of Object.keys(stacks)) out[name] = [];
    for (const d of (parsed.diagnostics ?? []) as Diagnostic[]) {
      const owner = d.range?.filename?.split("/")[0];
      (out[owner && owner in out ? owner : "(root)"] ??= []).push(d);
    }
    if (!parsed.valid && Object.values(out).every((l) => l.length === 0)) out["(root)"] = [{ severity: "error", summary: "invalid, without diagnostics" }];
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The test copy of a stack that plans offline: fake credentials, the provider's skip flags
 * and no assume_role or account pinning (which need AWS).
 */
export function offlineCopy(stackJson: any): any {
  const copy = JSON.parse(JSON.stringify(stackJson));
  for (const provider of copy.provider?.aws ?? []) {
    delete provider.assume_role;
    delete provider.allowed_account_ids;
    Object.assign(provider, {
      access_key: "AKIAIOSFODNN7EXAMPLE",
      secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
      skip_region_validation: true,
    });
  }
  return copy;
}

/** What an offline `terraform plan` of stacks said. */
export interface PlanResult {
  readonly ok: boolean;
  /** Per stack, the resource addresses (within the stack) the plan would create. */
  readonly creates: Readonly<Record<string, readonly string[]>>;
  /** The error text when the plan failed. */
  readonly error?: string;
  /** Per stack, the planned values of the resources the plan would create. */
  readonly after?: Readonly<Record<string, readonly { readonly address: string; readonly type: string; readonly values: Record<string, any> }[]>>;
}

/**
 * Runs a command keeping all of its standard error and the last megabyte of its output: a
 * plan prints every planned value (about 40 MB for a thousand access point policies), which
 * only its end and its errors explain.
 */
function runKeepingTail(command: string, args: readonly string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const limit = 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout = (stdout + chunk).slice(-limit);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs one offline `terraform plan` over the stacks' test copies (local state) and reads it as JSON. */
export async function planStacks(stacks: Readonly<Record<string, unknown>>, options: { readonly shareProviders?: boolean } = {}): Promise<PlanResult> {
  const dir = await prepare(stacks, offlineCopy, options.shareProviders);
  try {
    const plan = await runKeepingTail("terraform", ["plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=tfplan"], dir);
    if (plan.code !== 0) return { ok: false, creates: {}, error: `${plan.stdout}${plan.stderr}` };
    const { stdout } = await run("terraform", ["show", "-json", "tfplan"], { cwd: dir, env, maxBuffer: 512 * 1024 * 1024 });
    const json = JSON.parse(stdout);
    const creates: Record<string, string[]> = {};
    const after: Record<string, { address: string; type: string; values: Record<string, any> }[]> = {};
    for (const name of Object.keys(stacks)) {
      creates[name] = [];
      after[name] = [];
    }
    for (const c of json.resource_changes ?? []) {
      if (!c.change.actions.includes("create")) continue;
      const m = /^module\.([^.]+)\.(.+)$/.exec(c.address);
      if (!m) continue;
      creates[m[1]].push(m[2]);
      after[m[1]].push({ address: m[2], type: c.type, values: c.change.after ?? {} });
    }
    return { ok: true, creates, after };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A test copy of a stack without its import blocks: an import reads the real account during plan. */
export function withoutImports(stack: any): any {
  const copy = JSON.parse(JSON.stringify(stack));
  delete copy.import;
  return copy;
}
