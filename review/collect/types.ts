/**
 * What the collection of a synthesized `cdktf.out` holds: policies with what they are
 * attached to, roles, buckets, access points, keys, the organization, model package groups,
 * SageMaker domains, RAM shares, the stacks' outputs, and the values it could not resolve.
 */

/** A JSON value, as policy documents hold them. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A policy document as parsed JSON (`Version`, `Statement`, ...). */
export type PolicyJson = { readonly [key: string]: JsonValue };

/** The JSON of one synthesized stack (`cdktf.out/stacks/<name>/cdk.tf.json`). */
export interface StackInput {
  readonly resource?: { readonly [type: string]: { readonly [logicalId: string]: unknown } };
  readonly provider?: { readonly [name: string]: unknown };
  readonly [key: string]: unknown;
}

/** The part of `cdktf.out/manifest.json` the collection reads. */
export interface ManifestInput {
  readonly stacks: {
    readonly [name: string]: { readonly synthesizedStackPath?: string; readonly dependencies?: readonly string[] };
  };
}

/** What a policy is, by where AWS attaches it. */
export type PolicyKind =
  | "trust"
  | "inline"
  | "managed"
  | "bucket"
  | "access-point"
  | "key"
  | "scp"
  | "rcp"
  | "organization-policy"
  | "model-package-group";

/** A value the collection could not resolve: a reference, a missing attribute, a document it cannot see. */
export interface UnresolvedValue {
  /** The stack the value is in. */
  readonly stack: string;
  /** The Terraform address within the stack (`aws_iam_role_policy.Foo`), or `provider.aws` for providers. */
  readonly address: string;
  /** The attribute holding the value (`policy`, `role`, `allowed_account_ids`, ...). */
  readonly attribute: string;
  /** The value, or the expression inside `${...}`, as written. */
  readonly value: string;
  /** Why it could not be resolved. */
  readonly reason: string;
}

/** One policy document and what it is attached to. */
export interface CollectedPolicy {
  readonly kind: PolicyKind;
  /** The stack that synthesizes it. */
  readonly stack: string;
  /** The account the policy lives in. */
  readonly accountId: string;
  /** The Terraform address of the resource holding the document (`aws_iam_role.X.inline_policy[0]` for blocks). */
  readonly address: string;
  /** A readable name: the policy's own name, or `<kind> of <what it is attached to>`. */
  readonly name: string;
  /**
   * The ARN of what the policy is attached to: the role, bucket, access point, key, model
   * package group; for a managed policy its own ARN; for organization policies the policy
   * itself (targets are on {@link CollectedOrgPolicy}).
   */
  readonly attachedTo: string;
  /** The document with references resolved; undefined when the text is not JSON even after resolution. */
  readonly document?: PolicyJson;
  /** The resolved text (what AWS measures against the policy's size quota). */
  readonly text: string;
  /** The references in this document that could not be resolved (also in {@link Collection.unresolved}). */
  readonly unresolved: readonly string[];
}

/** An IAM role: made by a stack, or an existing role that a stack attaches policies to. */
export interface CollectedRole {
  readonly stack: string;
  readonly accountId: string;
  readonly name: string;
  /** `arn:<partition>:iam::<account>:role<path><name>`. */
  readonly arn: string;
  /** `aws_iam_role.<id>` when the stack makes the role; undefined for a role that already exists. */
  readonly address?: string;
  /** The trust policy, when the stack makes the role. */
  readonly trustPolicy?: CollectedPolicy;
  /** Inline policies: `aws_iam_role_policy` resources and the role's `inline_policy` blocks. */
  readonly inlinePolicies: readonly CollectedPolicy[];
  /** Customer managed policies of the same stack attached to the role. */
  readonly managedPolicies: readonly CollectedPolicy[];
  /** AWS managed policies attached (`arn:aws:iam::aws:policy/...`), listed, not expanded. */
  readonly awsManagedPolicyArns: readonly string[];
  /** Other attached policy ARNs whose documents are not in the stack (also listed as unresolved). */
  readonly unknownPolicyArns: readonly string[];
}

/** Default encryption of a bucket. */
export interface BucketEncryption {
  /** `aws:kms`, `aws:kms:dsse` or `AES256`. */
  readonly algorithm: string;
  /** The KMS key (resolved; a synthetic ARN for keys of the stack). */
  readonly kmsKeyId?: string;
  readonly bucketKeyEnabled: boolean;
}

/** An S3 bucket and its policy. */
export interface CollectedBucket {
  readonly stack: string;
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  readonly arn: string;
  /** `aws_s3_bucket.<id>`; undefined when only a policy of an outside bucket is in the stack. */
  readonly address?: string;
  readonly policy?: CollectedPolicy;
  readonly encryption?: BucketEncryption;
}

/** An S3 access point and its policy. */
export interface CollectedAccessPoint {
  readonly stack: string;
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  /** `arn:<partition>:s3:<region>:<account>:accesspoint/<name>`. */
  readonly arn: string;
  /** The bucket's name. */
  readonly bucket: string;
  readonly address: string;
  readonly policy?: CollectedPolicy;
}

