/**
 * The CloudFormation template (JSON) of the pipeline StackSet: the deploy role and the plan
 * role of a member account. One template serves every member; what differs per account (the
 * deploy role's name, its external id, the parts of the topology it plays and the existing
 * roles it grants to) comes from each stack instance's parameter overrides. Accounts that
 * join a targeted OU later get the defaults: the roles, with the base permissions only,
 * until the topology names them.
 *
 * ARNs are built with Fn::Join and Ref, never Fn::Sub: the template travels inside
 * Terraform JSON, where `${` would be read as a Terraform template.
 */
import { Account, DEFAULT_DEPLOY_ROLE, Pipeline, Topology } from "../config/model";
import { documentJson, PolicyDocument, Statement } from "./document";
import { DATA_LIST_PARAMETERS, DATA_PARTS, DataPart, dataParts, DataResources, dataResources, PART_LISTS } from "./pipeline-data-permissions";
import { deployStatements, memberDeployDenials, PartStatement, PermissionScope, PipelinePart } from "./pipeline-permissions";
import { planStatements } from "./pipeline-plan-permissions";
import { accountRoleTrust } from "./pipeline-trust";
import { policySize, QUOTAS, QuotaError } from "./quotas";

/** The parts a member account's instance switches on, one template parameter each. */
export const MEMBER_PARTS = ["provider", "consumer", "network", "projects", "ram", "existing", "hub"] as const;
/** A part of the deploy policy a member instance can switch on. */
export type MemberPart = (typeof MEMBER_PARTS)[number] | DataPart;

/** The template parameter of a part. */
export function partParameter(part: MemberPart): string {
  return `${part[0].toUpperCase()}${part.slice(1)}Part`;
}

/** Placeholder for the existing role ARNs, replaced by the parameter. */
const EXISTING = "__EXISTING_ROLE_ARNS__";
/** Placeholders of the data parts' lists, each replaced by its parameter. */
const DATA_PLACEHOLDERS = new Map(Object.values(DATA_LIST_PARAMETERS).map((param) => [`__${param}__`, param]));
/** The template parameter a list placeholder stands for, if the value is one. */
const listParameter = (value: string): string | undefined => (value === EXISTING ? "ExistingRoleArns" : DATA_PLACEHOLDERS.get(value));
/** `${X}` placeholders the CloudFormation side replaces with `{ Ref: X }`. */
const PLACEHOLDER = /\$\{([A-Za-z:]+)\}/g;

/** The parts of the deploy policy an account plays in a topology. */
export function accountParts(topology: Topology, account: Account): Set<PipelinePart> {
  const key = account.key;
  const parts = new Set<PipelinePart>(["base"]);
  if (account.roles.includes("provider")) parts.add("provider");
  const domain = topology.sagemakerDomains.some((d) => d.account === key);
  const projects = topology.mlProjects.some((p) => p.accounts.some((a) => a.account === key));
  if (domain || projects) parts.add("consumer");
  if (domain || (projects && account.network)) parts.add("network");
  if (projects) parts.add("projects");
  if (topology.ramShares.some((r) => r.account === key)) parts.add("ram");
  if (existingRoles(topology, key).length) parts.add("existing");
  if (key === topology.organization.managementAccount) parts.add("management");
  if (topology.pipeline && key === topology.pipeline.account) parts.add("hub");
  for (const part of dataParts(dataResources(topology, account))) parts.add(part);
  return parts;
}

/** The roles of an account that exist already and that the topology grants to (not `sagemaker`). */
export function existingRoles(topology: Topology, key: string): string[] {
  const names = new Set<string>();
  for (const d of topology.datasets) for (const c of d.consumers) if (c.account === key) for (const r of c.roles) if (r !== "sagemaker") names.add(r);
  // Lake Formation tables grant to roles the same way (read defensively: tables is optional).
  const tables = (topology as { readonly tables?: readonly { readonly consumers: readonly { readonly account: string; readonly roles: readonly string[] }[] }[] }).tables ?? [];
  for (const t of tables) for (const c of t.consumers) if (c.account === key) for (const r of c.roles) if (r !== "sagemaker") names.add(r);
  return [...names].sort();
}

