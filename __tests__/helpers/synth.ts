/** Synthesizes topologies in tests, the way `npx cdktf synth` does, into temp directories. */
import * as fs from "fs";
import * as path from "path";
import { Topology } from "../../config/model";
import { StackJson } from "../../compliance/rule";
import { readStacks, synthesize } from "../../synth";
import { tempDir } from "./tmp";
import { resolve } from "./topology";

/** A synthesized output directory and its stacks. */
export interface Synthesized {
  readonly outdir: string;
  readonly topology: Topology;
  readonly stacks: Record<string, StackJson>;
  readonly manifest: any;
}

/** Validates, resolves and synthesizes topology data (or a resolved topology) into a fresh temp dir (removed after the test file). */
export function synthInput(input: unknown): Synthesized {
  const topology = (input as Topology).accounts && Array.isArray((input as Topology).accounts) ? (input as Topology) : resolve(input);
  const outdir = path.join(tempDir("mlshare-synth-"), "cdktf.out");
  synthesize(topology, outdir);
  return {
    outdir,
    topology,
    stacks: readStacks(outdir),
    manifest: JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")),
  };
}

/** The JSON text of one synthesized stack, for cdktf's jest matchers. */
export function stackText(s: Synthesized, stack: string): string {
  const json = s.stacks[stack];
  if (!json) throw new Error(`no stack ${stack}; stacks: ${Object.keys(s.stacks).join(", ")}`);
  return JSON.stringify(json);
}

/** Every resource of a type in a stack, by logical id. */
export function resourcesOf(s: Synthesized, stack: string, type: string): Record<string, any> {
  return (s.stacks[stack]?.resource?.[type] as Record<string, any>) ?? {};
}

/** The parsed policy documents of a resource type's `policy` (or other) attribute in a stack. */
export function policiesOf(s: Synthesized, stack: string, type: string, attr = "policy"): any[] {
  return Object.values(resourcesOf(s, stack, type)).map((r) => JSON.parse(r[attr]));
}