/** A KMS key, its aliases and its key policy. */
export interface CollectedKey {
  readonly stack: string;
  readonly accountId: string;
  readonly region: string;
  readonly logicalId: string;
  readonly address: string;
  /** The synthetic ARN, {@link syntheticKeyArn}: the key's real id exists only after apply. */
  readonly arn: string;
  /** Alias names (`alias/acme-ml/datasets`) pointing at the key. */
  readonly aliases: readonly string[];
  readonly policy?: CollectedPolicy;
}

/** An organization policy (SCP, RCP, or another type) and the targets it is attached to. */
export interface CollectedOrgPolicy {
  readonly policy: CollectedPolicy;
  /** `SERVICE_CONTROL_POLICY`, `RESOURCE_CONTROL_POLICY`, ... */
  readonly type: string;
  /** Target ids: `r-...` (root), `ou-...` (or a synthetic `ou-synthetic-<logical id>`), account ids. */
  readonly targets: readonly string[];
}

/** An organizational unit the stacks make, or look up by name. */
export interface CollectedOrgUnit {
  /** The synthetic id `ou-synthetic-<logical id>` (the real id exists after apply), or the literal id. */
  readonly id: string;
  readonly name: string;
  /** The parent's id (root `r-...` or an OU id), resolved the same way. */
  readonly parentId: string;
  /** True for an OU the stacks look up by name (a data source) rather than make. */
  readonly lookedUp?: boolean;
}

/** An account the organization stacks place in an OU. */
export interface CollectedOrgAccount {
  /** The account id when known (an imported account), else a synthetic one. */
  readonly id: string;
  readonly name: string;
  readonly parentId?: string;
}

/** The organization as the management stack shapes it. */
export interface CollectedOrganization {
  readonly policies: readonly CollectedOrgPolicy[];
  readonly units: readonly CollectedOrgUnit[];
  readonly accounts: readonly CollectedOrgAccount[];
}

/** A SageMaker model package group policy. */
export interface CollectedModelPackageGroupPolicy {
  readonly groupName: string;
  /** `arn:<partition>:sagemaker:<region>:<account>:model-package-group/<name>`. */
  readonly arn: string;
  readonly policy: CollectedPolicy;
}

/** A SageMaker domain a stack makes: a SageMaker workload of its account. */
export interface CollectedSageMakerDomain {
  readonly stack: string;
  readonly accountId: string;
  readonly region: string;
  /** `domain_name`, or the logical id when it cannot be resolved. */
  readonly name: string;
  /** `aws_sagemaker_domain.<id>`. */
  readonly address: string;
}

/** One stack's account and region. */
export interface CollectedStack {
  readonly name: string;
  /** The account the stack deploys into (the providers' `allowed_account_ids`). */
  readonly accountId: string;
  /** The region of the stack's first AWS provider. */
  readonly region: string;
  /** Every region the stack's AWS providers use. */
  readonly regions: readonly string[];
  /** Stacks this one deploys after (from the manifest). */
  readonly dependencies: readonly string[];
  /**
   * The stack's outputs (`datasets`, `model_artifacts`, `ml_projects`, ...) by name, their
   * values with references resolved where the review can (role and policy ARNs, names);
   * values known only after apply (a project id) stay as written, `${...}`.
   */
  readonly outputs: { readonly [name: string]: JsonValue };
}

/** A RAM resource share: who it shares with and what. */
export interface CollectedRamShare {
  readonly stack: string;
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  /** `aws_ram_resource_share.<id>`. */
  readonly address: string;
  /** A stand-in ARN: the share's real ARN exists after apply. */
  readonly arn: string;
  /** Whether principals outside the organization may be associated (Terraform's default: false). */
  readonly allowExternalPrincipals: boolean;
  /** Associated principals as written: account ids, OU or organization ARNs. */
  readonly principals: readonly string[];
  /** Shared resource ARNs. */
  readonly resources: readonly string[];
}

/** Everything the collection found in a `cdktf.out`. */
export interface Collection {
  readonly stacks: readonly CollectedStack[];
  readonly roles: readonly CollectedRole[];
  readonly buckets: readonly CollectedBucket[];
  readonly accessPoints: readonly CollectedAccessPoint[];
  readonly keys: readonly CollectedKey[];
  readonly organization: CollectedOrganization;
  readonly modelPackageGroupPolicies: readonly CollectedModelPackageGroupPolicy[];
  /** SageMaker domains. */
  readonly sagemakerDomains: readonly CollectedSageMakerDomain[];
  /** RAM resource shares. */
  readonly ramShares: readonly CollectedRamShare[];
  /** Lake Formation grants on shared tables, filters and resource links (lakeformation.ts). */
  readonly tableGrants: readonly import("./lakeformation").CollectedTableGrant[];
  /** Every policy above, flat, in stack order. */
  readonly policies: readonly CollectedPolicy[];
  /** Every value that could not be resolved. Empty means every policy is exactly what AWS will see. */
  readonly unresolved: readonly UnresolvedValue[];
}

/** The deterministic stand-in ARN of a KMS key made by a stack: its id exists only after apply. */
export function syntheticKeyArn(partition: string, region: string, accountId: string, logicalId: string): string {
  return `arn:${partition}:kms:${region}:${accountId}:key/${logicalId}`;
}
