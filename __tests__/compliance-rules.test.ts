/**
 * The compliance rules, one by one, on small hand-written stacks shaped like
 * cdktf.out/stacks/<name>/cdk.tf.json; then checkCompliance and the reference topology.
 */
import { checkCompliance } from "../compliance/check";
import { RULES } from "../compliance/index";
import { addressOf, elementsOf, Rule, StackJson, Verdict } from "../compliance/rule";
import { ProviderAssumesDeployRole } from "../compliance/rules/provider-assumes-deploy-role";
import { ProviderDefaultTags } from "../compliance/rules/provider-default-tags";
import { S3DenySseC } from "../compliance/rules/s3-deny-sse-c";
import { S3KmsEncrypted } from "../compliance/rules/s3-kms-encrypted";
import { S3OwnerEnforced } from "../compliance/rules/s3-owner-enforced";
import { S3PublicAccessBlocked } from "../compliance/rules/s3-public-access-blocked";
import { S3TlsOnly } from "../compliance/rules/s3-tls-only";
import { S3Versioned } from "../compliance/rules/s3-versioned";
import { synthInput } from "./helpers/synth";
import { referenceInput } from "./helpers/topology";

// ---------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------

type Config = Record<string, unknown>;
type Statement = Record<string, unknown>;

/** The resources attached to a bucket; each is left out when undefined. */
interface BucketParts {
  readonly publicAccessBlock?: Config;
  readonly ownership?: Config;
  readonly versioning?: Config;
  readonly encryption?: Config;
  /** The statements of its bucket policy. */
  readonly policy?: Statement[];
}

const PART_TYPES: Record<keyof BucketParts, string> = {
  publicAccessBlock: "aws_s3_bucket_public_access_block",
  ownership: "aws_s3_bucket_ownership_controls",
  versioning: "aws_s3_bucket_versioning",
  encryption: "aws_s3_bucket_server_side_encryption_configuration",
  policy: "aws_s3_bucket_policy",
};

/** The bucket most tests look at: logical id `Data`, named `acme-data`. */
const DATA = "Data";
const DATA_NAME = "acme-data";
const OTHER = "Other";
const OTHER_NAME = "acme-other";

const arn = (bucketName: string) => `arn:aws:s3:::${bucketName}`;

/** The Deny of every request not made over TLS, on the given resources. */
function denyInsecureTransport(resources: string[], changes: Statement = {}): Statement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: resources,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
    ...changes,
  };
}

/** The Deny of every upload with a customer-provided key (SSE-C), on the given resources. */
function denySseC(resources: string[], changes: Statement = {}): Statement {
  return {
    Sid: "DenySseCUploads",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:PutObject",
    Resource: resources,
    Condition: { Null: { "s3:x-amz-server-side-encryption-customer-algorithm": "false" } },
    ...changes,
  };
}

/** The grant that makes a bucket a server access log target. */
function allowLogDelivery(bucketName: string, changes: Statement = {}): Statement {
  return {
    Sid: "AllowAccessLogDelivery",
    Effect: "Allow",
    Principal: { Service: "logging.s3.amazonaws.com" },
    Action: "s3:PutObject",
    Resource: `${arn(bucketName)}/*`,
    ...changes,
  };
}

const kms = (bucketKey = true): Config => ({
  rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms" }, bucket_key_enabled: bucketKey }],
});
const sseS3: Config = { rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }] };

/** Everything a bucket needs to pass every rule. */
function secureParts(bucketName: string): BucketParts {
  return {
    publicAccessBlock: { block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true },
    ownership: { rule: { object_ownership: "BucketOwnerEnforced" } },
    versioning: { versioning_configuration: { status: "Enabled" } },
    encryption: kms(),
    policy: [denyInsecureTransport([arn(bucketName), `${arn(bucketName)}/*`]), denySseC([`${arn(bucketName)}/*`])],
  };
}

