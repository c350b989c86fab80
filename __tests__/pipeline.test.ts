/**
 * `pipeline`: validation with paths, the StackSet and the hub (cdktf matchers), the provider
 * switch by `mlshare_phase` in every stack, pipeline-less output untouched, and who may
 * assume and do what, with @cloud-copilot/iam-simulate over the synthesized JSON and the
 * StackSet template.
 */
import * as fs from "fs";
import * as path from "path";
import { CloudformationStackSet } from "@cdktf/provider-aws/lib/cloudformation-stack-set";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { loadTopology } from "../config/load";
import { reviewDirectory } from "../review/review";
import { validateStacks } from "./helpers/terraform";
import { resolveTemplate } from "./helpers/cfn";
import { decide as decideIn, Request } from "./helpers/pipeline-roles";
import { resourcesOf, stackText, synthInput } from "./helpers/synth";
import { problemsOf, referenceInput } from "./helpers/topology";

const EXAMPLES = path.join(__dirname, "..", "examples");
const out = synthInput(loadTopology(path.join(EXAMPLES, "pipeline.yaml")));
const ORG = "o-p1p2p3p4p5";
const HUB = "710000000001";
const CI_PLAN = `arn:aws:iam::${HUB}:role/acme-pipe-ci-plan`;
const CI_APPLY = `arn:aws:iam::${HUB}:role/acme-pipe-ci-apply`;
const MEMBERS: Record<string, { id: string; deploy: string; externalId?: string }> = {
  "data-lake": { id: "710000000002", deploy: "lake-deploy", externalId: "acme-lake" },
  "ml-dev": { id: "710000000003", deploy: "mlshare-deploy" },
  "ml-prod": { id: "710000000004", deploy: "mlshare-deploy" },
};

function withPipeline(pipeline: unknown = { github: { repository: "acme/ml-platform" } }): any {
  const input = referenceInput();
  input.accounts.management.deployRole = "mlshare-deploy";
  input.pipeline = pipeline;
  return input;
}

describe("validation: every error names its path", () => {
  test("the reference topology with a pipeline is valid", () => {
    expect(problemsOf(withPipeline())).toEqual([]);
  });

  test.each([
    ["no CI system", {}, /^pipeline: names no CI system/],
    ["a repository that is not owner/name", { github: { repository: "ml-platform" } }, /^pipeline\.github\.repository: must be owner\/name/],
    ["a ref that is not a full ref", { github: { repository: "a/b", applyRef: "main" } }, /^pipeline\.github\.applyRef: must be a full ref/],
    ["terraformCloud with S3 state", { terraformCloud: { organization: "acme" } }, /^pipeline\.terraformCloud: needs state\.backend: cloud/],
    ["an unknown hub", { account: "nope", github: { repository: "a/b" } }, /^pipeline\.account: unknown account "nope"/],
    ["a hub that is not the state account", { account: "data-lake", github: { repository: "a/b" } }, /^pipeline\.account: the hub account "data-lake" is not the state account "management"/],
    ["a plan role named like a deploy role", { planRole: "mlshare-deploy", github: { repository: "a/b" } }, /^pipeline\.planRole: the plan role "mlshare-deploy" and the deploy role/],
    ["an unknown key", { github: { repository: "a/b", branch: "main" } }, /^pipeline\.github\.branch: unknown key "branch"/],
  ])("%s", (_name, pipeline, message) => {
    const problems = problemsOf(withPipeline(pipeline));
    expect(problems.some((p) => message.test(p))).toBe(true);
  });

  test("OrganizationAccountAccessRole as a deploy role is refused with pipeline, and only then", () => {
    const input = withPipeline();
    input.accounts.management.deployRole = "OrganizationAccountAccessRole";
    expect(problemsOf(input)).toEqual([expect.stringMatching(/^accounts\.management\.deployRole: "OrganizationAccountAccessRole" is the role AWS Organizations makes/)]);
    delete input.pipeline;
    expect(problemsOf(input)).toEqual([]);
  });

  test("accounts outside every OU need the root id", () => {
    const input = withPipeline();
    delete input.organization.rootId;
    input.organization.guardrails = input.organization.guardrails.filter((g: any) => !g.targets.includes("root"));
    expect(problemsOf(input)).toContainEqual(expect.stringMatching(/^organization\.rootId: is required with pipeline: .*"data-lake"/));
  });
});

