/**
 * The access matrix, evaluated over the synthesized Terraform JSON with AWS's evaluation
 * logic (@cloud-copilot/iam-simulate through review/evaluate.ts): every grant the topology
 * declares is allowed end to end, every pair it does not declare is denied.
 *
 * The expectations are the topology's intent, read here from the topology itself, never
 * from the planning code that writes the policies.
 */
import { Topology } from "../config/model";
import { Collection, collectDirectory, collectStacks, StackInput } from "../review/collect";
import { AccessEvaluator, AccessResult, explain, IgnoredContextKeyError, NamedPolicy, organizationFromPolicies } from "../review/evaluate";
import { synthInput, Synthesized } from "./helpers/synth";
import { minimalInput, referenceInput } from "./helpers/topology";

// ---------------------------------------------------------------------------------------
// The topology's intent

/** A role that the topology grants a dataset. */
interface Grant {
  readonly consumer: string;
  readonly roleName: string;
  readonly roleArn: string;
  readonly dataset: string;
  readonly access: "read" | "read-write";
  readonly via: "bucket-policy" | "assume-role";
}

/** What a topology says, in the terms the tests ask about. */
class Intent {
  constructor(readonly topology: Topology) {}

  account(key: string) {
    const a = this.topology.accounts.find((x) => x.key === key);
    if (!a) throw new Error(`no account ${key}`);
    return a;
  }

  roleArn(accountKey: string, roleName: string): string {
    return `arn:aws:iam::${this.account(accountKey).id}:role/${roleName}`;
  }

  /** The SageMaker user execution roles of an account whose users list `select`. */
  sagemakerRoles(accountKey: string, select: (u: { datasets: readonly string[]; modelArtifacts: readonly string[] }) => boolean): string[] {
    const domain = this.topology.sagemakerDomains.find((d) => d.account === accountKey);
    return (domain?.users ?? []).filter(select).map((u) => `${this.topology.project}-sm-${u.name}`);
  }

  /** Every (role, dataset) grant the topology declares. */
  grants(): Grant[] {
    return this.topology.datasets.flatMap((d) =>
      d.consumers.flatMap((c) =>
        c.roles
          .flatMap((r) => (r === "sagemaker" ? this.sagemakerRoles(c.account, (u) => u.datasets.includes(d.name)) : [r]))
          .map((roleName) => ({ consumer: c.account, roleName, roleArn: this.roleArn(c.account, roleName), dataset: d.name, access: c.access, via: c.via })),
      ),
    );
  }

  grant(roleArn: string, dataset: string): Grant | undefined {
    return this.grants().find((g) => g.roleArn === roleArn && g.dataset === dataset);
  }

  /** The bucket holding a dataset: a bucket of its own when restricted, else its provider's data bucket. */
  bucketOf(dataset: string): string {
    const d = this.topology.datasets.find((x) => x.name === dataset)!;
    const p = this.account(d.account);
    return d.classification === "restricted" ? `${this.topology.project}-rd-${d.name}-${p.id}-${p.region}` : `${this.topology.project}-data-${p.id}-${p.region}`;
  }

  /** The key prefix of a dataset's objects: `<name>/`, none in a bucket of its own. */
  prefixOf(dataset: string): string {
    return this.topology.datasets.find((x) => x.name === dataset)!.classification === "restricted" ? "" : `${dataset}/`;
  }

  /** The alias of the key that must encrypt a dataset. */
  keyAliasOf(dataset: string): string {
    const d = this.topology.datasets.find((x) => x.name === dataset)!;
    return d.classification === "restricted" ? `alias/${this.topology.project}/dataset/${d.name}` : `alias/${this.topology.project}/datasets`;
  }

  providerOf(dataset: string): string {
    return this.topology.datasets.find((x) => x.name === dataset)!.account;
  }

  /** The owner's writers and the consumers' readers of a model artifact set. */
  artifactRoles(set: string): { bucket: string; alias: string; writers: string[]; readers: string[] } {
    const s = this.topology.modelArtifacts.find((m) => m.name === set)!;
    const owner = this.account(s.account);
    const uses = (account: string) => this.sagemakerRoles(account, (u) => u.modelArtifacts.includes(set)).map((r) => this.roleArn(account, r));
    return {
      bucket: `${this.topology.project}-ma-${set}-${owner.id}-${owner.region}`,
      alias: `alias/${this.topology.project}/artifacts/${set}`,
      writers: uses(s.account),
      readers: s.consumers.flatMap(uses),
    };
  }
}

// ---------------------------------------------------------------------------------------
// A synthesized topology, collected and ready to evaluate

/** An identity policy allowing every data action anywhere: what a role could give itself. */
const GRANTS_ITSELF_EVERYTHING: NamedPolicy = {
  name: "(test) allows itself every data action",
  document: {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:PutObject", "s3:AbortMultipartUpload"], Resource: "*" },
      { Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: "*" },
      { Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" },
    ],
  },
};

const OUTSIDE_ACCOUNT = "999999999999";
const OTHER_ORG = "o-zzzzzzzzzz";

interface World {
  readonly out: Synthesized;
  readonly intent: Intent;
  readonly collection: Collection;
  readonly ev: AccessEvaluator;
  /** Roles of the topology's accounts that no grant names, each allowing itself everything. */
  readonly intruders: readonly string[];
}