/** An AWS provider block that passes every provider rule. */
function awsProvider(changes: Config = {}): Config {
  return {
    alias: "provider",
    region: "us-east-1",
    allowed_account_ids: ["222222222222"],
    assume_role: [{ role_arn: "arn:aws:iam::222222222222:role/mlshare-deploy", session_name: "acme-ml-data-lake" }],
    default_tags: [{ tags: { CostCenter: "ml-platform", ManagedBy: "mlshare" } }],
    ...changes,
  };
}

/** A synthesized stack, built up resource by resource. */
class StackFixture {
  private readonly resources: Record<string, Record<string, Config>> = {};
  private readonly providers: Record<string, Config[]> = {};

  /** Adds a resource of `type` under the logical id `id`. */
  resource(type: string, id: string, config: Config): this {
    (this.resources[type] ??= {})[id] = config;
    return this;
  }

  /** Adds a provider block (AWS unless `type` says otherwise). */
  provider(config: Config, type = "aws"): this {
    (this.providers[type] ??= []).push(config);
    return this;
  }

  /**
   * Adds a bucket and its attached resources; they name the bucket by `bucketRef`
   * (default: the bucket's `${aws_s3_bucket.<id>.id}` reference).
   */
  bucket(id: string, bucketName: string, parts: BucketParts, bucketRef = `\${aws_s3_bucket.${id}.id}`): this {
    this.resource("aws_s3_bucket", id, { bucket: bucketName, force_destroy: false });
    for (const [key, type] of Object.entries(PART_TYPES) as [keyof BucketParts, string][]) {
      const part = parts[key];
      if (part === undefined) continue;
      const config = key === "policy" ? { policy: JSON.stringify({ Version: "2012-10-17", Statement: part }) } : part;
      this.resource(type, `${id}_${key}`, { bucket: bucketRef, ...config });
    }
    return this;
  }

  json(): StackJson {
    return { provider: this.providers, resource: this.resources };
  }
}

/** A stack holding the bucket `Data`, secure except for the parts changed. */
function dataBucket(changes: BucketParts = {}): StackFixture {
  return new StackFixture().bucket(DATA, DATA_NAME, { ...secureParts(DATA_NAME), ...changes });
}

/** A stack holding one AWS provider, compliant except for the settings changed. */
function providerStack(changes: Config = {}): StackFixture {
  return new StackFixture().provider(awsProvider(changes));
}

/** The verdict of a rule on the element at `address` (`aws_s3_bucket.Data`, `provider.aws.provider`). */
function verdict(rule: Rule, stack: StackFixture, address = `aws_s3_bucket.${DATA}`): Verdict {
  const element = elementsOf("fixture", stack.json()).find((e) => addressOf(e) === `fixture/${address}`);
  if (!element) throw new Error(`fixture has no element ${address}`);
  return rule.check(element);
}

const S3_RULES = [S3PublicAccessBlocked, S3OwnerEnforced, S3Versioned, S3KmsEncrypted, S3TlsOnly, S3DenySseC];
const PROVIDER_RULES = [ProviderAssumesDeployRole, ProviderDefaultTags];

// ---------------------------------------------------------------------------------------
// The fixtures themselves
// ---------------------------------------------------------------------------------------

describe("the fixtures", () => {
  test("a secure bucket under a compliant provider breaks no rule", () => {
    const stack = dataBucket().provider(awsProvider()).json();
    expect(checkCompliance({ fixture: stack }).violations).toEqual([]);
  });

  test("every S3 and provider rule of the framework is registered (policy rules: compliance-policy-rules.test.ts)", () => {
    expect(RULES).toEqual(expect.arrayContaining([...S3_RULES, ...PROVIDER_RULES]));
  });
});

// ---------------------------------------------------------------------------------------
// Provider rules
// ---------------------------------------------------------------------------------------

describe.each(PROVIDER_RULES)("$id does not apply", (rule) => {
  test("to a resource", () => {
    expect(verdict(rule, dataBucket())).toBe("not-applicable");
  });

  test("to a provider other than AWS", () => {
    expect(verdict(rule, new StackFixture().provider({ alias: "other" }, "random"), "provider.random.other")).toBe("not-applicable");
  });
});

