/**
 * The pipeline's roles as IAM would hold them, read from synthesized stacks: a member
 * account's deploy and plan roles from the StackSet template with its stack instance's
 * parameter overrides, the management account's from its own stack; and one request decided
 * with @cloud-copilot/iam-simulate.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { resolveTemplate } from "./cfn";
import { resourcesOf, Synthesized } from "./synth";

/** A role's name, trust and identity policies (documents). */
export interface RoleView {
  readonly name: string;
  readonly trust: any;
  readonly policies: any[];
  /** The inline policies' names, in the order the role holds them. */
  readonly policyNames: string[];
}

/** The StackSet template of the management stack. */
export function stackSetTemplate(out: Synthesized): any {
  const sets = Object.values<any>(resourcesOf(out, "management", "aws_cloudformation_stack_set"));
  if (sets.length !== 1) throw new Error(`expected one StackSet, found ${sets.length}`);
  return JSON.parse(sets[0].template_body);
}

/** The stack instance of a member account (by id): its parameter overrides. */
export function instanceOverrides(out: Synthesized, accountId: string): Record<string, string> {
  const inst = Object.values<any>(resourcesOf(out, "management", "aws_cloudformation_stack_set_instance")).find((i) => i.deployment_targets.accounts[0] === accountId);
  if (!inst) throw new Error(`no stack instance for account ${accountId}`);
  return inst.parameter_overrides ?? {};
}

/** The roles the StackSet makes in a member account. */
export function memberRoles(out: Synthesized, accountId: string): { deploy: RoleView; plan: RoleView } {
  const r = resolveTemplate(stackSetTemplate(out), { accountId, overrides: instanceOverrides(out, accountId) }).Resources;
  const view = (role: any): RoleView => ({
    name: role.Properties.RoleName,
    trust: role.Properties.AssumeRolePolicyDocument,
    policies: role.Properties.Policies.map((p: any) => p.PolicyDocument),
    policyNames: role.Properties.Policies.map((p: any) => p.PolicyName),
  });
  return { deploy: view(r.DeployRole), plan: view(r.PlanRole) };
}

/** A role of the management stack, by name, with its inline policies. */
export function managementRole(out: Synthesized, name: string): RoleView {
  const roles = resourcesOf(out, "management", "aws_iam_role");
  const id = Object.keys(roles).find((k) => roles[k].name === name);
  if (!id) throw new Error(`no role ${name} in the management stack`);
  const inline = Object.values<any>(resourcesOf(out, "management", "aws_iam_role_policy")).filter((p) => p.role === `\${aws_iam_role.${id}.name}`);
  return { name, trust: JSON.parse(roles[id].assume_role_policy), policies: inline.map((p) => JSON.parse(p.policy)), policyNames: inline.map((p) => p.name) };
}

/** One request: who, what, on which resource, with which context. */
export interface Request {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
}

/**
 * The decision for a request, given the principal's identity policies and the resource's
 * policy (a key policy, a catalog's RAM policy). An S3 bucket ARN holds no account: the
 * bucket is taken as the principal's own.
 */
export async function decide(request: Request, identity: readonly any[], resourcePolicy?: any, orgId = "o-p1p2p3p4p5"): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resource.split(":")[4] || request.principal.split(":")[4] },
        contextVariables: { "aws:SecureTransport": "true", "aws:PrincipalOrgID": orgId, "aws:PrincipalArn": request.principal, ...(request.context ?? {}) },
      },
      identityPolicies: identity.map((policy, i) => ({ name: `p${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
    },
    {},
  );
  // Actions without a resource type (lakeformation:GrantPermissions) answer for "*".
  if (result.resultType === "wildcard") return result.overallResult;
  if (result.resultType !== "single") throw new Error(`unexpected simulation result: ${JSON.stringify(result)}`);
  return result.result.analysis.result;
}

/** A role of an account, asking for one action on one resource (with a context and the resource's policy). */
export const asRole =
  (accountId: string, role: RoleView) =>
  (action: string, resource: string, context: Record<string, string | string[]> = {}, resourcePolicy?: any): Promise<string> =>
    decide({ principal: `arn:aws:iam::${accountId}:role/${role.name}`, action, resource, context }, role.policies, resourcePolicy);