describe("validation: Terraform Cloud trusts only the topology's own workspaces", () => {
  const cloud = (terraformCloud: unknown, state: Record<string, unknown> = {}) => {
    const input = withPipeline({ account: "management", terraformCloud });
    input.state = { backend: "cloud", organization: "acme", workspacePrefix: "ml-sharing-", ...state };
    return problemsOf(input);
  };

  test("accepts the state's organization and host", () => {
    expect(cloud({ organization: "acme" })).toEqual([]);
    expect(cloud({ organization: "acme", hostname: "tfe.acme.internal" }, { hostname: "tfe.acme.internal" })).toEqual([]);
  });

  test("refuses another organization: its workspaces of the same names would get the CI roles", () => {
    expect(cloud({ organization: "someone-else" })).toEqual([
      'pipeline.terraformCloud.organization: "someone-else" is not the organization of the topology\'s workspaces (state.organization "acme"): the CI roles would trust runs of another organization\'s workspaces of the same names; use "acme"',
    ]);
  });

  test("refuses another host, a left-out one included", () => {
    expect(cloud({ organization: "acme" }, { hostname: "tfe.acme.internal" })).toEqual([
      'pipeline.terraformCloud.hostname: "app.terraform.io" (the default) is not the host of the topology\'s workspaces (state.hostname "tfe.acme.internal"): the CI roles would trust another host\'s runs; use "tfe.acme.internal"',
    ]);
    expect(cloud({ organization: "acme", hostname: "tfe.acme.internal" })).toEqual([
      'pipeline.terraformCloud.hostname: "tfe.acme.internal" is not the host of the topology\'s workspaces (state.hostname "app.terraform.io", the default): the CI roles would trust another host\'s runs; use "app.terraform.io"',
    ]);
  });
});

describe("the StackSet and the hub (cdktf matchers)", () => {
  const management = stackText(out, "management");

  test("a service-managed StackSet with auto-deployment makes the roles", () => {
    expect(management).toHaveResourceWithProperties(CloudformationStackSet, {
      name: "acme-pipe-pipeline-roles",
      permission_model: "SERVICE_MANAGED",
      auto_deployment: { enabled: true, retain_stacks_on_account_removal: false },
      capabilities: ["CAPABILITY_NAMED_IAM"],
    });
  });

  test("its instances cover every member account of the topology, each through its OU or the root", () => {
    const instances = Object.values(resourcesOf(out, "management", "aws_cloudformation_stack_set_instance"));
    const targeted = instances.map((i: any) => i.deployment_targets.accounts).flat().sort();
    expect(targeted).toEqual(Object.values(MEMBERS).map((m) => m.id).sort());
    for (const i of instances as any[]) expect(i.deployment_targets.account_filter_type).toBe("INTERSECTION");
    const lake = (instances as any[]).find((i) => i.deployment_targets.accounts[0] === MEMBERS["data-lake"].id);
    expect(lake.deployment_targets.organizational_unit_ids).toEqual(["r-p1p2"]);
    expect(lake.parameter_overrides).toMatchObject({ DeployRoleName: "lake-deploy", DeployExternalId: "acme-lake", ProviderPart: "true" });
  });

  test("the hub has GitHub's OIDC provider and the two CI roles", () => {
    expect(management).toHaveResourceWithProperties(IamOpenidConnectProvider, { url: "https://token.actions.githubusercontent.com", client_id_list: ["sts.amazonaws.com"] });
    expect(management).toHaveResourceWithProperties(IamRole, { name: "acme-pipe-ci-plan" });
    expect(management).toHaveResourceWithProperties(IamRole, { name: "acme-pipe-ci-apply" });
    expect(management).toHaveResourceWithProperties(IamRole, { name: "mlshare-deploy" });
    expect(management).toHaveResourceWithProperties(IamRole, { name: "mlshare-plan" });
    expect(Object.keys(out.stacks.management.output ?? {})).toEqual(expect.arrayContaining([expect.stringContaining("pipeline_hub"), expect.stringContaining("pipeline_roles")]));
  });

  test("every stack has mlshare_phase (default apply) and providers that switch between the plan and the deploy role", () => {
    for (const [name, stack] of Object.entries<any>(out.stacks)) {
      expect({ name, variable: stack.variable?.mlshare_phase?.default }).toEqual({ name, variable: "apply" });
      const account = name === "bootstrap" ? "management" : name;
      const id = account === "management" ? HUB : MEMBERS[account].id;
      const deploy = account === "management" ? "mlshare-deploy" : MEMBERS[account].deploy;
      for (const p of stack.provider.aws) {
        const arn: string = p.assume_role[0].role_arn;
        expect(arn).toContain(`var.mlshare_phase == "plan"`);
        expect(arn).toContain(`"arn:aws:iam::${id}:role/mlshare-plan"`);
        expect(arn).toContain(`"arn:aws:iam::${id}:role/${deploy}"`);
        expect(p.allowed_account_ids).toEqual([id]);
      }
      expect(stackText(out, name)).toHaveProvider(AwsProvider);
    }
  });
});