describe("PROVIDER_ASSUMES_DEPLOY_ROLE", () => {
  const rule = ProviderAssumesDeployRole;

  test("passes a provider that assumes a role and lists its allowed account", () => {
    expect(verdict(rule, providerStack(), "provider.aws.provider")).toBe("compliant");
  });

  test("passes an assume_role written as one object rather than a list", () => {
    const stack = providerStack({ assume_role: { role_arn: "arn:aws:iam::222222222222:role/mlshare-deploy" } });
    expect(verdict(rule, stack, "provider.aws.provider")).toBe("compliant");
  });

  test("names a provider without an alias `default`, and fails it without assume_role", () => {
    const stack = new StackFixture().provider(awsProvider({ alias: undefined, assume_role: undefined }));
    expect(verdict(rule, stack, "provider.aws.default")).toBe("non-compliant");
  });

  test("fails assume_role without allowed_account_ids", () => {
    expect(verdict(rule, providerStack({ allowed_account_ids: undefined }), "provider.aws.provider")).toBe("non-compliant");
  });

  test("fails an empty allowed_account_ids list", () => {
    expect(verdict(rule, providerStack({ allowed_account_ids: [] }), "provider.aws.provider")).toBe("non-compliant");
  });

  test("fails an assume_role whose ARN is not an IAM role", () => {
    const stack = providerStack({ assume_role: [{ role_arn: "arn:aws:iam::222222222222:user/deployer" }] });
    expect(verdict(rule, stack, "provider.aws.provider")).toBe("non-compliant");
  });
});

describe("PROVIDER_DEFAULT_TAGS", () => {
  const rule = ProviderDefaultTags;

  test("passes default_tags with ManagedBy = mlshare", () => {
    expect(verdict(rule, providerStack(), "provider.aws.provider")).toBe("compliant");
  });

  test("fails a provider without default_tags", () => {
    expect(verdict(rule, providerStack({ default_tags: undefined }), "provider.aws.provider")).toBe("non-compliant");
  });

  test("fails default_tags without ManagedBy", () => {
    const stack = providerStack({ default_tags: [{ tags: { CostCenter: "ml-platform" } }] });
    expect(verdict(rule, stack, "provider.aws.provider")).toBe("non-compliant");
  });

  test("fails ManagedBy naming another tool", () => {
    const stack = providerStack({ default_tags: [{ tags: { ManagedBy: "terraform" } }] });
    expect(verdict(rule, stack, "provider.aws.provider")).toBe("non-compliant");
  });
});

// ---------------------------------------------------------------------------------------
// Bucket rules
// ---------------------------------------------------------------------------------------

describe.each(S3_RULES)("$id does not apply", (rule) => {
  test("to a resource attached to a bucket", () => {
    expect(verdict(rule, dataBucket(), `aws_s3_bucket_policy.${DATA}_policy`)).toBe("not-applicable");
  });

  test("to a provider", () => {
    expect(verdict(rule, providerStack(), "provider.aws.provider")).toBe("not-applicable");
  });
});

