/**
 * What the evaluator is asked and what it answers: requests, routes, results, the
 * organization, options, and the errors it throws.
 */
import type { SimulationOrgPolicies } from "@cloud-copilot/iam-simulate";
import { PolicyJson } from "../collect";

/** The result of one evaluation, as AWS names it. */
export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** Request context values: strings, or lists for multi-valued keys. */
export type ContextValues = Readonly<Record<string, string | readonly string[]>>;

/** A policy given by name, for principals the stacks do not describe (a role outside them). */
export interface NamedPolicy {
  readonly name: string;
  readonly document: PolicyJson;
}

/** The organization the principals belong to. */
export interface OrganizationContext {
  /** The organization id (`o-...`), sent as `aws:PrincipalOrgID` for its accounts. */
  readonly id: string;
  /** The account ids in the organization. */
  readonly accountIds: readonly string[];
  /** The root id (`r-...`), where root-targeted SCPs and RCPs attach. */
  readonly rootId?: string;
  /**
   * Per account id, the OU ids it sits under, root-first; organization policies attached to
   * an OU apply only to accounts listed here under it.
   */
  readonly ouPaths?: Readonly<Record<string, readonly string[]>>;
  /** The management account: SCPs and RCPs do not apply to it. */
  readonly managementAccountId?: string;
}

/** How the evaluator sees principals and the organization. */
export interface EvaluatorOptions {
  readonly organization: OrganizationContext;
  /** `aws:PrincipalOrgID` of accounts outside {@link OrganizationContext} (another organization), by account id. */
  readonly otherOrgIds?: Readonly<Record<string, string>>;
  /** Identity policies of principals in addition to what the stacks attach, by role ARN. */
  readonly extraIdentityPolicies?: Readonly<Record<string, readonly NamedPolicy[]>>;
  /**
   * Documents of attached policies the stacks do not hold (AWS managed policies, customer
   * managed policies of other stacks), by policy ARN.
   */
  readonly policyDocuments?: Readonly<Record<string, PolicyJson>>;
  /**
   * What to do with an attached policy whose document is neither in the stacks nor in
   * {@link policyDocuments}: `throw` (default), or `skip` it and name it in every
   * {@link StepResult.skippedPolicies} it could have changed.
   */
  readonly missingPolicyDocuments?: "throw" | "skip";
  /**
   * With `via: "any"`, leave out the routes that cannot admit the principal instead of
   * evaluating them: a cross-account bucket or access point whose policy has no Allow that
   * can match the principal, the action, the resource and the request's context (a condition
   * that certainly fails, such as another role's `aws:PrincipalArn`), a role whose trust
   * policy has none. {@link AccessResult.unreachableRoutes} counts them. The answer is the
   * same; only a denial's explanation is shorter. Default false.
   */
  readonly pruneUnreachableRoutes?: boolean;
}

/** Which kind of policy a statement came from. */
export type PolicySide = "identity" | "resource" | "scp" | "rcp" | "permission-boundary" | "session" | "endpoint";

/** A statement that decided a request. */
export interface DecidingStatement {
  /** The policy: `<stack>/<terraform address>` for collected policies, else the given name. */
  readonly policy: string;
  readonly side: PolicySide;
  readonly effect: "Allow" | "Deny";
  readonly sid?: string;
  /** The statement's 1-based position in its policy. */
  readonly index: number;
}

/** One request to AWS, evaluated. */
export interface StepResult {
  /**
   * `s3` (bucket or access point), `s3-bucket` (the bucket policy's check of an access point
   * request), `kms`, `sts`; `sagemaker` and `other` for single requests of other services.
   */
  readonly step: "s3" | "s3-bucket" | "kms" | "sts" | "sagemaker" | "other";
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context: ContextValues;
  readonly decision: Decision;
  /** Allowed: the Allow statements that granted it; explicitly denied: the Deny statements. */
  readonly decidedBy: readonly DecidingStatement[];
  /** Implicitly denied: the policy sides without a matching Allow. */
  readonly missingAllowIn: readonly PolicySide[];
  /** Attached policies left out because their documents are unknown (see {@link EvaluatorOptions.missingPolicyDocuments}). */
  readonly skippedPolicies: readonly string[];
}

/** A way to reach a bucket's data. */
export type Route =
  | { readonly kind: "bucket" }
  | { readonly kind: "access-point"; readonly arn: string }
  | { readonly kind: "assume-role"; readonly roleArn: string; readonly externalId?: string };

