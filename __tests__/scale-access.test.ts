/**
 * The security proofs at scale: the mixed scale topology at 400 consumer accounts x 20
 * datasets (one grant in five through a reader role, one in five read-write through the
 * bucket; bench/scale-topology.ts), synthesized, and AWS's evaluation logic
 * (@cloud-copilot/iam-simulate) over its JSON. For a sample of consumer accounts every
 * declared grant is allowed end to end (the access point, the bucket's delegation and the key
 * through S3; or the reader role's trust, its S3 request and the key), and beside it the
 * attacks are denied: an administrator of the consumer account, a role of another consumer
 * account, and an account outside the organization. Every account's grants come from the
 * consumer stack's own output, so a grant the stacks dropped would fail here.
 */
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { scaleTopology } from "../bench/scale-topology";
import { Decision, simulate, StackPolicies } from "./helpers/stack-policies";
import { synthInput } from "./helpers/synth";

const CONSUMERS = 400;
const DATASETS = 20;
const ORG = "o-scale12345";
const LAKE = "900000000001";
const REGION = "us-east-1";
const BUCKET = `scale-ml-data-${LAKE}-${REGION}`;
const key = (c: number) => `ml-${String(c).padStart(3, "0")}`;
/** Five neighbours cover every kind of the mix on every dataset; the others, the far ends. */
const SAMPLE = [0, 1, 2, 3, 4, 217, 399];
const EVERYTHING = [{ name: "(test) allows itself everything", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } }];

const out = synthInput(scaleTopology({ consumers: CONSUMERS, datasets: DATASETS, mixed: true }));
const stacks = new StackPolicies(out);
const lake = out.stacks["data-lake"] as any;
const datasetKey = stacks.key("alias/scale-ml/datasets");
const accessPoints = new Map<string, unknown>(
  Object.values<any>(lake.resource.aws_s3_access_point).map((ap) => [`arn:aws:s3:${REGION}:${LAKE}:accesspoint/${ap.name}`, JSON.parse(stacks.resolve("data-lake", ap.policy))]),
);
const bucketPolicy = stacks.bucketPolicy(BUCKET);
const identityCache = new Map<string, { name: string; policy: unknown }[]>();
const identity = (roleArn: string) => identityCache.get(roleArn) ?? identityCache.set(roleArn, stacks.identityPolicies(roleArn)).get(roleArn)!;

/** A consumer account's grant of a dataset, as its stack's output declares it. */
interface Grant {
  readonly access: "read" | "read-write";
  readonly via: "bucket-policy" | "assume-role";
  readonly roles: readonly string[];
  readonly accessPointArn?: string;
  readonly readerRoleArn?: string;
  readonly externalId?: string;
}
const grantsOf = (c: number): Record<string, Grant> => (out.stacks[key(c)] as any).output.datasets.value;

interface Caller {
  readonly principal: string;
  readonly roleArn: string;
  readonly identity: readonly { name: string; policy: unknown }[];
  readonly orgId: string;
}
const asRole = (arn: string, policies = identity(arn), orgId = ORG): Caller => ({ principal: arn, roleArn: arn, identity: policies, orgId });
const session = (readerArn: string): Caller => ({ principal: `arn:aws:sts::${LAKE}:assumed-role/${readerArn.split("/").pop()}/job`, roleArn: readerArn, identity: identity(readerArn), orgId: ORG });

const objectKey = (dataset: string) => `${dataset}/part-0.parquet`;
const s3Action = (write: boolean) => (write ? "s3:PutObject" : "s3:GetObject");
const kmsAction = (write: boolean) => (write ? "kms:GenerateDataKey" : "kms:Decrypt");

/** The KMS request S3 makes with the caller's credentials, for an object of the data bucket. */
function kmsThroughS3(c: Caller, write: boolean): Promise<Decision> {
  return simulate({
    principal: c.principal,
    roleArn: c.roleArn,
    action: kmsAction(write),
    resource: datasetKey.arn,
    resourceAccount: LAKE,
    identity: c.identity,
    resourcePolicy: datasetKey.policy,
    viaAwsService: true,
    orgId: c.orgId,
    context: {
      "kms:ViaService": `s3.${REGION}.amazonaws.com`,
      "kms:CallerAccount": c.roleArn.split(":")[4],
      "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${BUCKET}`,
      "kms:EncryptionContextKeys": ["aws:s3:arn"],
      // KMS sets the key's aliases, which consumers' identity policies name the key by.
      "kms:ResourceAliases": datasetKey.aliases,
    },
  });
}

