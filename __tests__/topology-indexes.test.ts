/**
 * Lookups indexed once per topology (the providers each account reads from, the bucket plan
 * holding each dataset) answer as looking through the whole topology does, in the same order.
 */
import * as fs from "fs";
import * as path from "path";
import { scaleTopology } from "../bench/scale-topology";
import { loadTopology } from "../config/load";
import { Topology } from "../config/model";
import { dataPlanFor, dataPlansOf, datasetsByName } from "../sharing/data-plan";
import { providersOf } from "../stacks/app";
import { resolve } from "./helpers/topology";

const examplesDir = path.join(__dirname, "..", "examples");
const topologies: [string, () => Topology][] = [
  ...fs
    .readdirSync(examplesDir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .map((f): [string, () => Topology] => [f, () => loadTopology(path.join(examplesDir, f))]),
  ["scale, mixed grants", () => resolve(scaleTopology({ consumers: 12, datasets: 30, mixed: true }))],
];

/** The providers of an account, looked up through every dataset, artifact set and project. */
function providersByScan(topology: Topology, key: string): string[] {
  const out = new Set<string>();
  for (const d of topology.datasets) if (d.consumers.some((c) => c.account === key)) out.add(d.account);
  for (const m of topology.modelArtifacts) if (m.consumers.includes(key)) out.add(m.account);
  for (const p of topology.mlProjects) {
    if (p.accounts.some((a) => a.account === key) && p.accounts.length) out.add(p.accounts[0].account);
  }
  out.delete(key);
  return [...out];
}

test.each(topologies)("%s: every account's providers, in order", (_name, load) => {
  const topology = load();
  const some = topology.accounts.filter((a) => providersByScan(topology, a.key).length).length;
  expect(some).toBeGreaterThan(0);
  for (const a of topology.accounts) expect({ account: a.key, providers: providersOf(topology, a.key) }).toEqual({ account: a.key, providers: providersByScan(topology, a.key) });
});

test.each(topologies)("%s: the bucket plan of every planned dataset", (_name, load) => {
  const topology = load();
  for (const d of topology.datasets.filter((x) => !x.existing)) {
    expect(dataPlanFor(topology, d)).toBe(dataPlansOf(topology, d.account).find((p) => p.datasets.includes(d)));
  }
  const existing = topology.datasets.find((x) => x.existing);
  if (existing) expect(() => dataPlanFor(topology, existing)).toThrow(`no bucket plan holds dataset ${existing.name}`);
});

test("a topology's indexes are its own: the same datasets in another topology get that topology's plans", () => {
  const input = scaleTopology({ consumers: 3, datasets: 4 });
  const first = resolve(input);
  const second: Topology = { ...first, accounts: [...first.accounts] };
  expect(dataPlanFor(first, first.datasets[0])).toBe(dataPlansOf(first, "data-lake")[0]);
  expect(dataPlanFor(second, second.datasets[0])).toBe(dataPlansOf(second, "data-lake")[0]);
  expect(dataPlansOf(second, "data-lake")[0]).not.toBe(dataPlansOf(first, "data-lake")[0]);
  // An account that reads nothing has no providers.
  expect(providersOf(first, "management")).toEqual([]);
});

test("datasets by name: each name's first dataset, as a search from the start finds it", () => {
  const topology = resolve(scaleTopology({ consumers: 2, datasets: 5 }));
  const [a, b] = topology.datasets;
  const twice = [a, b, { ...a, account: "other" }];
  const byName = datasetsByName(twice);
  expect([...byName.keys()]).toEqual([a.name, b.name]);
  for (const d of twice) expect(byName.get(d.name)).toBe(twice.find((x) => x.name === d.name));
});