describe("a topology without pipeline synthesizes as before", () => {
  // What this proves: no stack of a pipeline-less example mentions the phase variable or
  // makes a pipeline resource, and every provider assumes the literal deploy role ARN (the
  // form before pipeline existed). A byte-for-byte comparison with the output of the code
  // before pipeline was made once by hand when it was added (identical but for the
  // bootstrap's machine-dependent state path); the output of other features changes with
  // them, so no frozen copy is kept here.
  const examples = fs.readdirSync(EXAMPLES).filter((f) => /\.ya?ml$/.test(f) && f !== "pipeline.yaml");
  test.each(examples)("%s", (file) => {
    const topology = loadTopology(path.join(EXAMPLES, file));
    expect(topology.pipeline).toBeUndefined();
    const s = synthInput(topology);
    for (const [name, stack] of Object.entries<any>(s.stacks)) {
      const text = JSON.stringify(stack);
      expect({ name, phase: text.includes("mlshare_phase"), variable: stack.variable }).toEqual({ name, phase: false, variable: undefined });
      for (const type of ["aws_cloudformation_stack_set", "aws_cloudformation_stack_set_instance", "aws_iam_openid_connect_provider"]) expect(stack.resource?.[type]).toBeUndefined();
      const account = name === "bootstrap" ? topology.accounts.find((a) => a.key === (topology.state as any).account)! : topology.accounts.find((a) => a.key === name)!;
      for (const p of stack.provider.aws) if (p.alias !== "management" || name === account.key || name === "bootstrap") {
        expect(p.assume_role[0].role_arn).toMatch(/^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_-]+$/);
      }
    }
  });
});

// ---- iam-simulate over the synthesized JSON and the StackSet template ----

const template = JSON.parse(Object.values<any>(resourcesOf(out, "management", "aws_cloudformation_stack_set"))[0].template_body);
const instances = Object.values<any>(resourcesOf(out, "management", "aws_cloudformation_stack_set_instance"));

/** The roles the StackSet makes in a member account, as IAM would hold them. */
function memberRoles(key: string) {
  const id = MEMBERS[key].id;
  const inst = instances.find((i) => i.deployment_targets.accounts[0] === id);
  const r = resolveTemplate(template, { accountId: id, overrides: inst.parameter_overrides ?? {} }).Resources;
  const policies = (role: any) => role.Properties.Policies.map((p: any) => p.PolicyDocument);
  return {
    deploy: { name: r.DeployRole.Properties.RoleName, trust: r.DeployRole.Properties.AssumeRolePolicyDocument, policies: policies(r.DeployRole) },
    plan: { name: r.PlanRole.Properties.RoleName, trust: r.PlanRole.Properties.AssumeRolePolicyDocument, policies: policies(r.PlanRole) },
  };
}

/** The management account's own roles, from its stack. */
function managementRoles() {
  const roles = Object.values<any>(resourcesOf(out, "management", "aws_iam_role"));
  const inline = Object.values<any>(resourcesOf(out, "management", "aws_iam_role_policy"));
  const of = (name: string) => {
    const role = roles.find((r) => r.name === name);
    const id = Object.keys(resourcesOf(out, "management", "aws_iam_role")).find((k) => resourcesOf(out, "management", "aws_iam_role")[k] === role)!;
    return { name, trust: JSON.parse(role.assume_role_policy), policies: inline.filter((p) => p.role === `\${aws_iam_role.${id}.name}`).map((p) => JSON.parse(p.policy)) };
  };
  return { deploy: of("mlshare-deploy"), plan: of("mlshare-plan"), ciPlan: of("acme-pipe-ci-plan"), ciApply: of("acme-pipe-ci-apply") };
}

/** The decision for a request (helpers/pipeline-roles.ts), in this topology's organization. */
const decide = (request: Request, identity: readonly any[], resourcePolicy?: any) => decideIn(request, identity, resourcePolicy, ORG);