function worldOf(input: unknown): World {
  const out = synthInput(input);
  const intent = new Intent(out.topology);
  const collection = collectDirectory(out.outdir);
  const intruders = out.topology.accounts.filter((a) => a.roles.includes("consumer")).map((a) => `arn:aws:iam::${a.id}:role/intruder`);
  const outsider = `arn:aws:iam::${OUTSIDE_ACCOUNT}:role/outsider`;
  const ev = new AccessEvaluator(collection, {
    organization: {
      id: out.topology.organization.id,
      rootId: out.topology.organization.rootId,
      accountIds: out.topology.accounts.map((a) => a.id),
      managementAccountId: intent.account(out.topology.organization.managementAccount).id,
    },
    otherOrgIds: { [OUTSIDE_ACCOUNT]: OTHER_ORG },
    extraIdentityPolicies: Object.fromEntries([...intruders, outsider].map((r) => [r, [GRANTS_ITSELF_EVERYTHING]])),
  });
  return { out, intent, collection, ev, intruders };
}

/** Reads `<dataset>/file.csv` and lists `<dataset>/`; returns what failed to be allowed. */
async function readFailures(w: World, roleArn: string, dataset: string): Promise<string[]> {
  const bucket = w.intent.bucketOf(dataset);
  const prefix = w.intent.prefixOf(dataset);
  const failures: string[] = [];
  const get = await w.ev.s3({ principalArn: roleArn, action: "s3:GetObject", bucket, key: `${prefix}file.csv` });
  if (!get.allowed) failures.push(`${roleArn} cannot GetObject ${dataset}/file.csv:\n${explain(get)}`);
  const list = await w.ev.s3({ principalArn: roleArn, action: "s3:ListBucket", bucket, prefix });
  if (!list.allowed) failures.push(`${roleArn} cannot list ${dataset}/:\n${explain(list)}`);
  return failures;
}

/** Tries to read and list a dataset; returns what was allowed although it should not be. */
async function leaks(w: World, roleArn: string, dataset: string, secureTransport = true): Promise<string[]> {
  const bucket = w.intent.bucketOf(dataset);
  const prefix = w.intent.prefixOf(dataset);
  const out: string[] = [];
  const get = await w.ev.s3({ principalArn: roleArn, action: "s3:GetObject", bucket, key: `${prefix}file.csv`, secureTransport });
  if (get.allowed) out.push(`${roleArn} can GetObject ${dataset}/file.csv${secureTransport ? "" : " without TLS"}:\n${explain(get)}`);
  const list = await w.ev.s3({ principalArn: roleArn, action: "s3:ListBucket", bucket, prefix, secureTransport });
  if (list.allowed) out.push(`${roleArn} can list ${dataset}/${secureTransport ? "" : " without TLS"}:\n${explain(list)}`);
  return out;
}

/** The principals worth asking about: every role the stacks give policies, every SageMaker user, and the intruders. */
function principalsOf(w: World): string[] {
  const ids = new Set(w.out.topology.accounts.map((a) => a.id));
  const sagemaker = w.out.topology.sagemakerDomains.flatMap((d) => w.intent.sagemakerRoles(d.account, () => true).map((r) => w.intent.roleArn(d.account, r)));
  return [...new Set([...w.collection.roles.map((r) => r.arn), ...sagemaker, ...w.intruders])].filter((arn) => ids.has(arn.split(":")[4]));
}

/** Every (principal, dataset) pair the topology does not grant, but for the provider's own account. */
function undeclaredPairs(w: World): [string, string][] {
  const pairs: [string, string][] = [];
  for (const principal of principalsOf(w)) {
    for (const d of w.out.topology.datasets) {
      if (w.intent.account(d.account).id === principal.split(":")[4]) continue; // the owner account administers its data
      if (!w.intent.grant(principal, d.name)) pairs.push([principal, d.name]);
    }
  }
  return pairs;
}

function keyArnOf(w: World, alias: string, accountKey: string): string {
  const id = w.intent.account(accountKey).id;
  const key = w.collection.keys.find((k) => k.accountId === id && k.aliases.includes(alias));
  if (!key) throw new Error(`no key ${alias} in ${accountKey}`);
  return key.arn;
}

function kmsStep(r: AccessResult) {
  return r.routes.find((x) => x.allowed)?.steps.find((s) => s.step === "kms");
}

// ---------------------------------------------------------------------------------------
// The reference topology