/** The scope of the member template: everything per account is a CloudFormation reference. */
function memberScope(topology: Topology): PermissionScope {
  const role = (param: string) => `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/\${${param}}`;
  return {
    project: topology.project,
    partition: "${AWS::Partition}",
    accountId: "${AWS::AccountId}",
    region: "*",
    existingRoleArns: [EXISTING],
    pipelineRoleArns: [role("DeployRoleName"), role("PlanRoleName")],
    oidcProviderArns: oidcHosts(topology.pipeline!).map((h) => `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:oidc-provider/${h}`),
    stackSetName: "",
    stateBucketArn: topology.state.backend === "s3" ? `arn:\${AWS::Partition}:s3:::${topology.state.bucket}` : undefined,
    data: Object.fromEntries(Object.entries(DATA_LIST_PARAMETERS).map(([list, param]) => [list, [`__${param}__`]])) as unknown as DataResources,
  };
}

/**
 * The parts the member template switches: every member part, and the data parts only when a
 * member account of the topology plays them, so a topology without existing data or tables
 * has the same template as before they existed.
 */
export function templateParts(topology: Topology): MemberPart[] {
  const played = new Set<DataPart>();
  for (const a of topology.accounts) if (a.key !== topology.organization.managementAccount) for (const p of dataParts(dataResources(topology, a))) played.add(p);
  return [...MEMBER_PARTS, ...DATA_PARTS.filter((p) => played.has(p))];
}

/** CloudFormation's largest parameter value, in bytes (a stack instance's override included). */
export const PARAMETER_VALUE_LIMIT = 4096;

/** The OIDC hosts of the pipeline's CI systems. */
export function oidcHosts(p: Pipeline): string[] {
  return [...(p.github ? ["token.actions.githubusercontent.com"] : []), ...(p.terraformCloud ? [p.terraformCloud.hostname] : [])];
}

/** Checks statements through the policy model (known actions, Sids), then renders them. */
function checked(name: string, statements: readonly Statement[]): Record<string, unknown> {
  const doc = new PolicyDocument(name, "identity");
  for (const s of statements) doc.add(s);
  return doc.toJson();
}

/** Replaces `${X}` placeholders with Fn::Join/Ref, and the existing-roles placeholder with its parameter. */
function toCfn(value: unknown): unknown {
  if (typeof value === "string") {
    const list = listParameter(value);
    if (list) return { Ref: list };
    if (!PLACEHOLDER.test(value)) return value;
    PLACEHOLDER.lastIndex = 0;
    const parts: unknown[] = [];
    let last = 0;
    for (const m of value.matchAll(PLACEHOLDER)) {
      if (m.index! > last) parts.push(value.slice(last, m.index));
      parts.push({ Ref: m[1] });
      last = m.index! + m[0].length;
    }
    if (last < value.length) parts.push(value.slice(last));
    return { "Fn::Join": ["", parts] };
  }
  if (Array.isArray(value)) {
    const list = value.length === 1 && typeof value[0] === "string" ? listParameter(value[0]) : undefined;
    if (list) return { Ref: list };
    return value.map(toCfn);
  }
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCfn(v)]));
  return value;
}

/** One inline policy per part of the template; a part other than base only where its condition holds. */
function partPolicies(prefix: string, statements: readonly PartStatement[], parts: readonly MemberPart[], extra: readonly Statement[] = []): unknown[] {
  const byPart = new Map<PipelinePart, Statement[]>();
  for (const s of statements) if ((parts as readonly string[]).includes(s.part) || s.part === "base") byPart.set(s.part, [...(byPart.get(s.part) ?? []), s.statement]);
  const out: unknown[] = [];
  for (const [part, list] of byPart) {
    const all = part === "base" ? [...list, ...extra] : list;
    const policy = { PolicyName: `${prefix}-${part}`, PolicyDocument: toCfn(checked(`${prefix} ${part}`, all)) };
    out.push(part === "base" ? policy : { "Fn::If": [`${partParameter(part as MemberPart)}On`, policy, { Ref: "AWS::NoValue" }] });
  }
  return out;
}

/** A trust policy with the external id when the instance gives one. */
function trust(ciRoleArn: string, orgId: string): unknown {
  const doc = (externalId?: string) => toCfn(documentJson(accountRoleTrust(ciRoleArn, orgId, externalId)));
  return { "Fn::If": ["HasExternalId", doc("${DeployExternalId}"), doc()] };
}