describe("S3_PUBLIC_ACCESS_BLOCKED", () => {
  const rule = S3PublicAccessBlocked;
  const allFour = secureParts(DATA_NAME).publicAccessBlock!;

  test("passes a bucket with all four settings true", () => {
    expect(verdict(rule, dataBucket())).toBe("compliant");
  });

  test("fails a bucket without a public access block", () => {
    expect(verdict(rule, dataBucket({ publicAccessBlock: undefined }))).toBe("non-compliant");
  });

  test("fails a block with three of the four settings", () => {
    expect(verdict(rule, dataBucket({ publicAccessBlock: { ...allFour, restrict_public_buckets: false } }))).toBe("non-compliant");
  });

  test("fails a block with one setting left out", () => {
    const { ignore_public_acls: _left, ...three } = allFour;
    expect(verdict(rule, dataBucket({ publicAccessBlock: three }))).toBe("non-compliant");
  });

  test("fails a bucket when only another bucket has the block", () => {
    const stack = dataBucket({ publicAccessBlock: undefined }).bucket(OTHER, OTHER_NAME, secureParts(OTHER_NAME));
    expect(verdict(rule, stack)).toBe("non-compliant");
    expect(verdict(rule, stack, `aws_s3_bucket.${OTHER}`)).toBe("compliant");
  });

  test("passes a block that names the bucket by its literal name", () => {
    const stack = new StackFixture().bucket(DATA, DATA_NAME, secureParts(DATA_NAME), DATA_NAME);
    expect(verdict(rule, stack)).toBe("compliant");
  });

  test("passes a block that names the bucket by its .bucket reference", () => {
    const stack = new StackFixture().bucket(DATA, DATA_NAME, secureParts(DATA_NAME), `\${aws_s3_bucket.${DATA}.bucket}`);
    expect(verdict(rule, stack)).toBe("compliant");
  });
});

describe("S3_OWNER_ENFORCED", () => {
  const rule = S3OwnerEnforced;

  test("passes a bucket whose ownership is BucketOwnerEnforced", () => {
    expect(verdict(rule, dataBucket())).toBe("compliant");
  });

  test("fails a bucket without ownership controls", () => {
    expect(verdict(rule, dataBucket({ ownership: undefined }))).toBe("non-compliant");
  });

  test("fails BucketOwnerPreferred, which still allows ACLs", () => {
    expect(verdict(rule, dataBucket({ ownership: { rule: { object_ownership: "BucketOwnerPreferred" } } }))).toBe("non-compliant");
  });

  test("fails ObjectWriter", () => {
    expect(verdict(rule, dataBucket({ ownership: { rule: [{ object_ownership: "ObjectWriter" }] } }))).toBe("non-compliant");
  });
});

describe("S3_VERSIONED", () => {
  const rule = S3Versioned;

  test("passes a bucket with versioning Enabled", () => {
    expect(verdict(rule, dataBucket())).toBe("compliant");
  });

  test("fails a bucket without a versioning resource", () => {
    expect(verdict(rule, dataBucket({ versioning: undefined }))).toBe("non-compliant");
  });

  test("fails versioning Suspended", () => {
    expect(verdict(rule, dataBucket({ versioning: { versioning_configuration: { status: "Suspended" } } }))).toBe("non-compliant");
  });

  test("fails a bucket when only another bucket is versioned", () => {
    const stack = dataBucket({ versioning: undefined }).bucket(OTHER, OTHER_NAME, secureParts(OTHER_NAME));
    expect(verdict(rule, stack)).toBe("non-compliant");
  });
});

describe("S3_KMS_ENCRYPTED", () => {
  const rule = S3KmsEncrypted;
  const logTargetPolicy = [...secureParts(DATA_NAME).policy!, allowLogDelivery(DATA_NAME)];

  test("passes SSE-KMS with bucket keys", () => {
    expect(verdict(rule, dataBucket())).toBe("compliant");
  });

  test("passes a rule written as one object rather than a list", () => {
    const single = { rule: { apply_server_side_encryption_by_default: [{ sse_algorithm: "aws:kms" }], bucket_key_enabled: true } };
    expect(verdict(rule, dataBucket({ encryption: single }))).toBe("compliant");
  });

  test("fails a bucket without an encryption configuration", () => {
    expect(verdict(rule, dataBucket({ encryption: undefined }))).toBe("non-compliant");
  });

  test("fails SSE-KMS without bucket keys", () => {
    expect(verdict(rule, dataBucket({ encryption: kms(false) }))).toBe("non-compliant");
  });

  test("fails SSE-S3 (AES256) on a bucket that is not an access log target", () => {
    expect(verdict(rule, dataBucket({ encryption: sseS3 }))).toBe("non-compliant");
  });

  test("passes SSE-S3 (AES256) on a bucket whose policy lets logging.s3.amazonaws.com deliver logs", () => {
    expect(verdict(rule, dataBucket({ encryption: sseS3, policy: logTargetPolicy }))).toBe("compliant");
  });

  test("fails SSE-S3 on a bucket whose policy only denies the logging service", () => {
    const policy = [...secureParts(DATA_NAME).policy!, allowLogDelivery(DATA_NAME, { Effect: "Deny" })];
    expect(verdict(rule, dataBucket({ encryption: sseS3, policy }))).toBe("non-compliant");
  });

  test("fails SSE-S3 on a bucket when only another bucket is a log target", () => {
    const stack = dataBucket({ encryption: sseS3 }).bucket(OTHER, OTHER_NAME, {
      ...secureParts(OTHER_NAME),
      policy: [allowLogDelivery(OTHER_NAME)],
    });
    expect(verdict(rule, stack)).toBe("non-compliant");
  });

  test("passes SSE-KMS on an access log target too", () => {
    expect(verdict(rule, dataBucket({ policy: logTargetPolicy }))).toBe("compliant");
  });
});