/**
 * The bucket policy's check of a request through an access point: S3 sets the access point
 * keys, which AWS's action data does not list for bucket resources, so the unvalidated
 * evaluation takes them; the identity side was decided at the access point.
 */
async function bucketThroughAccessPoint(c: Caller, action: string, dataset: string, accessPointArn: string): Promise<Decision> {
  return (await runUnsafeSimulation(
    {
      request: {
        principal: c.principal,
        action,
        resource: { resource: `arn:aws:s3:::${BUCKET}/${objectKey(dataset)}`, accountId: LAKE },
        contextVariables: {
          "aws:PrincipalArn": c.roleArn,
          "aws:PrincipalAccount": c.roleArn.split(":")[4],
          "aws:PrincipalOrgID": c.orgId,
          "aws:SecureTransport": "true",
          "s3:DataAccessPointAccount": LAKE,
          "s3:DataAccessPointArn": accessPointArn,
          "s3:AccessPointNetworkOrigin": "Internet",
        },
      },
      identityPolicies: [{ name: "(authorized at the access point)", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] } }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: { __validated: true, policyDocument: bucketPolicy, metadata: { name: "bucket policy" }, errors: [] } as any,
    },
    {},
  )) as Decision;
}

/** A request at an access point of the data bucket. */
function atAccessPoint(c: Caller, action: string, dataset: string, accessPointArn: string): Promise<Decision> {
  const policy = accessPoints.get(accessPointArn);
  if (!policy) throw new Error(`no access point ${accessPointArn} in the provider stack`);
  return simulate({ principal: c.principal, roleArn: c.roleArn, action, resource: `${accessPointArn}/object/${objectKey(dataset)}`, resourceAccount: LAKE, identity: c.identity, resourcePolicy: policy, orgId: c.orgId });
}

/** A request straight to the data bucket. */
function atBucket(c: Caller, action: string, dataset: string): Promise<Decision> {
  return simulate({ principal: c.principal, roleArn: c.roleArn, action, resource: `arn:aws:s3:::${BUCKET}/${objectKey(dataset)}`, resourceAccount: LAKE, identity: c.identity, resourcePolicy: bucketPolicy, orgId: c.orgId });
}

function assume(c: Caller, readerArn: string, externalId: string): Promise<Decision> {
  return simulate({ principal: c.principal, roleArn: c.roleArn, action: "sts:AssumeRole", resource: readerArn, resourceAccount: LAKE, identity: c.identity, resourcePolicy: stacks.trustPolicy(readerArn), orgId: c.orgId, context: { "sts:ExternalId": externalId } });
}

/** Every step of a grant's route, end to end, for a read or a write. */
async function endToEnd(c: Caller, dataset: string, g: Grant, write: boolean): Promise<Record<string, Decision>> {
  if (g.via === "assume-role") {
    const reader = session(g.readerRoleArn!);
    return { assume: await assume(c, g.readerRoleArn!, g.externalId!), s3: await atBucket(reader, s3Action(write), dataset), kms: await kmsThroughS3(reader, write) };
  }
  return {
    accessPoint: await atAccessPoint(c, s3Action(write), dataset, g.accessPointArn!),
    bucket: await bucketThroughAccessPoint(c, s3Action(write), dataset, g.accessPointArn!),
    kms: await kmsThroughS3(c, write),
  };
}
const allowed = (decisions: Record<string, Decision>) => Object.fromEntries(Object.keys(decisions).map((k) => [k, "Allowed"]));
/** The first step that refuses, or "Allowed" when none does. */
const outcome = (decisions: Record<string, Decision>) => Object.values(decisions).find((d) => d !== "Allowed") ?? "Allowed";

test("the scale: 400 consumer stacks, 800 reader roles (two per consumer account), access points per consumer", () => {
  expect(Object.keys(out.stacks).filter((s) => s.startsWith("ml-")).length).toBe(CONSUMERS);
  expect(Object.keys(lake.resource.aws_iam_role).length).toBe(2 * CONSUMERS);
  expect(accessPoints.size).toBe(CONSUMERS);
});