describe("access matrix of the reference topology", () => {
  const w = worldOf(referenceInput());
  const batchScoring = w.intent.roleArn("ml-prod", "batch-scoring");
  const alice = w.intent.roleArn("ml-dev", "acme-ml-sm-alice");
  const bob = w.intent.roleArn("ml-dev", "acme-ml-sm-bob");

  test("the review resolves every value in the reference stacks", () => {
    expect(w.collection.unresolved).toEqual([]);
  });

  test("the review finds the organization from the policies alone: one aws:PrincipalOrgID, the stacks' accounts", () => {
    const org = organizationFromPolicies(w.collection);
    expect(org.id).toBe(w.out.topology.organization.id);
    expect([...org.accountIds].sort()).toEqual(w.out.topology.accounts.map((a) => a.id).sort());
  });

  test("the topology declares the grants the matrix checks: alice and batch-scoring read churn", () => {
    expect(w.intent.grants().map((g) => `${g.roleArn} ${g.dataset} ${g.access}`)).toEqual([`${alice} churn read`, `${batchScoring} churn read`]);
  });

  test.each([
    ["ml-dev's SageMaker user alice", alice],
    ["ml-prod's batch-scoring", batchScoring],
  ])("%s reads and lists churn end to end (bucket policy, identity policy and key policy)", async (_label, role) => {
    expect(await readFailures(w, role, "churn")).toEqual([]);
  });

  test("the read is decided by the consumer's identity policy, the bucket policy and the key policy together", async () => {
    const r = await w.ev.s3({ principalArn: batchScoring, action: "s3:GetObject", bucket: w.intent.bucketOf("churn"), key: "churn/file.csv" });
    const steps = r.routes.find((x) => x.allowed)!.steps;
    expect(steps.map((s) => [s.step, s.action, s.decision])).toEqual([
      ["s3", "s3:GetObject", "Allowed"],
      ["kms", "kms:Decrypt", "Allowed"],
    ]);
    expect(steps[0].decidedBy.map((d) => d.side).sort()).toEqual(["identity", "resource"]);
    expect(steps[1].decidedBy.map((d) => d.side).sort()).toEqual(["identity", "resource"]);
    expect(steps[1].context["kms:ResourceAliases"]).toEqual([w.intent.keyAliasOf("churn")]);
  });

  test("every pair the topology does not declare is denied (bob, and consumer roles not listed in roles)", async () => {
    const pairs = undeclaredPairs(w);
    expect(pairs.map(([p]) => p)).toEqual(expect.arrayContaining([bob, ...w.intruders]));
    const found = (await Promise.all(pairs.map(([p, d]) => leaks(w, p, d)))).flat();
    expect(found).toEqual([]);
  });

  test("readers may not write: batch-scoring's PutObject to churn is denied, even with the right key", async () => {
    const r = await w.ev.s3({
      principalArn: batchScoring,
      action: "s3:PutObject",
      bucket: w.intent.bucketOf("churn"),
      key: "churn/new.csv",
      encryption: { algorithm: "aws:kms", kmsKeyId: keyArnOf(w, w.intent.keyAliasOf("churn"), "data-lake") },
    });
    expect(r.allowed).toBe(false);
  });

  test.each([
    ["alice", alice],
    ["batch-scoring", batchScoring],
  ])("%s's requests without TLS are denied by the bucket policy", async (_label, role) => {
    expect(await leaks(w, role, "churn", false)).toEqual([]);
    const r = await w.ev.s3({ principalArn: role, action: "s3:GetObject", bucket: w.intent.bucketOf("churn"), key: "churn/file.csv", secureTransport: false });
    // Denied twice over: by the bucket policy and by the data-perimeter RCP.
    expect(r.routes[0].steps[0]).toMatchObject({
      decision: "ExplicitlyDenied",
      decidedBy: expect.arrayContaining([expect.objectContaining({ sid: "DenyInsecureTransport", side: "resource" }), expect.objectContaining({ sid: "EnforceSecureTransport", side: "rcp" })]),
    });
  });

  test("a role of an account outside the organization is denied, even with an identity policy allowing everything", async () => {
    expect(await leaks(w, `arn:aws:iam::${OUTSIDE_ACCOUNT}:role/outsider`, "churn")).toEqual([]);
  });

  test("batch-scoring is denied once its account is outside the organization (aws:PrincipalOrgID decides)", async () => {
    const outside = new AccessEvaluator(w.collection, {
      organization: { id: w.out.topology.organization.id, accountIds: w.out.topology.accounts.filter((a) => a.key !== "ml-prod").map((a) => a.id) },
      otherOrgIds: { [w.intent.account("ml-prod").id]: OTHER_ORG },
    });
    const r = await outside.s3({ principalArn: batchScoring, action: "s3:GetObject", bucket: w.intent.bucketOf("churn"), key: "churn/file.csv" });
    expect(r.allowed).toBe(false);
    // The data-perimeter RCP refuses it outright; the bucket policy would not admit it either.
    expect(r.routes[0].steps[0]).toMatchObject({ decision: "ExplicitlyDenied", decidedBy: [expect.objectContaining({ sid: "EnforceOrgIdentities", side: "rcp" })] });
  });

  test("the owner's SageMaker user alice writes and reads churn-model artifacts with the artifact key", async () => {
    const a = w.intent.artifactRoles("churn-model");
    expect(a.writers).toEqual([alice]);
    const key = keyArnOf(w, a.alias, "ml-dev");
    const put = await w.ev.s3({ principalArn: alice, action: "s3:PutObject", bucket: a.bucket, key: "v1/model.tar.gz", encryption: { algorithm: "aws:kms", kmsKeyId: key } });
    expect(put.allowed).toBe(true);
    const get = await w.ev.s3({ principalArn: alice, action: "s3:GetObject", bucket: a.bucket, key: "v1/model.tar.gz" });
    expect(get.allowed).toBe(true);
  });

  test("churn-model has no SageMaker readers yet, and batch-scoring or roles no grant names in other accounts cannot read it", async () => {
    const a = w.intent.artifactRoles("churn-model");
    expect(a.readers).toEqual([]);
    const otherAccounts = w.intruders.filter((r) => !r.includes(`::${w.intent.account("ml-dev").id}:`));
    for (const role of [batchScoring, ...otherAccounts]) {
      const r = await w.ev.s3({ principalArn: role, action: "s3:GetObject", bucket: a.bucket, key: "v1/model.tar.gz" });
      expect({ role, allowed: r.allowed }).toEqual({ role, allowed: false });
    }
  });
});

// ---------------------------------------------------------------------------------------
// Every kind of grant: assume-role, read-write, restricted, a second provider, artifact readers