describe("S3_TLS_ONLY", () => {
  const rule = S3TlsOnly;
  const both = [arn(DATA_NAME), `${arn(DATA_NAME)}/*`];

  test("passes a Deny of insecure transport on the bucket and its objects", () => {
    expect(verdict(rule, dataBucket())).toBe("compliant");
  });

  test("passes a Deny that names the bucket by its arn reference", () => {
    const ref = `\${aws_s3_bucket.${DATA}.arn}`;
    expect(verdict(rule, dataBucket({ policy: [denyInsecureTransport([ref, `${ref}/*`])] }))).toBe("compliant");
  });

  test("passes a Deny with Principal AWS * among other statements", () => {
    const policy = [allowLogDelivery(DATA_NAME), denyInsecureTransport(both, { Principal: { AWS: "*" } })];
    expect(verdict(rule, dataBucket({ policy }))).toBe("compliant");
  });

  test("fails a bucket without a policy", () => {
    expect(verdict(rule, dataBucket({ policy: undefined }))).toBe("non-compliant");
  });

  test("fails a Deny that covers the objects but not the bucket", () => {
    expect(verdict(rule, dataBucket({ policy: [denyInsecureTransport([`${arn(DATA_NAME)}/*`])] }))).toBe("non-compliant");
  });

  test("fails a Deny that covers the bucket but not the objects", () => {
    expect(verdict(rule, dataBucket({ policy: [denyInsecureTransport([arn(DATA_NAME)])] }))).toBe("non-compliant");
  });

  test("fails a Deny that covers only a prefix of the objects", () => {
    const policy = [denyInsecureTransport([arn(DATA_NAME), `${arn(DATA_NAME)}/models/*`])];
    expect(verdict(rule, dataBucket({ policy }))).toBe("non-compliant");
  });

  test("fails a policy whose TLS Deny names another bucket", () => {
    const policy = [denyInsecureTransport([arn(OTHER_NAME), `${arn(OTHER_NAME)}/*`])];
    expect(verdict(rule, dataBucket({ policy }))).toBe("non-compliant");
  });

  test("fails a bucket when only another bucket's policy has the TLS Deny", () => {
    const stack = dataBucket({ policy: undefined }).bucket(OTHER, OTHER_NAME, secureParts(OTHER_NAME));
    expect(verdict(rule, stack)).toBe("non-compliant");
    expect(verdict(rule, stack, `aws_s3_bucket.${OTHER}`)).toBe("compliant");
  });

  test("fails a Deny of some actions only", () => {
    expect(verdict(rule, dataBucket({ policy: [denyInsecureTransport(both, { Action: ["s3:GetObject"] })] }))).toBe("non-compliant");
  });

  test("fails a Deny of one principal only", () => {
    const policy = [denyInsecureTransport(both, { Principal: { AWS: "arn:aws:iam::333333333333:root" } })];
    expect(verdict(rule, dataBucket({ policy }))).toBe("non-compliant");
  });

  test("fails an Allow with the same condition", () => {
    expect(verdict(rule, dataBucket({ policy: [denyInsecureTransport(both, { Effect: "Allow" })] }))).toBe("non-compliant");
  });

  test("fails a Deny of secure transport", () => {
    const policy = [denyInsecureTransport(both, { Condition: { Bool: { "aws:SecureTransport": "true" } } })];
    expect(verdict(rule, dataBucket({ policy }))).toBe("non-compliant");
  });

  test("fails a TLS Deny narrowed by a further condition", () => {
    const policy = [
      denyInsecureTransport(both, {
        Condition: { Bool: { "aws:SecureTransport": "false" }, StringEquals: { "aws:PrincipalAccount": "333333333333" } },
      }),
    ];
    expect(verdict(rule, dataBucket({ policy }))).toBe("non-compliant");
  });
});