/** One route, evaluated: every request it takes, in order, up to the first one denied. */
export interface RouteResult {
  readonly route: Route;
  readonly allowed: boolean;
  readonly steps: readonly StepResult[];
}

/** The answer to an access question. */
export interface AccessResult {
  readonly allowed: boolean;
  /** The route that allowed it. */
  readonly via?: Route;
  /** The routes evaluated (all of them when denied, but for the unreachable ones). */
  readonly routes: readonly RouteResult[];
  /** Routes left out because they cannot admit the principal ({@link EvaluatorOptions.pruneUnreachableRoutes}). */
  readonly unreachableRoutes?: number;
}

/** S3 data actions the evaluator follows end to end. */
export type S3DataAction = "s3:GetObject" | "s3:GetObjectVersion" | "s3:PutObject" | "s3:AbortMultipartUpload" | "s3:ListBucket";

/** An S3 access question. */
export interface S3AccessRequest {
  /** The role making the request (`arn:aws:iam::<account>:role/<name>`). */
  readonly principalArn: string;
  readonly action: S3DataAction;
  /** The bucket's name. */
  readonly bucket: string;
  /** The object key, for object actions. */
  readonly key?: string;
  /** The `prefix` of a ListBucket request. */
  readonly prefix?: string;
  /** Over TLS (default) or not. */
  readonly secureTransport?: boolean;
  /** The encryption headers of a PutObject. */
  readonly encryption?: {
    readonly algorithm?: string;
    readonly kmsKeyId?: string;
    /** SSE-C: `s3:x-amz-server-side-encryption-customer-algorithm` (a customer-provided key; no KMS request follows). */
    readonly customerAlgorithm?: string;
  };
  /** The KMS key that encrypts the object being read; default: see {@link AccessEvaluator.objectKey}. */
  readonly objectKmsKeyArn?: string;
  /** One route, or every route to the bucket (default `any`: direct, access points, roles that may read it). */
  readonly via?: Route | "any";
}

/** One request for the simulator, with the policies that apply to it. */
export interface SingleRequest {
  readonly principalArn: string;
  readonly action: string;
  readonly resourceArn: string;
  /** The account owning the resource. */
  readonly resourceAccountId: string;
  /** The resource's policy (bucket, access point, key, trust), if any. */
  readonly resourcePolicy?: NamedPolicy;
  /** Service-specific context keys; the principal's keys are added. */
  readonly context?: ContextValues;
  readonly secureTransport?: boolean;
  /** Whether an AWS service makes the request with the principal's credentials (S3 calling KMS). */
  readonly viaAwsService?: boolean;
  readonly step: StepResult["step"];
}

/** Thrown when the simulator would ignore a context key of a request: a key that does not reach the policies. */
export class IgnoredContextKeyError extends Error {
  constructor(
    readonly request: { readonly action: string; readonly resource: string },
    readonly keys: readonly string[],
  ) {
    super(`the simulator ignored context key(s) ${keys.join(", ")} of ${request.action} on ${request.resource}`);
    this.name = "IgnoredContextKeyError";
  }
}

/** Thrown when the simulator refuses a request or a policy (invalid document, unknown action). */
export class SimulationError extends Error {
  constructor(message: string, readonly details: unknown) {
    super(message);
    this.name = "SimulationError";
  }
}

/**
 * Context keys S3 sets on a request through an access point, which the bucket policy's
 * delegation condition reads (`s3:DataAccessPointAccount`). iam-data lists them only for
 * access point resources, so the bucket policy's check of such a request runs without the
 * simulator's key filter, and only these keys are exempt from the ignored-key check.
 */
export const ACCESS_POINT_DELEGATION_KEYS: readonly string[] = ["s3:DataAccessPointAccount", "s3:DataAccessPointArn", "s3:AccessPointNetworkOrigin"];

/** How {@link RequestEvaluator.evaluateWith} treats one request. */
export interface EvaluationOptions {
  /** Identity policies to use instead of the principal's. */
  readonly identity?: readonly NamedPolicy[];
  /** Whether identity statements are reported among the deciding ones (default true). */
  readonly reportIdentity?: boolean;
  /** Whether SCPs apply (default true). */
  readonly scp?: boolean;
  /**
   * The SCP levels to apply instead of the principal account's (root first): a guardrail
   * asked of an OU or the root whatever account sits under it.
   */
  readonly scpLevels?: readonly SimulationOrgPolicies[];
  /** Context keys exempt from the ignored-key check. */
  readonly exemptKeys?: readonly string[];
}
