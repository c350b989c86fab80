/**
 * Puts a checked synth into the output folder (`cdktf.out`) in a way that lives with
 * cdktf-cli and with Terraform working in the stack folders:
 *
 * - Only the files the synth generated are written: each stack's `cdk.tf.json` and
 *   `manifest.json`. Everything else in a stack folder stays: `.terraform/`,
 *   `.terraform.lock.hcl`, local state, a plan file.
 * - Every file is written beside its destination first and then renamed over it, so a reader
 *   sees each file whole, old or new. All new files are written before the first rename (a
 *   full disk leaves the output as it was), and `manifest.json` is renamed last, so whoever
 *   goes by the manifest sees the previous synth's stacks until every new stack file is in place.
 * - A file whose content did not change is left alone, mtime included.
 * - Stack folders that no longer belong to the topology: when cdktf-cli runs the app
 *   (`cdktf synth`, `diff`, `deploy`), it lists the folders in `stacks/` before the app runs and
 *   afterwards removes every one the new manifest does not name, with `fs.rmSync` and no
 *   `force`: removing one here first would make it fail with ENOENT. So under cdktf-cli they
 *   are left to it; when the app runs on its own they are removed here, and only those the
 *   previous manifest named (a folder mlshare never wrote is not its to remove).
 */
import * as fs from "fs";
import * as path from "path";

/** The manifest cdktf writes at the top of the output folder. */
export const MANIFEST = "manifest.json";

/** The folder of the output that holds one folder per stack. */
export const STACKS_FOLDER = "stacks";

/** Options of {@link publish}. */
export interface PublishOptions {
  /** Remove the folders of stacks the previous manifest named and the new one does not. */
  readonly removeStaleStacks: boolean;
}

/**
 * True when cdktf-cli is running the app: it sets CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS for
 * every app it runs (synth, diff, deploy, list), and then removes stale stack folders itself.
 */
export function runByCdktfCli(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS !== undefined;
}

/** The stack names a manifest lists; undefined when there is no readable manifest. */
export function manifestStacks(outdir: string): string[] | undefined {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, MANIFEST), "utf8"));
    return Object.keys(manifest?.stacks ?? {});
  } catch {
    return undefined;
  }
}

/** Every file below `dir`, as paths relative to it. */
function filesBelow(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = path.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...filesBelow(dir, rel));
    else out.push(rel);
  }
  return out;
}

/** True when `dest` is a file with exactly the bytes of `src`. */
function sameContent(src: string, dest: string): boolean {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dest);
  } catch {
    return false;
  }
  if (!stat.isFile() || stat.size !== fs.statSync(src).size) return false;
  return fs.readFileSync(src).equals(fs.readFileSync(dest));
}

/** A stack name that names one folder right inside `stacks/` (a manifest is only data). */
function isFolderName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && path.basename(name) === name && !name.includes("\\");
}

/**
 * Publishes the synth in `staging` (an output folder the app wrote and that passed every
 * check) into `target`. See the module comment for what is written, when and what stays.
 */
export function publish(staging: string, target: string, options: PublishOptions): void {
  const next = manifestStacks(staging);
  if (!next) throw new Error(`${path.join(staging, MANIFEST)} is missing: nothing to publish`);
  const previous = options.removeStaleStacks ? (manifestStacks(target) ?? []) : [];

  const files = filesBelow(staging).filter((f) => f !== MANIFEST);
  files.push(MANIFEST);
  const pending: { readonly temp: string; readonly dest: string }[] = [];
  const madeDirs: string[] = [];
  try {
    for (const rel of files) {
      const src = path.join(staging, rel);
      const dest = path.join(target, rel);
      if (sameContent(src, dest)) continue;
      const made = fs.mkdirSync(path.dirname(dest), { recursive: true });
      if (made) madeDirs.push(made);
      const temp = `${dest}.mlshare-${process.pid}.tmp`;
      pending.push({ temp, dest });
      fs.copyFileSync(src, temp);
    }
  } catch (e) {
    // Nothing was renamed yet: take back what was written, and the output is as it was.
    for (const p of pending) fs.rmSync(p.temp, { force: true });
    for (const d of madeDirs.reverse()) fs.rmSync(d, { recursive: true, force: true });
    throw e;
  }
  for (const p of pending) fs.renameSync(p.temp, p.dest);

  for (const name of previous) {
    if (!next.includes(name) && isFolderName(name)) {
      fs.rmSync(path.join(target, STACKS_FOLDER, name), { recursive: true, force: true });
    }
  }
}
