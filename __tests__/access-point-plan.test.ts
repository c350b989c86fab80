/**
 * Access point policies are made from the grant groups that measured them while the
 * consumer's grants were split to fit (sharing/data-plan.ts): each is the policy grouping
 * its grants anew makes, for access points of whole and of split consumers.
 */
import { ScaleOptions, scaleTopology } from "../bench/scale-topology";
import { dataPlansOf, datasetPrefix, grantStatements } from "../sharing/data-plan";
import { resolve } from "./helpers/topology";

const cases: [string, ScaleOptions & { consumers: number }][] = [
  ["every consumer reading every dataset", { consumers: 100, datasets: 200 }],
  ["mixed grants", { consumers: 12, datasets: 60, mixed: true }],
];

test.each(cases)("%s: every access point's statements are its grants' statements", (_name, options) => {
  const topology = resolve(scaleTopology(options));
  const plans = dataPlansOf(topology, "data-lake");
  const accessPoints = plans.flatMap((p) => p.accessPoints);
  expect(accessPoints.length).toBeGreaterThan(0);
  // Some consumer's grants did not fit one access point and were split.
  if (!options.mixed) expect(accessPoints.length).toBeGreaterThan(options.consumers);
  const byName = new Map(topology.datasets.map((d) => [d.name, d]));
  const prefixOf = (name: string) => datasetPrefix(byName.get(name)!);
  for (const ap of accessPoints) {
    expect({ ap: ap.name, statements: ap.statements }).toEqual({ ap: ap.name, statements: grantStatements(topology, ap.grants, ap.arn, true, "Grant", prefixOf) });
  }
});
