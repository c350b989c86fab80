/**
 * The review of the scale topology (100 consumer accounts x 200 datasets, every consumer
 * reading every dataset through its access points) completes, with the matrix the topology
 * declares. Its time is measured by `npm run bench`, not here.
 */
import { scaleTopology } from "../bench/scale-topology";
import { renderReview } from "../review/markdown";
import { Review } from "../review/model";
import { expandReviewJson, reviewToJson } from "../review/report-json";
import { reviewDirectory } from "../review/review";
import { synthInput } from "./helpers/synth";

let review: Review;

beforeAll(async () => {
  review = await reviewDirectory(synthInput(scaleTopology()).outdir);
}, 300_000);

test("every one of the 200 datasets is read by the 100 consumers' reader roles, through their access points, and written by none", () => {
  const datasets = review.matrix.filter((r) => r.kind === "dataset");
  expect(datasets).toHaveLength(200);
  const readers = Array.from({ length: 100 }, (_, i) => `ml-${String(i).padStart(3, "0")}/reader`);
  for (const d of datasets) {
    expect({ dataset: d.name, readers: d.access.read.map((g) => g.principal) }).toEqual({ dataset: d.name, readers });
    expect(d.access.read.every((g) => g.via.startsWith("access point "))).toBe(true);
    expect(d.access.write).toEqual([]);
  }
});

test("finds nothing to fail on, resolves every value, and folds the 200 alike datasets into one row of review.md", () => {
  expect(review.findings.filter((f) => f.severity === "high")).toEqual([]);
  expect(review.unresolved).toEqual([]);
  const md = renderReview(review);
  expect(md).toContain("| dataset-000, dataset-001, dataset-002, …, dataset-198, dataset-199 (200) | data-lake |");
  expect(md.length).toBeLessThan(60_000);
});

test("review.json writes each route once: a few MB where the cells' copies took 49 MB, and gives the review back", () => {
  const text = JSON.stringify(reviewToJson(review));
  expect(text.length).toBeLessThan(5_000_000);
  const part: Review = { ...review, matrix: review.matrix.slice(0, 5) };
  expect(expandReviewJson(JSON.parse(JSON.stringify(reviewToJson(part))))).toEqual(part);
});