describe("who may assume the account roles (iam-simulate)", () => {
  const mgmt = managementRoles();
  const other = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }] };
  const targets = [
    ...Object.keys(MEMBERS).map((key) => ({ key, id: MEMBERS[key].id, roles: memberRoles(key), externalId: MEMBERS[key].externalId })),
    { key: "management", id: HUB, roles: { deploy: mgmt.deploy, plan: mgmt.plan }, externalId: undefined },
  ];
  const assume = (principal: string, identity: any[], id: string, role: { name: string; trust: any }, externalId?: string) =>
    decide({ principal, action: "sts:AssumeRole", resource: `arn:aws:iam::${id}:role/${role.name}`, context: externalId ? { "sts:ExternalId": externalId } : {} }, identity, role.trust);

  test.each(targets.map((t) => [t.key, t] as const))("%s: the apply CI role assumes the deploy role only, the plan CI role the plan role only", async (_k, t) => {
    expect(await assume(CI_APPLY, mgmt.ciApply.policies, t.id, t.roles.deploy, t.externalId)).toBe("Allowed");
    expect(await assume(CI_PLAN, mgmt.ciPlan.policies, t.id, t.roles.plan, t.externalId)).toBe("Allowed");
    expect(await assume(CI_PLAN, mgmt.ciPlan.policies, t.id, t.roles.deploy, t.externalId)).not.toBe("Allowed");
    // Even a CI role whose own policy allowed it is refused by the trust.
    expect(await assume(CI_PLAN, [other], t.id, t.roles.deploy, t.externalId)).not.toBe("Allowed");
    expect(await assume(CI_APPLY, mgmt.ciApply.policies, t.id, t.roles.plan, t.externalId)).not.toBe("Allowed");
  });

  test.each(targets.map((t) => [t.key, t] as const))("%s: another role of the hub, or a CI role name outside the organization, assumes neither", async (_k, t) => {
    for (const role of [t.roles.deploy, t.roles.plan]) {
      expect(await assume(`arn:aws:iam::${HUB}:role/acme-pipe-other`, [other], t.id, role, t.externalId)).not.toBe("Allowed");
      expect(
        await decide({ principal: CI_APPLY, action: "sts:AssumeRole", resource: `arn:aws:iam::${t.id}:role/${role.name}`, context: { "aws:PrincipalOrgID": "o-zzzzzzzzzz", ...(t.externalId ? { "sts:ExternalId": t.externalId } : {}) } }, [other], role.trust),
      ).not.toBe("Allowed");
    }
  });

  test("the data-lake deploy role needs its external id", async () => {
    const t = targets.find((x) => x.key === "data-lake")!;
    expect(await assume(CI_APPLY, mgmt.ciApply.policies, t.id, t.roles.deploy)).not.toBe("Allowed");
    expect(await assume(CI_APPLY, mgmt.ciApply.policies, t.id, t.roles.deploy, "wrong")).not.toBe("Allowed");
  });
});

