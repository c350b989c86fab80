/**
 * The access matrix evaluates one dataset per class of datasets the policies treat alike and
 * reuses its answers for the others (review/dataset-classes.ts). These tests hold the classes
 * to what the policies say: datasets with the same grants share a class, datasets any
 * statement tells apart never do, what cannot be decided for certain is a class of its own,
 * and the review with classes is the review without them.
 */
import { scaleTopology } from "../bench/scale-topology";
import { CollectedAccessPoint, CollectedBucket, CollectedPolicy, collectStacks, PolicyJson } from "../review/collect";
import { DatasetClasses } from "../review/dataset-classes";
import { AccessEvaluator } from "../review/evaluate";
import { reviewPrincipals } from "../review/principals";
import { organizationOf, readSynthOutput, reviewOutput } from "../review/review";
import { synthInput } from "./helpers/synth";
import { referenceInput } from "./helpers/topology";

const BUCKET: CollectedBucket = { stack: "lake", accountId: "111111111111", region: "eu-west-1", name: "lake-data", arn: "arn:aws:s3:::lake-data" };
const AP_ARN = "arn:aws:s3:eu-west-1:111111111111:accesspoint/reader-222222222222";
const ACCESS_POINT: CollectedAccessPoint = { stack: "lake", accountId: "111111111111", region: "eu-west-1", name: "reader-222222222222", arn: AP_ARN, bucket: "lake-data", address: "aws_s3_access_point.reader" };
const SAMPLE = "mlshare-review/sample-object";

function policy(document: PolicyJson): CollectedPolicy {
  return { kind: "inline", stack: "consumer", accountId: "222222222222", address: "aws_iam_role_policy.x", name: "x", attachedTo: "arn:aws:iam::222222222222:role/reader", document, text: JSON.stringify(document), unresolved: [] };
}

/** The classes of datasets (by prefix) under these statements, as an evaluator over them finds them. */
function classes(statements: object[], prefixes: string[]): Map<string, string> {
  const ev = { collection: { policies: [policy({ Version: "2012-10-17", Statement: statements as never })], accessPoints: [ACCESS_POINT] }, options: {} } as unknown as AccessEvaluator;
  const finder = new DatasetClasses(ev);
  return new Map(prefixes.map((prefix) => [prefix, finder.classOf({ bucket: BUCKET, objectKey: `${prefix}${SAMPLE}`, prefix, keys: "" })]));
}

const read = (resource: unknown, condition?: object) => ({ Effect: "Allow", Action: "s3:GetObject", Resource: resource, ...(condition ? { Condition: condition } : {}) });