/** The StackSet template for a topology with `pipeline`. */
export function pipelineRolesTemplate(topology: Topology): Record<string, unknown> {
  const p = topology.pipeline!;
  const scope = memberScope(topology);
  const parts = templateParts(topology);
  const flag = (description: string) => ({ Type: "String", AllowedValues: ["true", "false"], Default: "false", Description: description });
  const parameters: Record<string, unknown> = {
    DeployRoleName: { Type: "String", Default: DEFAULT_DEPLOY_ROLE, Description: "The account's deployRole" },
    PlanRoleName: { Type: "String", Default: p.planRole, Description: "pipeline.planRole" },
    DeployExternalId: { Type: "String", Default: "", Description: "The account's deployExternalId (empty: none)" },
    ExistingRoleArns: { Type: "CommaDelimitedList", Default: "", Description: "Existing roles of the account the topology grants to" },
  };
  const conditions: Record<string, unknown> = {
    HasExternalId: { "Fn::Not": [{ "Fn::Equals": [{ Ref: "DeployExternalId" }, ""] }] },
  };
  for (const part of MEMBER_PARTS) {
    parameters[partParameter(part)] = flag(`The account plays the ${part} part of the topology`);
    conditions[`${partParameter(part)}On`] = { "Fn::Equals": [{ Ref: partParameter(part) }, "true"] };
  }
  // The data parts, only when a member plays them: each with its lists and its flag.
  for (const part of parts) {
    if (!(DATA_PARTS as readonly string[]).includes(part)) continue;
    for (const list of PART_LISTS[part as DataPart]) {
      const param = DATA_LIST_PARAMETERS[list];
      parameters[param] ??= { Type: "CommaDelimitedList", Default: "", Description: DATA_LIST_DESCRIPTIONS[list] };
    }
    parameters[partParameter(part)] = flag(`The account plays the ${part} part of the topology`);
    conditions[`${partParameter(part)}On`] = { "Fn::Equals": [{ Ref: partParameter(part) }, "true"] };
  }
  const tags = [{ Key: "ManagedBy", Value: "mlshare" }];
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `mlshare ${topology.project}: the deploy and plan roles that the pipeline's CI roles assume`,
    Parameters: parameters,
    Conditions: conditions,
    Resources: {
      DeployRole: {
        Type: "AWS::IAM::Role",
        Properties: {
          RoleName: { Ref: "DeployRoleName" },
          Description: `mlshare ${topology.project}: applies this account's stack; assumed by ${p.ciApplyRole} only`,
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: trust(p.ciApplyRoleArn, topology.organization.id),
          Policies: partPolicies(`${topology.project}-deploy`, deployStatements(scope), parts, memberDeployDenials(scope)),
          Tags: tags,
        },
      },
      PlanRole: {
        Type: "AWS::IAM::Role",
        Properties: {
          RoleName: { Ref: "PlanRoleName" },
          Description: `mlshare ${topology.project}: plans this account's stack, reads configuration only; assumed by ${p.ciPlanRole} only`,
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: trust(p.ciPlanRoleArn, topology.organization.id),
          Policies: partPolicies(`${topology.project}-plan`, planStatements(scope), parts),
          Tags: tags,
        },
      },
    },
  };
}

/** The parameter overrides of a member account's stack instance. */
export function memberParameters(topology: Topology, account: Account): Record<string, string> {
  const parts = accountParts(topology, account);
  const out: Record<string, string> = {};
  if (account.deployRole !== DEFAULT_DEPLOY_ROLE) out.DeployRoleName = account.deployRole;
  if (account.deployExternalId) out.DeployExternalId = account.deployExternalId;
  for (const part of MEMBER_PARTS) if (parts.has(part)) out[partParameter(part)] = "true";
  const existing = existingRoles(topology, account.key);
  if (existing.length) out.ExistingRoleArns = existing.map((r) => `arn:${account.partition}:iam::${account.id}:role/${r}`).join(",");
  const data = dataResources(topology, account);
  for (const part of dataParts(data)) {
    out[partParameter(part)] = "true";
    for (const list of PART_LISTS[part]) out[DATA_LIST_PARAMETERS[list]] = data[list].join(",");
  }
  for (const [param, value] of Object.entries(out)) {
    const size = Buffer.byteLength(value, "utf8");
    if (size > PARAMETER_VALUE_LIMIT) {
      throw new Error(
        `pipeline: the StackSet parameter ${param} of account ${account.key} is ${size} bytes, over CloudFormation's ${PARAMETER_VALUE_LIMIT} for a parameter value (a quota AWS does not raise): ` +
          "it lists the names the topology gives that account; share fewer existing roles, adopted buckets or tables with it, or split them among accounts",
      );
    }
  }
  return out;
}

