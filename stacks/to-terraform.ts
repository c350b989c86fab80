/**
 * A stack's Terraform JSON with every element resolved once. cdktf's TerraformStack.toTerraform
 * resolves each element, merges the resolved fragments, and then resolves the merged whole a
 * second time. Resolving a resolved value changes nothing (no token is left in it), so the second
 * pass only walks every string again: at a thousand accounts the largest provider's stack holds
 * 60 MB of policies and outputs, and the second pass was a fifth of the synthesis time. Here only
 * what the merge adds unresolved is resolved: the stack's metadata (`//`) and the stack's own
 * overrides. The resolved fragments are merged without copying them (mergeFragment). The result
 * is the same as cdktf's, value for value.
 */
import { TerraformElement, TerraformOutput, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";
// cdktf's own resolve and merge, as TerraformStack.toTerraform uses them (for metadata and overrides).
import { resolve } from "cdktf/lib/_tokens";
import { deepMerge } from "cdktf/lib/util";
import { resolveOnce } from "./resolve";

/** What TerraformStack keeps private and toTerraform reads. */
interface StackInternals {
  readonly cdktfVersion: string;
  readonly rawOverrides: Record<string, unknown>;
}

/** The Terraform JSON of `stack`, as TerraformStack.toTerraform returns it, each element resolved once. */
export function toTerraformOnce(stack: TerraformStack): Record<string, any> {
  const { cdktfVersion, rawOverrides } = stack as unknown as StackInternals;
  const overridden = Object.keys(rawOverrides);
  const tf: Record<string, any> = {};
  const metadata = {
    version: cdktfVersion,
    stackName: stack.node.id,
    backend: "local", // set by the stack's backend, when it has one
    cloud: undefined,
    ...(overridden.length > 0 ? { overrides: { stack: overridden } } : {}),
  };
  const elements = terraformElements(stack);
  for (const e of elements) deepMerge(metadata, resolve(stack, e.toMetadata()));
  const outputs: Record<string, unknown> = {};
  for (const e of elements) {
    if (!TerraformOutput.isTerraformOutput(e)) continue;
    const path = e.node.path.split("/");
    let entry: unknown = e.friendlyUniqueId;
    for (let i = path.length - 1; i >= 0; i--) entry = { [path[i]]: entry };
    deepMerge(outputs, entry);
  }
  tf["//"] = { metadata, outputs };
  for (const e of elements) mergeFragment(tf, resolveOnce(stack, e.toTerraform()));
  deepMerge(tf, rawOverrides);
  // Unresolved after the merge: the metadata (its undefined values) and what the overrides set.
  for (const key of new Set(["//", ...overridden])) {
    const value = resolve(stack, tf[key]);
    if (value === undefined) delete tf[key];
    else tf[key] = value;
  }
  return tf;
}

/**
 * cdktf's deepMerge of a resolved fragment into the stack's JSON, taking the fragment's
 * objects over where the JSON has none at their key instead of copying them: the fragment is
 * fresh from resolution and merged once, and a copy of it is equal to it (resolved, it holds
 * no undefined value and no token). Where both have an object, they are merged key by key as
 * deepMerge does; lists are joined, other values replaced.
 */
export function mergeFragment(target: Record<string, any>, fragment: Record<string, any>): void {
  for (const key of Object.keys(fragment)) {
    const value = fragment[key];
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      if (typeof target[key] !== "object") target[key] = value;
      else mergeFragment(target[key], value);
    } else if (Array.isArray(value)) {
      target[key] = Array.isArray(target[key]) ? [...target[key], ...value] : value;
    } else if (value === undefined) {
      delete target[key];
    } else {
      target[key] = value;
    }
  }
}

/** The Terraform elements of a stack, in cdktf's order: depth first, not into nested stacks. */
function terraformElements(node: IConstruct, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(node)) into.push(node);
  for (const child of node.node.children) {
    if (!TerraformStack.isStack(child)) terraformElements(child, into);
  }
  return into;
}