describe("what the plan role may do: configuration, never data (iam-simulate)", () => {
  const LAKE = MEMBERS["data-lake"].id;
  const plan = memberRoles("data-lake").plan;
  const planArn = `arn:aws:iam::${LAKE}:role/mlshare-plan`;
  const bucket = `arn:aws:s3:::acme-pipe-data-${LAKE}-eu-west-1`;
  const key = `arn:aws:kms:eu-west-1:${LAKE}:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0`;
  // The dataset key's own policy, as synthesized: KMS needs it to delegate to IAM policies.
  const keyPolicy = JSON.parse(Object.values<any>(resourcesOf(out, "data-lake", "aws_kms_key"))[0].policy);
  const can = (action: string, resource: string) => decide({ principal: planArn, action, resource }, plan.policies, resource.includes(":kms:") ? keyPolicy : undefined);

  test("reads bucket and key policies and roles", async () => {
    expect({ s3: await can("s3:GetBucketPolicy", bucket), kms: await can("kms:GetKeyPolicy", key), iam: await can("iam:GetRole", `arn:aws:iam::${LAKE}:role/acme-pipe-claims-reader`) }).toEqual({
      s3: "Allowed",
      kms: "Allowed",
      iam: "Allowed",
    });
  });

  test("is denied dataset objects and decryption with the dataset key, explicitly", async () => {
    expect(await can("s3:GetObject", `${bucket}/claims/part-0.parquet`)).toBe("ExplicitlyDenied");
    expect(await can("s3:GetObjectVersion", `${bucket}/claims/part-0.parquet`)).toBe("ExplicitlyDenied");
    expect(await can("kms:Decrypt", key)).toBe("ExplicitlyDenied");
  });

  test("writes nothing", async () => {
    expect(await can("s3:PutBucketPolicy", bucket)).not.toBe("Allowed");
    expect(await can("s3:PutObject", `${bucket}/claims/x`)).not.toBe("Allowed");
    expect(await can("kms:PutKeyPolicy", key)).not.toBe("Allowed");
    expect(await can("iam:PutRolePolicy", `arn:aws:iam::${LAKE}:role/acme-pipe-x`)).not.toBe("Allowed");
  });

  test("the management account's plan role is denied the same data", async () => {
    const m = managementRoles().plan;
    const arn = `arn:aws:iam::${HUB}:role/mlshare-plan`;
    expect(await decide({ principal: arn, action: "s3:GetObject", resource: "arn:aws:s3:::acme-pipe-tfstate/ml-sharing/x.tfstate" }, m.policies)).toBe("ExplicitlyDenied");
    expect(await decide({ principal: arn, action: "organizations:DescribeOrganization", resource: "*" }, m.policies)).toBe("Allowed");
    expect(await decide({ principal: arn, action: "organizations:CreatePolicy", resource: "*" }, m.policies)).not.toBe("Allowed");
  });
});

describe("what the deploy role may do: mlshare's names only (iam-simulate)", () => {
  const PROD = MEMBERS["ml-prod"].id;
  const DEV = MEMBERS["ml-dev"].id;
  const prod = memberRoles("ml-prod").deploy;
  const dev = memberRoles("ml-dev").deploy;
  const as = (id: string, role: { name: string; policies: any[] }) => (action: string, resource: string, context: Record<string, string> = {}) =>
    decide({ principal: `arn:aws:iam::${id}:role/${role.name}`, action, resource, context }, role.policies);

  test("writes mlshare's roles and grants to the existing roles the topology names in that account", async () => {
    expect(await as(PROD, prod)("iam:PutRolePolicy", `arn:aws:iam::${PROD}:role/batch-scoring`)).toBe("Allowed");
    expect(await as(DEV, dev)("iam:PutRolePolicy", `arn:aws:iam::${DEV}:role/batch-scoring`)).not.toBe("Allowed");
    expect(await as(DEV, dev)("iam:CreateRole", `arn:aws:iam::${DEV}:role/acme-pipe-sm-alice`)).toBe("Allowed");
    expect(await as(DEV, dev)("iam:CreateRole", `arn:aws:iam::${DEV}:role/admin`)).not.toBe("Allowed");
  });

  test("attaches mlshare's policies only, never AdministratorAccess", async () => {
    const role = `arn:aws:iam::${PROD}:role/batch-scoring`;
    expect(await as(PROD, prod)("iam:AttachRolePolicy", role, { "iam:PolicyARN": `arn:aws:iam::${PROD}:policy/acme-pipe-grants-batch-scoring-1` })).toBe("Allowed");
    expect(await as(PROD, prod)("iam:AttachRolePolicy", role, { "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" })).not.toBe("Allowed");
  });

  test("never changes its own trust or the plan role", async () => {
    expect(await as(DEV, dev)("iam:UpdateAssumeRolePolicy", `arn:aws:iam::${DEV}:role/mlshare-deploy`)).toBe("ExplicitlyDenied");
    expect(await as(DEV, dev)("iam:PutRolePolicy", `arn:aws:iam::${DEV}:role/mlshare-plan`)).toBe("ExplicitlyDenied");
  });

  test("the parts follow the topology: buckets only where the account provides, SageMaker only where it consumes", async () => {
    const lake = memberRoles("data-lake").deploy;
    const LAKE = MEMBERS["data-lake"].id;
    expect(await as(LAKE, lake)("s3:PutBucketPolicy", `arn:aws:s3:::acme-pipe-data-${LAKE}-eu-west-1`)).toBe("Allowed");
    expect(await as(LAKE, lake)("s3:PutBucketPolicy", "arn:aws:s3:::someone-elses-bucket")).not.toBe("Allowed");
    expect(await as(DEV, dev)("s3:PutBucketPolicy", `arn:aws:s3:::acme-pipe-data-${DEV}-eu-west-1`)).not.toBe("Allowed");
    expect(await as(DEV, dev)("sagemaker:CreateDomain", `arn:aws:sagemaker:eu-west-1:${DEV}:domain/d-x`)).toBe("Allowed");
    expect(await as(LAKE, lake)("sagemaker:CreateDomain", `arn:aws:sagemaker:eu-west-1:${LAKE}:domain/d-x`)).not.toBe("Allowed");
  });

  test("leaves the state bucket's settings to the bootstrap stack, though its name starts with the project", async () => {
    const mgmt = managementRoles().deploy;
    const state = "arn:aws:s3:::acme-pipe-tfstate";
    expect(await as(HUB, mgmt)("s3:PutBucketPolicy", state)).toBe("ExplicitlyDenied");
    expect(await as(DEV, dev)("s3:PutBucketPolicy", state)).toBe("ExplicitlyDenied");
    // A bucket of mlshare's in another account is out of reach too (the account id is in the pattern).
    expect(await as(HUB, mgmt)("s3:PutBucketPolicy", `arn:aws:s3:::acme-pipe-data-${MEMBERS["data-lake"].id}-eu-west-1`)).not.toBe("Allowed");
  });

  test("no AWS managed policy anywhere: every policy of the pipeline roles is mlshare's own", () => {
    const text = JSON.stringify(out.stacks.management);
    expect(text).not.toMatch(/AdministratorAccess|ReadOnlyAccess/);
  });
});

