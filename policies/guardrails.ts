/**
 * The organization guardrails (topology `organization.guardrails`) as typed statements:
 * pure functions of the organization's id and nothing else, so the same guardrail is the
 * same document in every topology that asks for it.
 *
 * Every statement is a Deny (an Allow in an SCP or RCP would only widen what AWS's default
 * full-access policies already pass), has a Sid that says what it enforces, and is modelled
 * on AWS's published data-perimeter examples.
 * @see https://github.com/aws-samples/data-perimeter-policy-examples
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html
 */
import { Guardrail } from "../config/model";
import { PolicyDocument, Statement } from "./document";
import { assertWithinQuota } from "./quotas";

/** A guardrail kind of the topology. */
export type GuardrailKind = Guardrail["kind"];

/** What the guardrails are functions of. */
export interface GuardrailInputs {
  /** The organization id (`o-...`): the one `aws:PrincipalOrgID` / `aws:SourceOrgID` the perimeter admits. */
  readonly orgId: string;
  /**
   * Accounts outside the organization whose principals the data perimeter still admits
   * (`aws:PrincipalAccount`), and whose AWS service calls it admits (`aws:SourceAccount`).
   * @default none: only the organization
   */
  readonly trustedAccounts?: readonly string[];
}

/** Every resource: organization policies name what they govern by action and condition. */
const ANY_RESOURCE = ["*"];

/** The action a member account would use to leave the organization, and with it every guardrail. */
export const LEAVE_ORGANIZATION_ACTIONS: readonly string[] = ["organizations:LeaveOrganization"];

/**
 * SageMaker actions that start compute in a network, each of which carries
 * `sagemaker:VpcSubnets` when the request names VPC subnets. Transform jobs carry no such key:
 * they run in the VPC of their model, and CreateModel is held to a VPC here.
 * @see https://docs.aws.amazon.com/sagemaker/latest/dg/security_iam_id-based-policy-examples.html
 */
export const SAGEMAKER_VPC_WORKLOAD_ACTIONS: readonly string[] = [
  "sagemaker:CreateAutoMLJob",
  "sagemaker:CreateAutoMLJobV2",
  "sagemaker:CreateHyperParameterTuningJob",
  "sagemaker:CreateModel",
  "sagemaker:CreateNotebookInstance",
  "sagemaker:CreateProcessingJob",
  "sagemaker:CreateTrainingJob",
];

/** The services whose resources the data perimeter covers. */
export const PERIMETER_SERVICE_ACTIONS: readonly string[] = ["s3:*", "kms:*", "sts:*"];

/**
 * The STS actions a principal of another organization could call on this organization's
 * roles. Web identity and SAML federation carry no `aws:PrincipalOrgID` (their principals
 * belong to no account), so they are left to the roles' trust policies, as in AWS's example.
 */
export const PERIMETER_STS_IDENTITY_ACTIONS: readonly string[] = [
  "sts:AssumeRole",
  "sts:DecodeAuthorizationMessage",
  "sts:GetAccessKeyInfo",
  "sts:GetFederationToken",
  "sts:GetServiceBearerToken",
  "sts:GetSessionToken",
  "sts:SetContext",
];

/** `deny-leave-organization` (SCP): no member account leaves the organization, and its guardrails. */
export function denyLeaveOrganization(): Statement[] {
  return [{ sid: "DenyLeaveOrganization", effect: "Deny", actions: LEAVE_ORGANIZATION_ACTIONS, resources: ANY_RESOURCE }];
}

/**
 * `require-sagemaker-vpc` (SCP): SageMaker domains are VPC-only, and training, processing,
 * tuning and AutoML jobs, models (and so transform jobs) and notebook instances name VPC
 * subnets. A request without `sagemaker:VpcSubnets` is denied (`Null` is true when the key is
 * absent); a domain is denied unless `sagemaker:AppNetworkAccessType` is `VpcOnly` (absent
 * counts as not VpcOnly: CreateDomain's default is public internet).
 */
export function requireSagemakerVpc(): Statement[] {
  return [
    {
      sid: "DenySageMakerDomainsNotVpcOnly",
      effect: "Deny",
      actions: ["sagemaker:CreateDomain"],
      resources: ANY_RESOURCE,
      conditions: { StringNotEquals: { "sagemaker:AppNetworkAccessType": "VpcOnly" } },
    },
    {
      sid: "DenySageMakerDomainsToPublicInternet",
      effect: "Deny",
      actions: ["sagemaker:UpdateDomain"],
      resources: ANY_RESOURCE,
      conditions: { StringEquals: { "sagemaker:AppNetworkAccessType": "PublicInternetOnly" } },
    },
    {
      sid: "DenySageMakerComputeWithoutVpcSubnets",
      effect: "Deny",
      actions: SAGEMAKER_VPC_WORKLOAD_ACTIONS,
      resources: ANY_RESOURCE,
      conditions: { Null: { "sagemaker:VpcSubnets": true } },
    },
  ];
}