describe("S3_DENY_SSE_C", () => {
  const rule = S3DenySseC;
  const objects = [`${arn(DATA_NAME)}/*`];
  const tls = denyInsecureTransport([arn(DATA_NAME), ...objects]);

  test("passes a Deny of PutObject with the SSE-C header on all objects", () => {
    expect(verdict(rule, dataBucket())).toBe("compliant");
  });

  test("passes a Deny naming the objects by the bucket's arn reference, s3:* and Principal AWS *", () => {
    const ref = `\${aws_s3_bucket.${DATA}.arn}/*`;
    const policy = [tls, denySseC([ref], { Action: "s3:*", Principal: { AWS: "*" } })];
    expect(verdict(rule, dataBucket({ policy }))).toBe("compliant");
  });

  test("passes a boolean false and a condition key in another case (IAM compares keys case-insensitively)", () => {
    const policy = [tls, denySseC(objects, { Condition: { Null: { "s3:x-amz-server-side-encryption-Customer-Algorithm": false } } })];
    expect(verdict(rule, dataBucket({ policy }))).toBe("compliant");
  });

  test("fails a bucket whose policy denies only non-TLS requests", () => {
    expect(verdict(rule, dataBucket({ policy: [tls] }))).toBe("non-compliant");
  });

  test("fails a bucket without a policy", () => {
    expect(verdict(rule, dataBucket({ policy: undefined }))).toBe("non-compliant");
  });

  test("near miss: the Deny covers a prefix of the objects only", () => {
    expect(verdict(rule, dataBucket({ policy: [tls, denySseC([`${arn(DATA_NAME)}/models/*`])] }))).toBe("non-compliant");
  });

  test("near miss: Null true denies uploads WITHOUT the header, not SSE-C", () => {
    const policy = [tls, denySseC(objects, { Condition: { Null: { "s3:x-amz-server-side-encryption-customer-algorithm": "true" } } })];
    expect(verdict(rule, dataBucket({ policy }))).toBe("non-compliant");
  });

  test("near miss: the Deny looks at the SSE-KMS header instead", () => {
    const policy = [tls, denySseC(objects, { Condition: { Null: { "s3:x-amz-server-side-encryption": "false" } } })];
    expect(verdict(rule, dataBucket({ policy }))).toBe("non-compliant");
  });

  test("near miss: a further condition narrows the Deny to some SSE-C uploads", () => {
    const policy = [
      tls,
      denySseC(objects, {
        Condition: { Null: { "s3:x-amz-server-side-encryption-customer-algorithm": "false" }, StringEquals: { "aws:PrincipalAccount": "333333333333" } },
      }),
    ];
    expect(verdict(rule, dataBucket({ policy }))).toBe("non-compliant");
  });

  test("near miss: an Allow, a Deny of GetObject, a Deny of one principal", () => {
    for (const changes of [{ Effect: "Allow" }, { Action: "s3:GetObject" }, { Principal: { AWS: "arn:aws:iam::333333333333:root" } }]) {
      expect(verdict(rule, dataBucket({ policy: [tls, denySseC(objects, changes)] }))).toBe("non-compliant");
    }
  });

  test("near miss: only another bucket's policy has the Deny", () => {
    const stack = dataBucket({ policy: [tls] }).bucket(OTHER, OTHER_NAME, secureParts(OTHER_NAME));
    expect(verdict(rule, stack)).toBe("non-compliant");
    expect(verdict(rule, stack, `aws_s3_bucket.${OTHER}`)).toBe("compliant");
    expect(verdict(rule, dataBucket({ policy: [tls, denySseC([`${arn(OTHER_NAME)}/*`])] }))).toBe("non-compliant");
  });
});