describe("classes of datasets under one bucket", () => {
  test("datasets a statement names alike share a class; one it does not name is apart", () => {
    const c = classes([read(["arn:aws:s3:::lake-data/sales/*", "arn:aws:s3:::lake-data/returns/*", `${AP_ARN}/object/sales/*`, `${AP_ARN}/object/returns/*`])], ["sales/", "returns/", "other/"]);
    expect(c.get("sales/")).toBe(c.get("returns/"));
    expect(c.get("other/")).not.toBe(c.get("sales/"));
  });

  test("the access point's entries count as much as the bucket's", () => {
    const c = classes([read(["arn:aws:s3:::lake-data/sales/*", "arn:aws:s3:::lake-data/returns/*", `${AP_ARN}/object/sales/*`])], ["sales/", "returns/"]);
    expect(c.get("sales/")).not.toBe(c.get("returns/"));
  });

  test("a wildcard before a root's end reaches every root, and still tells datasets apart", () => {
    const c = classes([read("arn:aws:s3:*:*:accesspoint/*/object/sales/*")], ["sales/", "returns/", "sales-eu/"]);
    expect(c.get("sales/")).not.toBe(c.get("returns/"));
    expect(c.get("returns/")).toBe(c.get("sales-eu/"));
  });

  test("NotResource and a listing prefix condition tell datasets apart", () => {
    const not = classes([{ Effect: "Deny", Action: "s3:*", NotResource: "arn:aws:s3:::lake-data/sales/*" }], ["sales/", "returns/"]);
    expect(not.get("sales/")).not.toBe(not.get("returns/"));
    const listing = classes([{ Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::lake-data", Condition: { StringLike: { "s3:prefix": ["sales/*"] } } }], ["sales/", "returns/", "other/"]);
    expect(listing.get("sales/")).not.toBe(listing.get("returns/"));
    expect(listing.get("returns/")).toBe(listing.get("other/"));
  });

  test("the encryption context S3 sends tells datasets apart when a key policy reads it", () => {
    const c = classes([{ Effect: "Allow", Action: "kms:Decrypt", Resource: "*", Condition: { ArnLike: { "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::lake-data/sales/*" } } }], ["sales/", "returns/"]);
    expect(c.get("sales/")).not.toBe(c.get("returns/"));
  });

  test("ARN operators match wildcards, ArnEquals as much as ArnLike, and NotEquals as much as Equals", () => {
    for (const op of ["ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike"]) {
      const c = classes([{ Effect: "Deny", Action: "kms:Decrypt", Resource: "*", Condition: { [op]: { "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::lake-data/sales/*" } } }], ["sales/", "returns/"]);
      expect({ op, apart: c.get("sales/") !== c.get("returns/") }).toEqual({ op, apart: true });
    }
  });

  test("what cannot be decided for certain is a class of its own: policy variables, a dataset's key as a variable, another case, text outside ASCII, an unmodelled operator", () => {
    for (const statement of [
      read("arn:aws:s3:::lake-data/${aws:username}/*"),
      { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::lake-data", Condition: { StringLike: { "aws:PrincipalArn": "arn:aws:iam::222222222222:${s3:prefix}*" } } },
      read("arn:aws:s3:::lake-data/Sales/*"),
      { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::lake-data", Condition: { StringEqualsIgnoreCase: { "s3:prefix": ["\u212Aat/", "returns/"] } } },
      { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::lake-data", Condition: { Null: { "s3:prefix": "false" } } },
    ]) {
      const c = classes([statement], ["sales/", "returns/"]);
      expect({ statement, apart: c.get("sales/") !== c.get("returns/") }).toEqual({ statement, apart: true });
    }
  });

  test("entries of other buckets, the roots themselves and `*` touch no dataset", () => {
    const c = classes([read(["arn:aws:s3:::lake-data-archive/sales/*", "arn:aws:s3:::lake-data", AP_ARN, "*"])], ["sales/", "returns/"]);
    expect(c.get("sales/")).toBe(c.get("returns/"));
  });
});

describe("on synthesized topologies", () => {
  // Mixed grants: consumer c's grant of dataset d depends on (c + d) mod 5 and d mod 2, so
  // datasets agree in every grant exactly when they agree mod 10.
  const mixed = synthInput(scaleTopology({ consumers: 12, datasets: 25, mixed: true }));

  test("datasets with the same grants share a class, and datasets whose grants differ never do", () => {
    const output = readSynthOutput(mixed.outdir);
    const collection = collectStacks(output.stacks, output.manifest);
    const { organization } = organizationOf(collection);
    const principals = reviewPrincipals(collection, organization);
    const ev = new AccessEvaluator(collection, { organization, extraIdentityPolicies: principals.extraIdentityPolicies, missingPolicyDocuments: "skip" });
    const finder = new DatasetClasses(ev);
    const bucket = collection.buckets.find((b) => b.name.startsWith("scale-ml-data-"))!;
    const keyArn = collection.keys[0].arn;
    const classOf = (d: number) => {
      const prefix = `dataset-${String(d).padStart(3, "0")}/`;
      return finder.classOf({ bucket, objectKey: `${prefix}${SAMPLE}`, prefix, keys: `${keyArn} ${keyArn}` });
    };
    for (let a = 0; a < 25; a++) {
      for (let b = a + 1; b < 25; b++) {
        expect({ a, b, same: classOf(a) === classOf(b) }).toEqual({ a, b, same: a % 10 === b % 10 });
      }
    }
  }, 120_000);

  test("the review with classes is the review with every dataset evaluated on its own", async () => {
    for (const s of [mixed, synthInput(referenceInput())]) {
      const output = readSynthOutput(s.outdir);
      const shared = await reviewOutput(output, s.outdir);
      const each = await reviewOutput(output, s.outdir, { datasetClasses: false });
      expect(shared).toEqual(each);
    }
  }, 120_000);
});