describe.each(SAMPLE.map((c) => [key(c), c] as const))("consumer account %s", (_, c) => {
  const grants = Object.entries(grantsOf(c));

  test(`every declared grant of ${key(c)}: ${DATASETS} datasets, read and (where granted) write, end to end`, async () => {
    expect(grants.map(([d]) => d).sort()).toEqual(Array.from({ length: DATASETS }, (_, d) => `dataset-${String(d).padStart(3, "0")}`));
    for (const [dataset, g] of grants) {
      const role = asRole(g.roles[0]);
      const read = await endToEnd(role, dataset, g, false);
      expect({ dataset, via: g.via, read }).toEqual({ dataset, via: g.via, read: allowed(read) });
      const write = await endToEnd(role, dataset, g, true);
      if (g.access === "read-write") expect({ dataset, write }).toEqual({ dataset, write: allowed(write) });
      else expect({ dataset, write: outcome(write) }).not.toEqual({ dataset, write: "Allowed" });
    }
  }, 60_000);

  test(`an administrator of ${key(c)} reaches no dataset: not at the access point, not at the bucket, not through a reader role`, async () => {
    const admin = asRole(`arn:aws:iam::${910000000000 + c}:role/admin`, EVERYTHING);
    for (const [dataset, g] of grants) {
      const ap = g.accessPointArn ?? `arn:aws:s3:${REGION}:${LAKE}:accesspoint/scale-ml-${910000000000 + c}-1`;
      expect({ dataset, at: "access point", d: await atAccessPoint(admin, "s3:GetObject", dataset, ap) }).toEqual({ dataset, at: "access point", d: "ImplicitlyDenied" });
      expect({ dataset, at: "bucket", d: await atBucket(admin, "s3:GetObject", dataset) }).toEqual({ dataset, at: "bucket", d: "ImplicitlyDenied" });
      if (g.readerRoleArn) expect({ dataset, at: "reader role", d: await assume(admin, g.readerRoleArn, g.externalId!) }).toEqual({ dataset, at: "reader role", d: "ImplicitlyDenied" });
    }
  }, 60_000);

  test(`a granted role of another consumer account reaches no dataset through ${key(c)}'s access point or reader roles`, async () => {
    const other = (c + 1) % CONSUMERS;
    const theirs = grantsOf(other);
    for (const [dataset, g] of grants) {
      const intruder = asRole(theirs[dataset].roles[0]);
      if (g.accessPointArn) expect({ dataset, d: await atAccessPoint(intruder, "s3:GetObject", dataset, g.accessPointArn) }).toEqual({ dataset, d: "ImplicitlyDenied" });
      if (g.readerRoleArn) {
        expect({ dataset, d: await assume(intruder, g.readerRoleArn, g.externalId!) }).toEqual({ dataset, d: "ImplicitlyDenied" });
        expect({ dataset, d: await assume(asRole(intruder.roleArn, EVERYTHING), g.readerRoleArn, g.externalId!) }).toEqual({ dataset, d: "ImplicitlyDenied" });
      }
    }
  }, 60_000);
});

test("a role outside the organization is refused by the access point, the bucket and the key, even naming a granted role's name", async () => {
  const [dataset, g] = Object.entries(grantsOf(1)).find(([, x]) => x.via === "bucket-policy")!;
  const outsider = asRole(`arn:aws:iam::999999999999:role/${g.roles[0].split("/").pop()}`, EVERYTHING, "o-other000000");
  expect(await atAccessPoint(outsider, "s3:GetObject", dataset, g.accessPointArn!)).toBe("ImplicitlyDenied");
  expect(await atBucket(outsider, "s3:GetObject", dataset)).toBe("ImplicitlyDenied");
  expect(await bucketThroughAccessPoint(outsider, "s3:GetObject", dataset, g.accessPointArn!)).toBe("ImplicitlyDenied");
  expect(await kmsThroughS3(outsider, false)).toBe("ImplicitlyDenied");
  const reader = Object.values(grantsOf(1)).find((x) => x.readerRoleArn)!;
  expect(await assume(outsider, reader.readerRoleArn!, reader.externalId!)).toBe("ImplicitlyDenied");
});
