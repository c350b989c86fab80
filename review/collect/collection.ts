/**
 * Collects every policy of a synthesized `cdktf.out`, stack by stack, with the collector of
 * each kind of resource (review/collect/kms.ts, buckets.ts, access-points.ts, iam.ts,
 * organizations.ts, sagemaker.ts, ram.ts, outputs.ts) over one {@link StackContext}.
 */
import * as fs from "fs";
import * as path from "path";
import { collectAccessPoints } from "./access-points";
import { Builder } from "./builder";
import { collectBuckets } from "./buckets";
import { collectExistingData } from "./existing";
import { collectRoles } from "./iam";
import { collectKeys } from "./kms";
import { collectOrganization } from "./organizations";
import { collectOutputs } from "./outputs";
import { collectTableGrants } from "./lakeformation";
import { collectRamShares } from "./ram";
import { collectSageMaker } from "./sagemaker";
import { StackContext } from "./stack";
import { Collection, ManifestInput, StackInput } from "./types";

/** Reads a `cdktf.out` directory (its manifest and the stack files it names) and collects its policies. */
export function collectDirectory(outdir: string): Collection {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")) as ManifestInput;
  const stacks: Record<string, StackInput> = {};
  for (const [name, entry] of Object.entries(manifest.stacks)) {
    const file = entry.synthesizedStackPath ?? path.join("stacks", name, "cdk.tf.json");
    stacks[name] = JSON.parse(fs.readFileSync(path.join(outdir, file), "utf8")) as StackInput;
  }
  return collectStacks(stacks, manifest);
}

/**
 * Collects the policies of synthesized stacks, given as parsed JSON by stack name (as
 * `readStacks` returns them). The manifest, when given, supplies the stack order and
 * dependencies; otherwise the map's order is used.
 */
export function collectStacks(stacks: Readonly<Record<string, StackInput>>, manifest?: ManifestInput): Collection {
  const names = manifest ? Object.keys(manifest.stacks).filter((n) => n in stacks) : Object.keys(stacks);
  for (const n of Object.keys(stacks)) if (!names.includes(n)) names.push(n);
  const out = new Builder();
  for (const name of names) collectStack(new StackContext(name, stacks[name], manifest?.stacks[name]?.dependencies ?? [], out));
  return out.finish();
}

/** Collects one stack: providers first (every collector places resources in their accounts), outputs last. */
function collectStack(ctx: StackContext): void {
  ctx.readProviders();
  collectKeys(ctx);
  collectBuckets(ctx);
  collectAccessPoints(ctx);
  collectRoles(ctx);
  collectOrganization(ctx);
  collectSageMaker(ctx);
  collectRamShares(ctx);
  ctx.out.tableGrants.push(...collectTableGrants(ctx));
  collectOutputs(ctx);
  collectExistingData(ctx);
}