/** The reference topology plus one grant of each kind. */
function mixedInput(): any {
  const t = referenceInput();
  t.accounts["lake-2"] = { id: "666666666666" };
  t.datasets.push(
    { name: "claims", account: "data-lake", consumers: [{ account: "ml-prod", via: "assume-role", roles: ["batch-scoring"] }] },
    {
      name: "features",
      account: "data-lake",
      consumers: [
        { account: "ml-dev", access: "read-write", roles: ["feature-pipeline"] },
        { account: "ml-staging", roles: ["validator"] },
      ],
    },
    {
      name: "pii",
      account: "data-lake",
      classification: "restricted",
      consumers: [
        { account: "ml-dev", roles: ["sagemaker"] },
        { account: "ml-prod", access: "read-write", roles: ["pii-writer"] },
      ],
    },
    { name: "events", account: "lake-2", consumers: [{ account: "ml-staging", roles: ["validator"] }] },
  );
  t.sagemaker.domains[0].users[0].datasets.push("pii");
  t.sagemaker.domains.push({
    account: "ml-prod",
    vpcId: "vpc-0a1b2c3d4e5f60719",
    subnetIds: ["subnet-0a1b2c3d4e5f60719"],
    users: [{ name: "carol", modelArtifacts: ["churn-model"] }],
  });
  return t;
}

