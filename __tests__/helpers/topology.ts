/**
 * Builders of topologies for tests: start from the reference topology and change what the
 * test is about.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { DEFAULT_TOPOLOGY } from "../../config/load";
import { validateTopology } from "../../config/load";
import { Topology } from "../../config/model";
import { TopologyError } from "../../config/errors";
import { tempDir } from "./tmp";

/** A fresh, mutable copy of the reference topology (examples/reference.yaml) as plain data. */
export function referenceInput(): any {
  return parse(fs.readFileSync(DEFAULT_TOPOLOGY, "utf8"));
}

/** The smallest valid topology: a provider, a consumer, one dataset, S3 state. */
export function minimalInput(): any {
  return {
    version: 1,
    project: "mini",
    defaultRegion: "eu-west-1",
    organization: { id: "o-abcdefghij", managementAccount: "mgmt" },
    state: { bucket: "mini-tfstate", region: "eu-west-1" },
    accounts: {
      mgmt: { id: "100000000001" },
      lake: { id: "100000000002" },
      science: { id: "100000000003" },
    },
    datasets: [{ name: "events", account: "lake", consumers: [{ account: "science", roles: ["analyst"] }] }],
  };
}

/** Validates and resolves plain topology data; throws TopologyError like the app. */
export function resolve(input: unknown): Topology {
  return validateTopology(input);
}

/** The error lines a topology produces (empty when it is valid). */
export function problemsOf(input: unknown): string[] {
  try {
    validateTopology(input);
    return [];
  } catch (e) {
    if (e instanceof TopologyError) return e.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
    throw e;
  }
}

/** Writes topology data to a YAML/JSON file in a fresh temp directory (removed after the test file); returns its path. */
export function writeTopology(input: unknown, name = "topology.json"): string {
  const dir = tempDir("mlshare-topology-");
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(input, null, 2));
  return file;
}