// ---------------------------------------------------------------------------------------
// checkCompliance
// ---------------------------------------------------------------------------------------

describe("checkCompliance", () => {
  const unversioned = { "data-lake": dataBucket({ versioning: undefined }).provider(awsProvider()).json() };
  const address = `data-lake/aws_s3_bucket.${DATA}`;

  test("reports a violation with its rule, severity, resource address and reasons", () => {
    const report = checkCompliance(unversioned);
    expect(report.violations).toEqual([
      {
        rule: "S3_VERSIONED",
        severity: "medium",
        resource: address,
        info: S3Versioned.info,
        explanation: S3Versioned.explanation,
        suppressedBecause: undefined,
      },
    ]);
    expect(report.suppressed).toEqual([]);
  });

  test("addresses a provider finding as <stack>/provider.aws.<alias>", () => {
    const stacks = { "ml-dev": new StackFixture().provider(awsProvider({ alias: "consumer", default_tags: undefined })).json() };
    expect(checkCompliance(stacks).violations.map((f) => [f.rule, f.severity, f.resource])).toEqual([
      ["PROVIDER_DEFAULT_TAGS", "low", "ml-dev/provider.aws.consumer"],
    ]);
  });

  test("moves a finding a suppression matches to `suppressed`, with the reason", () => {
    const suppression = { rule: "S3_VERSIONED", resource: address, reason: "scratch space, rebuilt nightly" };
    const report = checkCompliance(unversioned, [suppression]);
    expect(report.violations).toEqual([]);
    expect(report.suppressed).toEqual([
      expect.objectContaining({ rule: "S3_VERSIONED", resource: address, suppressedBecause: "scratch space, rebuilt nightly" }),
    ]);
    expect(report.unusedSuppressions).toEqual([]);
  });

  test("lists a suppression that matches no finding in unusedSuppressions", () => {
    const stale = { rule: "S3_TLS_ONLY", resource: address, reason: "left over" };
    const report = checkCompliance(unversioned, [stale]);
    expect(report.unusedSuppressions).toEqual([stale]);
    expect(report.violations.map((f) => f.rule)).toEqual(["S3_VERSIONED"]);
  });

  test("does not let a suppression of the same rule in another stack match", () => {
    const elsewhere = { rule: "S3_VERSIONED", resource: `ml-dev/aws_s3_bucket.${DATA}`, reason: "another stack" };
    const report = checkCompliance(unversioned, [elsewhere]);
    expect(report.violations.map((f) => f.resource)).toEqual([address]);
    expect(report.unusedSuppressions).toEqual([elsewhere]);
  });

  test("checks with the rules it is given", () => {
    const never: Rule = { ...S3Versioned, id: "NEVER", check: () => "not-applicable" };
    expect(checkCompliance(unversioned, [], [never]).violations).toEqual([]);
  });
});

describe("the reference topology", () => {
  const out = synthInput(referenceInput());

  test("synthesizes stacks with buckets and providers to check", () => {
    const elements = Object.entries(out.stacks).flatMap(([name, json]) => elementsOf(name, json));
    expect(elements.some((e) => e.type === "aws_s3_bucket")).toBe(true);
    expect(elements.filter((e) => e.kind === "provider").length).toBeGreaterThanOrEqual(Object.keys(out.stacks).length);
  });

  test.each(Object.keys(out.stacks))("stack %s has no violations", (name) => {
    const report = checkCompliance({ [name]: out.stacks[name] }, out.topology.suppressions);
    expect(report.violations).toEqual([]);
  });
});