/**
 * `data-perimeter` (RCP): the organization's S3, KMS and STS resources accept requests only
 * - from principals of the organization (`aws:PrincipalOrgID`) or of a trusted account
 *   (EnforceOrgIdentities; AWS services are judged by the next statement instead),
 * - from AWS services acting for the organization or a trusted account (`aws:SourceOrgID`,
 *   `aws:SourceAccount`; EnforceConfusedDeputyProtection),
 * - over TLS (EnforceSecureTransport).
 *
 * AWS's example also exempts resources tagged `dp:exclude:identity`; that exemption is left
 * out here, because without a second SCP guarding the tag any account administrator could
 * use it to open a bucket to the world.
 */
export function dataPerimeter(inputs: GuardrailInputs): Statement[] {
  const trusted = [...(inputs.trustedAccounts ?? [])];
  const any = { any: true } as const;
  return [
    {
      sid: "EnforceOrgIdentities",
      effect: "Deny",
      principals: any,
      actions: ["s3:*", "kms:*", ...PERIMETER_STS_IDENTITY_ACTIONS],
      resources: ANY_RESOURCE,
      conditions: {
        StringNotEqualsIfExists: { "aws:PrincipalOrgID": inputs.orgId, ...(trusted.length ? { "aws:PrincipalAccount": trusted } : {}) },
        BoolIfExists: { "aws:PrincipalIsAWSService": false },
      },
    },
    {
      sid: "EnforceConfusedDeputyProtection",
      effect: "Deny",
      principals: any,
      actions: PERIMETER_SERVICE_ACTIONS,
      resources: ANY_RESOURCE,
      conditions: {
        StringNotEqualsIfExists: { "aws:SourceOrgID": inputs.orgId, ...(trusted.length ? { "aws:SourceAccount": trusted } : {}) },
        Null: { "aws:SourceAccount": false },
        Bool: { "aws:PrincipalIsAWSService": true },
      },
    },
    {
      sid: "EnforceSecureTransport",
      effect: "Deny",
      principals: any,
      actions: PERIMETER_SERVICE_ACTIONS,
      resources: ANY_RESOURCE,
      conditions: { BoolIfExists: { "aws:SecureTransport": false } },
    },
  ];
}

/** How one guardrail kind becomes an organization policy. */
export interface GuardrailSpec {
  /** The policy document kind, which is also the quota it is held to. */
  readonly policyKind: "scp" | "rcp";
  /** The Organizations policy type. */
  readonly type: "SERVICE_CONTROL_POLICY" | "RESOURCE_CONTROL_POLICY";
  /** The policy's description in Organizations. */
  readonly description: string;
  /** The statements, as a pure function of the inputs. */
  readonly statements: (inputs: GuardrailInputs) => Statement[];
}

/** Every guardrail kind of the topology. */
export const GUARDRAILS: Readonly<Record<GuardrailKind, GuardrailSpec>> = {
  "deny-leave-organization": {
    policyKind: "scp",
    type: "SERVICE_CONTROL_POLICY",
    description: "mlshare: member accounts cannot leave the organization",
    statements: denyLeaveOrganization,
  },
  "require-sagemaker-vpc": {
    policyKind: "scp",
    type: "SERVICE_CONTROL_POLICY",
    description: "mlshare: SageMaker domains are VPC-only; jobs, models and notebooks name VPC subnets",
    statements: requireSagemakerVpc,
  },
  "data-perimeter": {
    policyKind: "rcp",
    type: "RESOURCE_CONTROL_POLICY",
    description: "mlshare: S3, KMS and STS resources accept only the organization's principals and services, over TLS",
    statements: dataPerimeter,
  },
};

/** A guardrail as an organization policy, ready to attach. */
export interface GuardrailPolicy {
  readonly kind: GuardrailKind;
  /** The policy's name in Organizations. */
  readonly name: string;
  /** The Organizations policy type. */
  readonly type: GuardrailSpec["type"];
  /** The policy's description in Organizations. */
  readonly description: string;
  /** The checked statements. */
  readonly document: PolicyDocument;
  /** The minified document (Organizations counts every character, whitespace included). */
  readonly content: string;
  /** The size Organizations counts. */
  readonly size: number;
}

/**
 * Builds a guardrail's policy: statements checked as they are added, Deny only, minified and
 * held to the SCP/RCP quota (5,120 characters). Throws PolicyError or QuotaError.
 */
export function guardrailPolicy(kind: GuardrailKind, name: string, inputs: GuardrailInputs): GuardrailPolicy {
  const spec = GUARDRAILS[kind];
  const document = new PolicyDocument(`${spec.policyKind.toUpperCase()} ${name}`, spec.policyKind);
  for (const s of spec.statements(inputs)) {
    if (s.effect !== "Deny") throw new Error(`internal: guardrail ${kind} statement ${s.sid} must be a Deny`);
    document.add(s);
  }
  const content = document.toString();
  const size = assertWithinQuota(spec.policyKind, document.name, content);
  return { kind, name, type: spec.type, description: spec.description, document, content, size };
}
