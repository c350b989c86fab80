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
import {
  actionsRequiringVpcSubnets,
  APP_NETWORK_ACCESS_TYPE,
  DIRECT_INTERNET_ACCESS,
  directInternetActions,
  domainNetworkActions,
  MODEL_ARN,
  VPC_SUBNETS,
} from "./sagemaker-network";

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
 * SageMaker actions held to VPC subnets: every action AWS's data gives `sagemaker:VpcSubnets`
 * (jobs, job definitions, monitoring schedules, HyperPod clusters, models, notebook
 * instances, model customization jobs), but those whose network another statement judges.
 * @see policies/sagemaker-network.ts
 */
export const SAGEMAKER_VPC_WORKLOAD_ACTIONS: readonly string[] = actionsRequiringVpcSubnets();

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
 * `require-sagemaker-vpc` (SCP): SageMaker compute runs in the organization's VPCs, for every
 * action AWS's data gives a network condition key (policies/sagemaker-network.ts):
 * - without `sagemaker:VpcSubnets` (`Null` is true when the request names no subnets), every
 *   action that takes the key is denied, creates and updates alike (an update of a monitoring
 *   schedule or a HyperPod cluster replaces its network, so it names subnets too);
 * - an endpoint config is denied when it names neither subnets nor models: variants that name
 *   models run in the models' VPC, which CreateModel above must name;
 * - a domain is denied unless `sagemaker:AppNetworkAccessType` is `VpcOnly` (absent is the
 *   default, PublicInternetOnly), and an update may not set PublicInternetOnly;
 * - a notebook instance is denied unless `sagemaker:DirectInternetAccess` is `Disabled` (absent
 *   is the default, Enabled): in a VPC, direct internet access still bypasses it.
 *
 * `sagemaker:NetworkIsolation` is neither required nor accepted instead of subnets: it cuts a
 * container's network, which many jobs need (distributed training, processing that calls
 * services), and a job without subnets would still run outside the organization's VPCs, its
 * endpoints and flow logs. Teams may add it; the guardrail's promise is the VPC.
 */
export function requireSagemakerVpc(): Statement[] {
  const domains = domainNetworkActions();
  const notebooks = directInternetActions();
  const out: Statement[] = [
    {
      sid: "DenySageMakerDomainsNotVpcOnly",
      effect: "Deny",
      actions: domains.create,
      resources: ANY_RESOURCE,
      conditions: { StringNotEquals: { [APP_NETWORK_ACCESS_TYPE]: "VpcOnly" } },
    },
    {
      sid: "DenySageMakerDomainsToPublicInternet",
      effect: "Deny",
      actions: domains.update,
      resources: ANY_RESOURCE,
      conditions: { StringEquals: { [APP_NETWORK_ACCESS_TYPE]: "PublicInternetOnly" } },
    },
    {
      sid: "DenySageMakerComputeWithoutVpcSubnets",
      effect: "Deny",
      actions: SAGEMAKER_VPC_WORKLOAD_ACTIONS,
      resources: ANY_RESOURCE,
      conditions: { Null: { [VPC_SUBNETS]: true } },
    },
    {
      sid: "DenySageMakerEndpointConfigsWithoutModelsOrVpcSubnets",
      effect: "Deny",
      actions: ["sagemaker:CreateEndpointConfig"],
      resources: ANY_RESOURCE,
      conditions: { Null: { [VPC_SUBNETS]: true, [MODEL_ARN]: true } },
    },
    {
      sid: "DenySageMakerNotebooksWithDirectInternetAccess",
      effect: "Deny",
      actions: notebooks.create,
      resources: ANY_RESOURCE,
      conditions: { StringNotEquals: { [DIRECT_INTERNET_ACCESS]: "Disabled" } },
    },
  ];
  if (notebooks.update.length) {
    out.push({
      sid: "DenySageMakerNotebooksToDirectInternetAccess",
      effect: "Deny",
      actions: notebooks.update,
      resources: ANY_RESOURCE,
      conditions: { StringEquals: { [DIRECT_INTERNET_ACCESS]: "Enabled" } },
    });
  }
  return out.filter((st) => st.actions!.length > 0);
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
    description: "mlshare: SageMaker domains are VPC-only; jobs, job definitions, clusters, models and notebooks name VPC subnets",
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
