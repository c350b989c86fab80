/**
 * Policy documents list values sorted and distinct however the lists come (sorted ones are
 * recognized in one pass), and a statement's size is measured once per quota and reused by
 * every packing of it: the same sizes and the same documents as measuring each time.
 */
import { documentJson, Statement } from "../policies/document";
import { packStatements, sizeOf, statementSize } from "../policies/pack";
import { QuotaKind } from "../policies/quotas";

let seed = 11;
const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];

test("every list of a document is its distinct values, sorted, whatever order they come in", () => {
  const words = ["a", "b", "B", "aa", "a-b", "a/b", "é", "Z", "z", "0", "10", "9", "arn:aws:s3:::b/x/*", "arn:aws:s3:::b/y/*", ""];
  const lists: string[][] = [[], ["one"], ["a", "a"], ["a", "b", "c"], ["c", "b", "a"], ["a", "b", "b", "c"]];
  for (let i = 0; i < 2000; i++) lists.push(Array.from({ length: Math.floor(next() * 8) }, () => pick(words)));
  for (let i = 0; i < 200; i++) lists.push([...new Set(Array.from({ length: 8 }, () => pick(words)))].sort());
  for (const resources of lists) {
    if (!resources.length) continue;
    const json = documentJson([{ sid: "S", effect: "Allow", actions: ["s3:GetObject"], resources }]) as any;
    const expected = [...new Set(resources)].sort();
    expect({ resources, listed: json.Statement[0].Resource }).toEqual({ resources, listed: expected.length === 1 ? expected[0] : expected });
  }
});

test("a listed array is the document's own, not the statement's", () => {
  const resources = ["a", "b"];
  const json = documentJson([{ sid: "S", effect: "Allow", actions: ["s3:GetObject"], resources }]) as any;
  json.Statement[0].Resource.push("c");
  expect(resources).toEqual(["a", "b"]);
});

/** Identity statements over many datasets, as the consumers of a large organization get. */
function statements(n: number): Statement[] {
  return Array.from({ length: n }, (_, i) => ({
    sid: `DataObjects${i}`,
    effect: "Allow" as const,
    actions: ["s3:GetObject", "s3:GetObjectVersion"],
    resources: Array.from({ length: 1 + (i % 40) }, (_, d) => `arn:aws:s3:us-east-1:900000000001:accesspoint/p-${i}/object/dataset ${String(d).padStart(3, "0")}/*`),
  }));
}

test("a statement's size is the size of a document of it alone, for each quota", () => {
  for (const quota of ["managed", "bucket", "key", "role-inline"] as QuotaKind[]) {
    for (const s of statements(30)) {
      expect(statementSize(quota, s)).toBe(sizeOf(quota, [s]));
      expect(statementSize(quota, s)).toBe(sizeOf(quota, [s]));
    }
  }
  // Whitespace counts for some quotas and not others: the sizes differ by quota.
  const [s] = statements(1);
  expect(statementSize("bucket", s)).toBeGreaterThan(statementSize("managed", s));
});

test("packing the same statements again, with other capacities, packs as measuring anew does", () => {
  const all = statements(30);
  const options = (inline: number) => ({ quota: "managed" as const, capacities: [inline, 6144], maxDocuments: 11, name: "identity policy of role reader" });
  const fresh = packStatements(statements(30), options(10240));
  expect(packStatements(all, options(10240))).toEqual(fresh);
  const smaller = packStatements(all, options(4000));
  expect(smaller).toEqual(packStatements(statements(30), options(4000)));
  expect(smaller).not.toEqual(fresh);
  for (const [i, doc] of smaller.entries()) expect(sizeOf("managed", doc)).toBeLessThanOrEqual(i === 0 ? 4000 : 6144);
});