describe("access matrix of every kind of grant (assume-role, read-write, restricted, two providers)", () => {
  const w = worldOf(mixedInput());
  const role = (account: string, name: string) => w.intent.roleArn(account, name);
  const batchScoring = role("ml-prod", "batch-scoring");
  const alice = role("ml-dev", "acme-ml-sm-alice");
  const pipeline = role("ml-dev", "feature-pipeline");
  const validator = role("ml-staging", "validator");
  const piiWriter = role("ml-prod", "pii-writer");
  const carol = role("ml-prod", "acme-ml-sm-carol");
  /** The role data-lake makes for ml-prod to read claims: its trust asks for an external id. */
  const readerRoleOfClaims = () => {
    const found = w.collection.roles.filter((r) => r.accountId === w.intent.account("data-lake").id && r.trustPolicy?.text.includes("sts:ExternalId"));
    expect(found.length).toBe(1);
    return found[0];
  };

  test("the review resolves every value in the stacks", () => {
    expect(w.collection.unresolved).toEqual([]);
  });

  test("every declared grant reads and lists its dataset end to end", async () => {
    const grants = w.intent.grants();
    expect(grants.length).toBe(8);
    const failures = (await Promise.all(grants.map((g) => readFailures(w, g.roleArn, g.dataset)))).flat();
    expect(failures).toEqual([]);
  });

  test("every pair the topology does not declare is denied (batch-scoring reading features, validator reading churn, ...)", async () => {
    const pairs = undeclaredPairs(w);
    expect(pairs).toEqual(expect.arrayContaining([[batchScoring, "features"], [batchScoring, "pii"], [validator, "churn"], [alice, "claims"], [batchScoring, "events"]]));
    const found = (await Promise.all(pairs.map(([p, d]) => leaks(w, p, d)))).flat();
    expect(found).toEqual([]);
  });

  test("every declared grant is denied without TLS, whatever the route", async () => {
    const found = (await Promise.all(w.intent.grants().map((g) => leaks(w, g.roleArn, g.dataset, false)))).flat();
    expect(found).toEqual([]);
  });

  test("ml-prod's batch-scoring reads claims only by assuming the reader role, with its external id", async () => {
    const r = await w.ev.s3({ principalArn: batchScoring, action: "s3:GetObject", bucket: w.intent.bucketOf("claims"), key: "claims/file.csv" });
    expect(r.allowed).toBe(true);
    expect(r.via?.kind).toBe("assume-role");
    const steps = r.routes.find((x) => x.allowed)!.steps;
    expect(steps.map((s) => [s.step, s.decision])).toEqual([
      ["sts", "Allowed"],
      ["s3", "Allowed"],
      ["kms", "Allowed"],
    ]);
    expect(steps[0].context["sts:ExternalId"]).toBeDefined();
    expect(r.routes.find((x) => x.route.kind === "bucket")?.allowed).toBe(false);
  });

  test("the reader role of claims refuses a caller without the external id, and one of the topology's other roles", async () => {
    const reader = readerRoleOfClaims();
    const noId = await w.ev.s3({ principalArn: batchScoring, action: "s3:GetObject", bucket: w.intent.bucketOf("claims"), key: "claims/file.csv", via: { kind: "assume-role", roleArn: reader.arn } });
    expect(noId.allowed).toBe(false);
    expect(noId.routes[0].steps.map((s) => [s.step, s.decision])).toEqual([["sts", "ImplicitlyDenied"]]);
    const other = await w.ev.s3({ principalArn: alice, action: "s3:GetObject", bucket: w.intent.bucketOf("claims"), key: "claims/file.csv" });
    expect(other.allowed).toBe(false);
  });

  test("the reader role of claims reads claims and no other dataset of its account", async () => {
    const reader = readerRoleOfClaims();
    expect(await readFailures(w, reader.arn, "claims")).toEqual([]);
    const found = (await Promise.all(["churn", "features", "pii"].map((d) => leaks(w, reader.arn, d)))).flat();
    expect(found).toEqual([]);
  });

  test("the read-write grant writes features with the dataset key; the read-only validator may not", async () => {
    const key = keyArnOf(w, w.intent.keyAliasOf("features"), "data-lake");
    const put = (principalArn: string, kmsKeyId?: string) =>
      w.ev.s3({ principalArn, action: "s3:PutObject", bucket: w.intent.bucketOf("features"), key: "features/part-0.parquet", encryption: { algorithm: "aws:kms", ...(kmsKeyId ? { kmsKeyId } : {}) } });
    const writes = await put(pipeline, key);
    expect(writes.allowed).toBe(true);
    expect(kmsStep(writes)).toMatchObject({ action: "kms:GenerateDataKey", decision: "Allowed" });
    // No header: the bucket's default key. aws:kms naming no key: S3 would use aws/s3, denied.
    expect((await w.ev.s3({ principalArn: pipeline, action: "s3:PutObject", bucket: w.intent.bucketOf("features"), key: "features/part-0.parquet" })).allowed).toBe(true);
    expect((await put(pipeline)).allowed).toBe(false);
    expect((await put(validator, key)).allowed).toBe(false);
  });

  test("uploads naming another key are denied by the bucket policy, even for the read-write grant", async () => {
    const artifactKey = keyArnOf(w, "alias/acme-ml/artifacts/churn-model", "ml-dev");
    const r = await w.ev.s3({ principalArn: pipeline, action: "s3:PutObject", bucket: w.intent.bucketOf("features"), key: "features/x", encryption: { algorithm: "aws:kms", kmsKeyId: artifactKey } });
    expect(r.allowed).toBe(false);
    expect(r.routes[0].steps[0].decidedBy.map((d) => d.sid)).toContain("DenyUploadsWithOtherKey");
  });

  test("the features writer cannot write with pii's key: the data bucket accepts no key but its own", async () => {
    const r = await w.ev.s3({
      principalArn: pipeline,
      action: "s3:PutObject",
      bucket: w.intent.bucketOf("features"),
      key: "features/x",
      encryption: { algorithm: "aws:kms", kmsKeyId: keyArnOf(w, w.intent.keyAliasOf("pii"), "data-lake") },
    });
    expect(r.allowed).toBe(false);
    expect(r.routes[0].steps.map((s) => [s.step, s.decision])).toEqual([["s3", "ExplicitlyDenied"]]);
    expect(r.routes[0].steps[0].decidedBy.map((d) => d.sid)).toContain("DenyUploadsWithOtherKey");
  });

  test("uploads asking for S3-managed encryption (AES256) are denied, even for the read-write grant", async () => {
    const r = await w.ev.s3({ principalArn: pipeline, action: "s3:PutObject", bucket: w.intent.bucketOf("features"), key: "features/x", encryption: { algorithm: "AES256" } });
    expect(r.allowed).toBe(false);
    expect(r.routes[0].steps[0].decidedBy.map((d) => d.sid)).toContain("DenyUploadsWithoutKms");
  });

  test("restricted pii is decrypted with its own key, which only its grantees may use", async () => {
    const r = await w.ev.s3({ principalArn: alice, action: "s3:GetObject", bucket: w.intent.bucketOf("pii"), key: "file.csv" });
    expect(r.allowed).toBe(true);
    expect(kmsStep(r)?.context["kms:ResourceAliases"]).toEqual([w.intent.keyAliasOf("pii")]);
    // batch-scoring may decrypt with the account's dataset key, never with pii's.
    const piiKey = w.ev.key(w.intent.keyAliasOf("pii"), w.intent.account("data-lake").id);
    const decrypt = await w.ev.evaluate({
      step: "kms",
      principalArn: batchScoring,
      action: "kms:Decrypt",
      resourceArn: piiKey.arn,
      resourceAccountId: piiKey.accountId,
      resourcePolicy: { name: "pii key policy", document: piiKey.policy!.document! },
      viaAwsService: true,
      context: {
        "kms:ViaService": "s3.us-east-1.amazonaws.com",
        "kms:CallerAccount": w.intent.account("ml-prod").id,
        "kms:ResourceAliases": piiKey.aliases,
        "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${w.intent.bucketOf("pii")}`,
      },
    });
    expect(decrypt.decision).not.toBe("Allowed");
  });

  test("the read-write grant of pii writes with pii's key only; the dataset key is refused for pii", async () => {
    const put = (kmsKeyId?: string) =>
      w.ev.s3({ principalArn: piiWriter, action: "s3:PutObject", bucket: w.intent.bucketOf("pii"), key: "new.csv", encryption: { algorithm: "aws:kms", ...(kmsKeyId ? { kmsKeyId } : {}) } });
    expect((await put(keyArnOf(w, w.intent.keyAliasOf("pii"), "data-lake"))).allowed).toBe(true);
    expect((await put(keyArnOf(w, w.intent.keyAliasOf("churn"), "data-lake"))).allowed).toBe(false);
    // aws:kms naming no key would get the AWS managed key (aws/s3).
    expect((await put()).allowed).toBe(false);
    // No header at all (every part of a multipart upload): pii's bucket encrypts with pii's key.
    const part = await w.ev.s3({ principalArn: piiWriter, action: "s3:PutObject", bucket: w.intent.bucketOf("pii"), key: "new.csv" });
    expect(part.allowed).toBe(true);
    expect(kmsStep(part)?.context["kms:ResourceAliases"]).toEqual([w.intent.keyAliasOf("pii")]);
  });

  test("a consumer role cannot decrypt another provider's data without that key's grant, even if its own policy allowed it", async () => {
    const key = w.ev.key("alias/acme-ml/datasets", w.intent.account("lake-2").id);
    const withEverything = new AccessEvaluator(w.collection, { ...w.ev.options, extraIdentityPolicies: { [batchScoring]: [GRANTS_ITSELF_EVERYTHING] } });
    const decrypt = await withEverything.evaluate({
      step: "kms",
      principalArn: batchScoring,
      action: "kms:Decrypt",
      resourceArn: key.arn,
      resourceAccountId: key.accountId,
      resourcePolicy: { name: "lake-2 dataset key policy", document: key.policy!.document! },
      viaAwsService: true,
      context: { "kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:CallerAccount": w.intent.account("ml-prod").id, "kms:ResourceAliases": key.aliases },
    });
    expect(decrypt.decision).toBe("ImplicitlyDenied");
    expect(decrypt.missingAllowIn).toContain("resource");
    expect((await w.ev.s3({ principalArn: batchScoring, action: "s3:GetObject", bucket: w.intent.bucketOf("events"), key: "events/file.csv" })).allowed).toBe(false);
  });

  test("model artifacts: the owner's writer alice writes, ml-prod's SageMaker user carol reads but may not write", async () => {
    const a = w.intent.artifactRoles("churn-model");
    expect(a).toMatchObject({ writers: [alice], readers: [carol] });
    const key = keyArnOf(w, a.alias, "ml-dev");
    const put = (principalArn: string) => w.ev.s3({ principalArn, action: "s3:PutObject", bucket: a.bucket, key: "v2/model.tar.gz", encryption: { algorithm: "aws:kms", kmsKeyId: key } });
    expect((await put(alice)).allowed).toBe(true);
    expect((await put(carol)).allowed).toBe(false);
    const get = await w.ev.s3({ principalArn: carol, action: "s3:GetObject", bucket: a.bucket, key: "v2/model.tar.gz" });
    expect(get.allowed).toBe(true);
    expect(kmsStep(get)?.decision).toBe("Allowed");
    expect((await w.ev.s3({ principalArn: carol, action: "s3:ListBucket", bucket: a.bucket })).allowed).toBe(true);
  });

  test("model artifacts: no one else reads them (batch-scoring, bob, other accounts' roles, outsiders)", async () => {
    const a = w.intent.artifactRoles("churn-model");
    const otherAccounts = w.intruders.filter((r) => !r.includes(`::${w.intent.account("ml-dev").id}:`));
    const others = [batchScoring, role("ml-dev", "acme-ml-sm-bob"), validator, ...otherAccounts, `arn:aws:iam::${OUTSIDE_ACCOUNT}:role/outsider`];
    for (const p of others) {
      const r = await w.ev.s3({ principalArn: p, action: "s3:GetObject", bucket: a.bucket, key: "v2/model.tar.gz" });
      expect({ p, allowed: r.allowed }).toEqual({ p, allowed: false });
    }
    const insecure = await w.ev.s3({ principalArn: carol, action: "s3:GetObject", bucket: a.bucket, key: "v2/model.tar.gz", secureTransport: false });
    expect(insecure.allowed).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------
// Access points: grants that outgrow the bucket policy

/** 30 consumer accounts x 40 datasets: consumer i reads the ten datasets ds-i .. ds-(i+9), through role `reader`. */
function accessPointInput(): any {
  const t = minimalInput();
  t.accounts = { mgmt: { id: "100000000001" }, lake: { id: "100000000002" } };
  const consumers = Array.from({ length: 30 }, (_, i) => `c${i}`);
  consumers.forEach((c, i) => (t.accounts[c] = { id: String(200000000000 + i) }));
  const reads = (i: number, d: number) => (d - i + 40) % 40 < 10;
  t.datasets = Array.from({ length: 40 }, (_, d) => ({
    name: `ds-${d}`,
    account: "lake",
    consumers: consumers.filter((_, i) => reads(i, d)).map((account) => ({ account, roles: ["reader"] })),
  }));
  return t;
}

describe("access matrix in access-point mode (30 consumer accounts x 40 datasets)", () => {
  const w = worldOf(accessPointInput());
  const bucket = w.intent.bucketOf("ds-0");
  const reader = (i: number) => w.intent.roleArn(`c${i}`, "reader");

  test("the grants do not fit one bucket policy, so the bucket delegates to one access point per consumer", () => {
    expect(w.collection.accessPoints.filter((ap) => ap.bucket === bucket).length).toBeGreaterThanOrEqual(30);
    expect(w.collection.unresolved).toEqual([]);
  });

  test("every declared grant reads and lists its dataset through the consumer's access point", async () => {
    const grants = w.intent.grants();
    expect(grants.length).toBe(300);
    const failures: string[] = [];
    for (const g of grants) {
      const get = await w.ev.s3({ principalArn: g.roleArn, action: "s3:GetObject", bucket, key: `${g.dataset}/file.csv` });
      const list = await w.ev.s3({ principalArn: g.roleArn, action: "s3:ListBucket", bucket, prefix: `${g.dataset}/` });
      for (const r of [get, list]) if (!r.allowed || r.via?.kind !== "access-point") failures.push(`${g.roleArn} ${g.dataset}:\n${explain(r)}`);
    }
    expect(failures).toEqual([]);
  });

  test("a reader lists its datasets through its access point, and the request passes the bucket's delegation", async () => {
    const r = await w.ev.s3({ principalArn: reader(3), action: "s3:ListBucket", bucket, prefix: "ds-7/" });
    expect(r.allowed).toBe(true);
    expect(r.routes.find((x) => x.allowed)!.steps.map((s) => [s.step, s.decision])).toEqual([
      ["s3", "Allowed"],
      ["s3-bucket", "Allowed"],
    ]);
  });

  test("no reader reaches the dataset just past its own ten (ci reading ds-(i+10)), by any access point or the bucket", async () => {
    const found = (await Promise.all(Array.from({ length: 30 }, (_, i) => leaks(w, reader(i), `ds-${(i + 10) % 40}`)))).flat();
    expect(found).toEqual([]);
  });

  test("a role of a consumer account not listed in roles is denied, even with an identity policy allowing everything", async () => {
    expect(await leaks(w, w.intent.roleArn("c5", "intruder"), "ds-9")).toEqual([]);
  });

  test("requests through an access point without TLS are denied by the bucket policy", async () => {
    const r = await w.ev.s3({ principalArn: reader(1), action: "s3:GetObject", bucket, key: "ds-5/file.csv", secureTransport: false });
    expect(r.allowed).toBe(false);
    const viaAp = r.routes.find((x) => x.route.kind === "access-point" && x.steps.some((s) => s.step === "s3-bucket"))!;
    expect(viaAp.steps.at(-1)).toMatchObject({ step: "s3-bucket", decision: "ExplicitlyDenied", decidedBy: [expect.objectContaining({ sid: "DenyInsecureTransport" })] });
  });

  test("readers may not write through their access point", async () => {
    const key = keyArnOf(w, w.intent.keyAliasOf("ds-5"), "lake");
    const r = await w.ev.s3({ principalArn: reader(1), action: "s3:PutObject", bucket, key: "ds-5/new.csv", encryption: { algorithm: "aws:kms", kmsKeyId: key } });
    expect(r.allowed).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------
// Grants that spill out of the inline policy

describe("access matrix of a role whose grants spill into managed policies", () => {
  const input = minimalInput();
  input.datasets = Array.from({ length: 150 }, (_, d) => ({ name: `dataset-number-${d}`, account: "lake", consumers: [{ account: "science", roles: ["analyst"] }] }));
  const w = worldOf(input);
  const analyst = w.intent.roleArn("science", "analyst");

  test("the analyst's grants take an inline policy and at least one attached managed policy", () => {
    const role = w.collection.roles.find((r) => r.arn === analyst)!;
    expect(role.inlinePolicies.length).toBe(1);
    expect(role.managedPolicies.length).toBeGreaterThanOrEqual(1);
    expect(w.collection.unresolved).toEqual([]);
  });

  test("the analyst reads and lists every one of its 150 datasets", async () => {
    const failures = (await Promise.all(w.intent.grants().map((g) => readFailures(w, g.roleArn, g.dataset)))).flat();
    expect(failures).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------
// The review's building blocks

describe("the review's collection and evaluation", () => {
  /** A stack written by hand, with what the collection must resolve, flag, and attach. */
  const stack = (resource: Record<string, Record<string, unknown>>): StackInput => ({
    provider: { aws: [{ alias: "management", region: "eu-west-1", allowed_account_ids: ["100000000001"] }] },
    resource,
  });

  test("lists every value it cannot resolve, and resolves the rest", () => {
    const c = collectStacks({
      mgmt: stack({
        aws_iam_role: {
          r: {
            name: "app",
            path: "/svc/",
            assume_role_policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
            inline_policy: [{ name: "own", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/$${aws:username}/*" }] }) }],
            provider: "aws.management",
          },
        },
        aws_iam_policy: { p: { name: "extra", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "kms:Decrypt", Resource: "${aws_kms_key.k.arn}" }] }) } },
        aws_iam_role_policy_attachment: {
          a1: { role: "${aws_iam_role.r.name}", policy_arn: "${aws_iam_policy.p.arn}" },
          a2: { role: "${aws_iam_role.r.name}", policy_arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
          a3: { role: "${aws_iam_role.r.name}", policy_arn: "${data.aws_iam_policy.elsewhere.arn}" },
        },
        aws_iam_role_policy: { i: { role: "existing-role", name: "grants", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "${aws_s3_bucket.missing.arn}/*" }] }) } },
        aws_kms_key: { k: { policy: "${jsonencode({})}" } },
        aws_kms_alias: { al: { name: "alias/x", target_key_id: "${aws_kms_key.k.key_id}" } },
        aws_organizations_policy: { rcp: { name: "perimeter", type: "RESOURCE_CONTROL_POLICY", content: JSON.stringify({ Statement: [] }) } },
        aws_organizations_organizational_unit: { ou: { name: "ml", parent_id: "r-abcd" } },
        aws_organizations_policy_attachment: {
          root: { policy_id: "${aws_organizations_policy.rcp.id}", target_id: "r-abcd" },
          ou: { policy_id: "${aws_organizations_policy.rcp.id}", target_id: "${aws_organizations_organizational_unit.ou.id}" },
        },
        aws_sagemaker_model_package_group_policy: { g: { model_package_group_name: "churn", resource_policy: JSON.stringify({ Statement: [] }) } },
      }),
    });
    const app = c.roles.find((r) => r.name === "app")!;
    expect(app.arn).toBe("arn:aws:iam::100000000001:role/svc/app");
    expect(app.inlinePolicies[0].text).toContain("arn:aws:s3:::b/${aws:username}/*");
    expect(app.managedPolicies.map((p) => p.text)).toEqual([expect.stringContaining('"arn:aws:kms:eu-west-1:100000000001:key/k"')]);
    expect(app.awsManagedPolicyArns).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    const existing = c.roles.find((r) => r.name === "existing-role")!;
    expect(existing.arn).toBe("arn:aws:iam::100000000001:role/existing-role");
    expect(existing.address).toBeUndefined();
    expect(existing.inlinePolicies.map((p) => p.name)).toEqual(["grants"]);
    expect(c.keys).toEqual([expect.objectContaining({ arn: "arn:aws:kms:eu-west-1:100000000001:key/k", aliases: ["alias/x"] })]);
    expect(c.organization.policies).toEqual([expect.objectContaining({ type: "RESOURCE_CONTROL_POLICY", targets: ["r-abcd", "ou-synthetic-ou"] })]);
    expect(c.modelPackageGroupPolicies.map((g) => g.arn)).toEqual(["arn:aws:sagemaker:eu-west-1:100000000001:model-package-group/churn"]);
    expect(c.unresolved.map((u) => `${u.address} ${u.attribute}: ${u.value} (${u.reason})`)).toEqual([
      "aws_kms_key.k policy: jsonencode({}) (not a reference to a resource of the stack (an expression, variable, local or data source))",
      "aws_kms_key.k policy: ${jsonencode({})} (the policy is not JSON after resolving references)",
      "aws_iam_role_policy.i policy: aws_s3_bucket.missing.arn (no resource aws_s3_bucket.missing in the stack)",
      "aws_iam_role_policy_attachment.a3 policy_arn: data.aws_iam_policy.elsewhere.arn (not a reference to a resource of the stack (an expression, variable, local or data source))",
    ]);
  });

  test("applies RCPs to the resource's account and SCPs to the principal's account", async () => {
    const doc = (statement: Record<string, unknown>) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
    const at = (id: string, resource: Record<string, Record<string, unknown>>): StackInput => ({ provider: { aws: [{ region: "eu-west-1", allowed_account_ids: [id] }] }, resource });
    const c = collectStacks({
      mgmt: at("100000000001", {
        aws_organizations_policy: {
          perimeter: {
            name: "data-perimeter",
            type: "RESOURCE_CONTROL_POLICY",
            content: doc({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: { StringNotEqualsIfExists: { "aws:PrincipalOrgID": "o-abcdefghij" }, BoolIfExists: { "aws:PrincipalIsAWSService": "false" } } }),
          },
          readonly: { name: "no-writes", content: doc({ Effect: "Deny", Action: "s3:PutObject", Resource: "*" }) },
        },
        aws_organizations_policy_attachment: {
          perimeter: { policy_id: "${aws_organizations_policy.perimeter.id}", target_id: "r-abcd" },
          readonly: { policy_id: "${aws_organizations_policy.readonly.id}", target_id: "100000000003" },
        },
      }),
      lake: at("100000000002", {
        aws_s3_bucket: { b: { bucket: "open-bucket" } },
        aws_s3_bucket_policy: { p: { bucket: "${aws_s3_bucket.b.id}", policy: doc({ Effect: "Allow", Principal: "*", Action: ["s3:GetObject", "s3:PutObject"], Resource: "${aws_s3_bucket.b.arn}/*" }) } },
      }),
    });
    const insider = "arn:aws:iam::100000000003:role/app";
    const outsider = `arn:aws:iam::${OUTSIDE_ACCOUNT}:role/outsider`;
    const ev = new AccessEvaluator(c, {
      organization: { id: "o-abcdefghij", rootId: "r-abcd", accountIds: ["100000000001", "100000000002", "100000000003"], managementAccountId: "100000000001" },
      otherOrgIds: { [OUTSIDE_ACCOUNT]: OTHER_ORG },
      extraIdentityPolicies: { [insider]: [GRANTS_ITSELF_EVERYTHING], [outsider]: [GRANTS_ITSELF_EVERYTHING] },
    });
    const get = (principalArn: string) => ev.s3({ principalArn, action: "s3:GetObject", bucket: "open-bucket", key: "k" });
    expect((await get(insider)).allowed).toBe(true);
    const blocked = await get(outsider);
    expect(blocked.routes[0].steps[0]).toMatchObject({ decision: "ExplicitlyDenied", decidedBy: [expect.objectContaining({ side: "rcp", policy: "mgmt/aws_organizations_policy.perimeter" })] });
    const put = await ev.s3({ principalArn: insider, action: "s3:PutObject", bucket: "open-bucket", key: "k" });
    expect(put.routes[0].steps[0]).toMatchObject({ decision: "ExplicitlyDenied", decidedBy: [expect.objectContaining({ side: "scp" })] });
  });

  test("refuses to evaluate a role whose attached policy it cannot see, unless told to skip and name it", async () => {
    const c = collectStacks({
      app: {
        provider: { aws: [{ region: "eu-west-1", allowed_account_ids: ["100000000003"] }] },
        resource: { aws_iam_role_policy_attachment: { a: { role: "app", policy_arn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" } } },
      },
    });
    const req = { step: "s3" as const, principalArn: "arn:aws:iam::100000000003:role/app", action: "s3:GetObject", resourceArn: "arn:aws:s3:::b/k", resourceAccountId: "100000000003" };
    const org = { id: "o-abcdefghij", accountIds: ["100000000003"] };
    await expect(new AccessEvaluator(c, { organization: org }).evaluate(req)).rejects.toThrow(/AmazonS3ReadOnlyAccess/);
    const skipped = await new AccessEvaluator(c, { organization: org, missingPolicyDocuments: "skip" }).evaluate(req);
    expect(skipped).toMatchObject({ decision: "ImplicitlyDenied", skippedPolicies: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"] });
  });

  test("refuses a request whose context key the simulator would ignore", async () => {
    const w = { collection: collectStacks({}) };
    const ev = new AccessEvaluator(w.collection, { organization: { id: "o-abcdefghij", accountIds: [] } });
    await expect(
      ev.evaluate({ step: "s3", principalArn: "arn:aws:iam::100000000001:role/r", action: "s3:GetObject", resourceArn: "arn:aws:s3:::b/k", resourceAccountId: "100000000001", context: { "s3:prefix": "k" } }),
    ).rejects.toThrow(IgnoredContextKeyError);
  });
});
