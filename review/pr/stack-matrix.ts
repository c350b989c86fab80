/**
 * The stacks a pull request plans, read from `cdktf.out/manifest.json`: every stack but the
 * bootstrap stack (its state is local, so a plan in CI would show it created from nothing),
 * in the manifest's deploy order (a stack after the stacks it depends on).
 */
import * as fs from "fs";
import * as path from "path";
import { ManifestInput } from "../collect";

/** Options of {@link stackMatrix}. */
export interface StackMatrixOptions {
  /** Plan the bootstrap stack too. @default false */
  readonly includeBootstrap?: boolean;
}

/** The stack names to plan, dependencies first. Throws on a dependency cycle or an unknown dependency. */
export function stackMatrix(manifest: ManifestInput, options: StackMatrixOptions = {}): string[] {
  const stacks = manifest.stacks ?? {};
  const names = Object.keys(stacks);
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, from?: string) => {
    if (!(name in stacks)) throw new Error(`stack ${from} depends on ${name}, which the manifest does not list`);
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") throw new Error(`the manifest's stack dependencies form a cycle through ${name}`);
    state.set(name, "visiting");
    for (const d of [...(stacks[name].dependencies ?? [])].sort()) visit(d, name);
    state.set(name, "done");
    order.push(name);
  };
  for (const n of [...names].sort()) visit(n);
  return order.filter((n) => options.includeBootstrap || n !== "bootstrap");
}

/** Reads a manifest file; throws naming the file when it is missing or not JSON. */
export function readManifest(file: string): ManifestInput {
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist: synthesize first (npx cdktf synth)`);
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as ManifestInput;
  } catch (e) {
    throw new Error(`${file} is not JSON: ${(e as Error).message}`);
  }
}

/**
 * The hub's plan CI role that plans the stacks (`pipeline`), read from the stacks the
 * manifest lists; undefined when they have no pipeline. Throws when stacks disagree.
 * @param manifestFile the manifest; stack paths in it are relative to its folder
 */
export function planRoleOf(manifestFile: string): string | undefined {
  const manifest = readManifest(manifestFile);
  const roles = new Set<string>();
  for (const [name, entry] of Object.entries(manifest.stacks ?? {})) {
    if (!entry.synthesizedStackPath) continue;
    const file = path.join(path.dirname(manifestFile), entry.synthesizedStackPath);
    const stack = JSON.parse(fs.readFileSync(file, "utf8"));
    const arn = stack["//"]?.mlshare?.pipeline?.ciPlanRoleArn;
    if (typeof arn === "string") roles.add(arn);
    else if (roles.size) throw new Error(`stack ${name} has no pipeline while others have one`);
  }
  if (roles.size > 1) throw new Error(`the stacks name different plan CI roles: ${[...roles].join(", ")}`);
  return [...roles][0];
}