/**
 * The sizes (as IAM counts them) of a member's deploy and plan roles' inline policies
 * together, as CloudFormation will make them in that account with every parameter filled in.
 */
export function memberRoleSizes(topology: Topology, account: Account): { readonly deploy: number; readonly plan: number } {
  // The template's own documents, placeholders and all, filled in as CloudFormation fills
  // them: a list parameter becomes a JSON array (even of one), ${X} its value.
  const scope = memberScope(topology);
  const data = dataResources(topology, account);
  const lists: Record<string, readonly string[]> = {
    ExistingRoleArns: existingRoles(topology, account.key).map((r) => `arn:${account.partition}:iam::${account.id}:role/${r}`),
    ...Object.fromEntries(Object.entries(DATA_LIST_PARAMETERS).map(([list, param]) => [param, data[list as keyof DataResources]])),
  };
  const scalars: Record<string, string> = {
    "AWS::Partition": account.partition,
    "AWS::AccountId": account.id,
    DeployRoleName: account.deployRole,
    PlanRoleName: topology.pipeline!.planRole,
  };
  const fill = (text: string) =>
    text
      .replace(/\["(__\w+__)"\]|"(__\w+__)"/g, (m, inArray?: string, alone?: string) => {
        const param = listParameter(inArray ?? alone!);
        return param ? JSON.stringify(lists[param]) : m;
      })
      .replace(PLACEHOLDER, (m, name: string) => scalars[name] ?? m);
  const parts = accountParts(topology, account);
  const sizeOf = (statements: readonly PartStatement[], extra: readonly Statement[]) => {
    let total = 0;
    for (const part of parts) {
      if (part !== "base" && !(MEMBER_PARTS as readonly string[]).includes(part) && !(DATA_PARTS as readonly string[]).includes(part)) continue;
      const list = statements.filter((s) => s.part === part).map((s) => s.statement);
      if (part === "base") list.push(...extra);
      if (list.length) total += policySize("role-inline", fill(JSON.stringify(checked(part, list))));
    }
    return total;
  };
  return { deploy: sizeOf(deployStatements(scope), memberDeployDenials(scope)), plan: sizeOf(planStatements(scope), []) };
}

/**
 * Holds a member's pipeline roles to IAM's quota for a role's inline policies together: the
 * lists of existing roles, adopted data and table names grow with the topology, and a stack
 * instance over it would fail only when AWS makes the role.
 */
export function checkMemberRoleSizes(topology: Topology, account: Account): void {
  const sizes = memberRoleSizes(topology, account);
  const quota = QUOTAS["role-inline"];
  const names = { deploy: account.deployRole, plan: topology.pipeline!.planRole };
  for (const which of ["deploy", "plan"] as const) {
    if (sizes[which] > quota.limit) {
      const fix = "name fewer existing roles, adopted buckets and keys or shared tables in that account (the role's policies list each of them)";
      throw new QuotaError(`the inline policies of the ${which} role ${names[which]} of account ${account.key} (pipeline StackSet)`, sizes[which], quota, quota.limit, fix);
    }
  }
}

/** What each list parameter of the template holds. */
const DATA_LIST_DESCRIPTIONS: Readonly<Record<keyof DataResources, string>> = {
  adoptedBucketArns: "Existing buckets of the account whose policy the topology adopts",
  adoptedKeyArns: "Existing keys of the account whose policy the topology adopts",
  tableShareArns: "Glue catalog, databases and tables the account shares through Lake Formation",
  tableLinkArns: "The account's resource link databases (and the catalog and table names Glue authorizes on)",
  sharedTableArns: "The providers' catalogs, databases and tables the account's resource links reach",
};