test("the access review of the pull-request workflow finds nothing in the pipeline's roles", async () => {
  const review = await reviewDirectory(out.outdir);
  // The example's existing data brings the review's two notices about statements that live
  // outside mlshare (the adopted policies, the owner's pending step); nothing else.
  expect(review.findings.map((f: any) => `${f.severity} ${f.rule ?? f.id ?? ""} ${f.resource ?? ""}`)).toEqual([
    "low EXISTING_DATA_ADOPTED data-lake/claims-archive",
    "low EXISTING_DATA_PENDING_OWNER data-lake/telemetry",
  ]);
});

describe("Terraform Cloud, with the hub in a member account", () => {
  const input = referenceInput();
  input.accounts.management.deployRole = "mlshare-deploy";
  input.state = { backend: "cloud", organization: "acme", workspacePrefix: "ml-sharing-" };
  input.pipeline = { account: "data-lake", terraformCloud: { organization: "acme" }, github: { repository: "acme/ml-platform" } };
  const tfc = synthInput(input);

  test("the hub's stack lists, per workspace, the variables to set", () => {
    const output = Object.entries<any>(tfc.stacks["data-lake"].output ?? {}).find(([k]) => k.includes("terraform_cloud_workspace_variables"))![1].value;
    expect(Object.keys(output).sort()).toEqual(tfc.topology.accounts.map((a) => `ml-sharing-${a.key}`).sort());
    expect(output["ml-sharing-ml-dev"]).toEqual({
      env: {
        TFC_AWS_PROVIDER_AUTH: "true",
        TFC_AWS_PLAN_ROLE_ARN: "arn:aws:iam::222222222222:role/acme-ml-ci-plan",
        TFC_AWS_APPLY_ROLE_ARN: "arn:aws:iam::222222222222:role/acme-ml-ci-apply",
      },
      terraform: { mlshare_phase: "run-phase" },
    });
    expect(stackText(tfc, "data-lake")).toHaveResourceWithProperties(IamOpenidConnectProvider, { url: "https://app.terraform.io", client_id_list: ["aws.workload.identity"] });
    expect(stackText(tfc, "management")).not.toHaveResource(IamOpenidConnectProvider);
  });

  test("the management account's own roles trust the hub's CI roles in the member account", () => {
    const roles = Object.values<any>(resourcesOf(tfc, "management", "aws_iam_role"));
    const deploy = JSON.parse(roles.find((r) => r.name === "mlshare-deploy").assume_role_policy);
    expect(deploy.Statement[0].Condition.ArnEquals["aws:PrincipalArn"]).toBe("arn:aws:iam::222222222222:role/acme-ml-ci-apply");
  });

  test("every stack passes terraform validate (the phase expressions included)", async () => {
    const diagnostics = await validateStacks(tfc.stacks);
    for (const name of Object.keys(diagnostics)) expect({ stack: name, diagnostics: diagnostics[name] }).toEqual({ stack: name, diagnostics: [] });
  }, 120_000);
});
