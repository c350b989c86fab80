/**
 * The approval gate of ML projects and the networks their jobs run in, proven both ways with
 * iam-simulate over the synthesized JSON, the management stack's SCPs in the chain: the
 * declared use allowed, the attack beside it denied.
 */
import { collectDirectory } from "../review/collect";
import { AccessEvaluator, NamedPolicy } from "../review/evaluate";
import { Synthesized, synthInput } from "./helpers/synth";
import { problemsOf, referenceInput } from "./helpers/topology";

const ACCOUNT = { mgmt: "111111111111", dev: "333333333333", staging: "444444444444", prod: "555555555555" } as const;
type Env = "dev" | "staging" | "prod";
const role = (env: Env, name: string) => `arn:aws:iam::${ACCOUNT[env]}:role/${name}`;
const ROLE = { dev: role("dev", "acme-ml-churn-dev"), staging: role("staging", "acme-ml-churn-staging"), prod: role("prod", "acme-ml-churn-prod") };
const ADMIN = { dev: role("dev", "Admin"), staging: role("staging", "Admin"), prod: role("prod", "Admin") };
const DEPLOY_DEV = role("dev", "mlshare-deploy");
const sm = (env: Env, rest: string) => `arn:aws:sagemaker:us-east-1:${ACCOUNT[env]}:${rest}`;
const GROUP = sm("dev", "model-package-group/churn");
const PACKAGE = sm("dev", "model-package/churn/3");
const DOMAIN_SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-1a2b3c4d5e6f70819"];
const STAGING_SUBNETS = ["subnet-0b1c2d3e4f5a60718", "subnet-1b2c3d4e5f6a70819"];
const ELSEWHERE = ["subnet-0fffffffffffffff0"];

const everything: NamedPolicy = {
  name: "administrator (* on *)",
  document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
};

/** An evaluator of a synthesized output with the organization as the management stack makes it. */
function evaluatorOf(s: Synthesized) {
  const collection = collectDirectory(s.outdir);
  const ou = collection.organization.units.find((u) => u.name === "ml-workloads");
  const members = [ACCOUNT.dev, ACCOUNT.staging, ACCOUNT.prod];
  const ev = new AccessEvaluator(collection, {
    organization: {
      id: "o-a1b2c3d4e5",
      rootId: "r-a1b2",
      accountIds: s.topology.accounts.map((a) => a.id),
      managementAccountId: ACCOUNT.mgmt,
      ouPaths: Object.fromEntries(members.map((id) => [id, ou ? [ou.id] : []])),
    },
  });
  const [groupPolicy] = collection.modelPackageGroupPolicies;
  const registry: NamedPolicy = { name: "model package group policy", document: groupPolicy.policy.document! };
  /** The decision on one request; `identity` replaces the principal's own policies (an administrator). */
  const may = async (principal: string, action: string, resource: string, context: Record<string, string | string[]> = {}, opts: { resourcePolicy?: NamedPolicy; identity?: NamedPolicy[] } = {}) => {
    const step = await ev.evaluate(
      { principalArn: principal, action, resourceArn: resource, resourceAccountId: resource.split(":")[4], context, resourcePolicy: opts.resourcePolicy, step: "s3" },
      opts.identity,
    );
    return step.decision;
  };
  return { ev, registry, may };
}

const APPROVED = { "sagemaker:ModelApprovalStatus": "Approved" };

describe("approval in a three-environment project (dev builds, staging tests, prod deploys)", () => {
  const { registry, may } = evaluatorOf(synthInput(referenceInput()));
  const withoutDenies: NamedPolicy = {
    name: "the group policy with its Deny statements removed (what an administrator would do first)",
    document: { ...registry.document, Statement: (registry.document.Statement as any[]).filter((s) => s.Effect !== "Deny") },
  };

  test("the test environment's role approves and rejects, and may not set a version back to pending", async () => {
    expect(await may(ROLE.staging, "sagemaker:UpdateModelPackage", PACKAGE, APPROVED, { resourcePolicy: registry })).toBe("Allowed");
    expect(await may(ROLE.staging, "sagemaker:UpdateModelPackage", PACKAGE, { "sagemaker:ModelApprovalStatus": "Rejected" }, { resourcePolicy: registry })).toBe("Allowed");
    expect(await may(ROLE.staging, "sagemaker:UpdateModelPackage", PACKAGE, { "sagemaker:ModelApprovalStatus": "PendingManualApproval" }, { resourcePolicy: registry })).not.toBe("Allowed");
  });

  test("neither the build role nor the deploy role approves", async () => {
    expect(await may(ROLE.dev, "sagemaker:UpdateModelPackage", PACKAGE, APPROVED, { resourcePolicy: registry })).not.toBe("Allowed");
    expect(await may(ROLE.prod, "sagemaker:UpdateModelPackage", PACKAGE, APPROVED, { resourcePolicy: registry })).not.toBe("Allowed");
  });

  test("the build role registers versions pending approval, never approved", async () => {
    expect(await may(ROLE.dev, "sagemaker:CreateModelPackage", PACKAGE, { "sagemaker:ModelApprovalStatus": "PendingManualApproval" }, { resourcePolicy: registry })).toBe("Allowed");
    expect(await may(ROLE.dev, "sagemaker:CreateModelPackage", PACKAGE, APPROVED, { resourcePolicy: registry })).not.toBe("Allowed");
  });

  test("an administrator of the build account cannot approve, nor register an approved version", async () => {
    const admin = { resourcePolicy: registry, identity: [everything] };
    expect(await may(ADMIN.dev, "sagemaker:UpdateModelPackage", PACKAGE, APPROVED, admin)).toBe("ExplicitlyDenied");
    expect(await may(ADMIN.dev, "sagemaker:CreateModelPackage", PACKAGE, APPROVED, admin)).toBe("ExplicitlyDenied");
  });

  test("the build account's SCP still denies its administrator once the group policy's Deny is gone", async () => {
    const admin = { resourcePolicy: withoutDenies, identity: [everything] };
    expect(await may(ADMIN.dev, "sagemaker:UpdateModelPackage", PACKAGE, APPROVED, admin)).toBe("ExplicitlyDenied");
    expect(await may(ADMIN.dev, "sagemaker:CreateModelPackage", PACKAGE, APPROVED, admin)).toBe("ExplicitlyDenied");
  });

  test("only the build account's deploy role may change or delete the group's policy", async () => {
    for (const action of ["sagemaker:PutModelPackageGroupPolicy", "sagemaker:DeleteModelPackageGroupPolicy", "sagemaker:DeleteModelPackageGroup"]) {
      expect(await may(ADMIN.dev, action, GROUP, {}, { identity: [everything] })).toBe("ExplicitlyDenied");
      expect(await may(DEPLOY_DEV, action, GROUP, {}, { identity: [everything] })).toBe("Allowed");
    }
  });

  test("an administrator of the test account is not an approver", async () => {
    expect(await may(ADMIN.staging, "sagemaker:UpdateModelPackage", PACKAGE, APPROVED, { resourcePolicy: registry, identity: [everything] })).not.toBe("Allowed");
  });
});

describe("approval in a two-environment project", () => {
  const input = referenceInput();
  input.environments = ["dev", "prod"];
  input.accounts["ml-staging"].environment = undefined;
  delete input.accounts["ml-staging"].environment;
  input.mlProjects[0].accounts = { dev: "ml-dev", prod: "ml-prod" };
  const s = synthInput(input);
  const { registry, may } = evaluatorOf(s);

  test("the last environment approves, since no environment tests", async () => {
    expect(await may(ROLE.prod, "sagemaker:UpdateModelPackage", PACKAGE, APPROVED, { resourcePolicy: registry })).toBe("Allowed");
  });

  test("the build account still cannot, not even its administrator", async () => {
    expect(await may(ROLE.dev, "sagemaker:UpdateModelPackage", PACKAGE, APPROVED, { resourcePolicy: registry })).not.toBe("Allowed");
    expect(await may(ADMIN.dev, "sagemaker:UpdateModelPackage", PACKAGE, APPROVED, { resourcePolicy: registry, identity: [everything] })).toBe("ExplicitlyDenied");
  });

  test("the registry guard SCP is attached to the build account only", () => {
    const mgmt = s.stacks.management as any;
    const policies = Object.values<any>(mgmt.resource.aws_organizations_policy).filter((p) => p.name.startsWith("acme-ml-protect-model-registry"));
    expect(policies.map((p) => p.name)).toEqual(["acme-ml-protect-model-registry-ml-dev"]);
    const attachments = Object.values<any>(mgmt.resource.aws_organizations_policy_attachment).filter((a) => String(a.policy_id).includes("RegistryGuard"));
    expect(attachments.map((a) => a.target_id)).toEqual([ACCOUNT.dev]);
  });
});

describe("project jobs and models run in their account's network, under the VPC guardrail", () => {
  const { may } = evaluatorOf(synthInput(referenceInput()));
  const inSubnets = (subnets: string[]) => ({ "sagemaker:VpcSubnets": subnets });

  test("the build role trains in the domain's subnets (the dev account has a domain and no network)", async () => {
    expect(await may(ROLE.dev, "sagemaker:CreateTrainingJob", sm("dev", "training-job/churn-42"), inSubnets(DOMAIN_SUBNETS))).toBe("Allowed");
  });

  test("and not without a VPC, nor in other subnets", async () => {
    expect(await may(ROLE.dev, "sagemaker:CreateTrainingJob", sm("dev", "training-job/churn-42"))).not.toBe("Allowed");
    expect(await may(ROLE.dev, "sagemaker:CreateTrainingJob", sm("dev", "training-job/churn-42"), inSubnets(ELSEWHERE))).not.toBe("Allowed");
  });

  test("staging's and prod's roles create models in their accounts' networks", async () => {
    expect(await may(ROLE.staging, "sagemaker:CreateModel", sm("staging", "model/churn-v3"), inSubnets(STAGING_SUBNETS))).toBe("Allowed");
    expect(await may(ROLE.prod, "sagemaker:CreateModel", sm("prod", "model/churn-v3"), inSubnets(DOMAIN_SUBNETS))).toBe("Allowed");
    expect(await may(ROLE.prod, "sagemaker:CreateModel", sm("prod", "model/churn-v3"))).not.toBe("Allowed");
    expect(await may(ROLE.staging, "sagemaker:CreateModel", sm("staging", "model/churn-v3"), inSubnets(DOMAIN_SUBNETS))).not.toBe("Allowed");
  });

  test("an endpoint config may name no network (its endpoint runs in its model's), but never another one", async () => {
    expect(await may(ROLE.prod, "sagemaker:CreateEndpointConfig", sm("prod", "endpoint-config/churn-live"))).toBe("Allowed");
    expect(await may(ROLE.prod, "sagemaker:CreateEndpointConfig", sm("prod", "endpoint-config/churn-live"), inSubnets(ELSEWHERE))).not.toBe("Allowed");
  });

  const ec2 = (env: Env, rest: string) => `arn:aws:ec2:us-east-1:${ACCOUNT[env]}:${rest}`;
  const subnetArns = (env: Env, ids: string[]) => ids.map((id) => ec2(env, `subnet/${id}`));

  test("the roles make SageMaker's network interfaces in their own subnets only", async () => {
    expect(await may(ROLE.prod, "ec2:CreateNetworkInterface", ec2("prod", `subnet/${DOMAIN_SUBNETS[0]}`))).toBe("Allowed");
    expect(await may(ROLE.prod, "ec2:CreateNetworkInterface", ec2("prod", `subnet/${ELSEWHERE[0]}`))).not.toBe("Allowed");
    const sg = ec2("prod", "security-group/sg-0123456789abcdef0");
    expect(await may(ROLE.prod, "ec2:CreateNetworkInterface", sg, { "ec2:Vpc": ec2("prod", "vpc/vpc-0a1b2c3d4e5f60718") })).toBe("Allowed");
    expect(await may(ROLE.prod, "ec2:CreateNetworkInterface", sg, { "ec2:Vpc": ec2("prod", "vpc/vpc-0fffffffffffffff0") })).not.toBe("Allowed");
  });

  test("and delete or share only interfaces in those subnets", async () => {
    const eni = ec2("staging", "network-interface/eni-0123456789abcdef0");
    for (const action of ["ec2:DeleteNetworkInterface", "ec2:CreateNetworkInterfacePermission"]) {
      expect(await may(ROLE.staging, action, eni, { "ec2:Subnet": subnetArns("staging", STAGING_SUBNETS)[1] })).toBe("Allowed");
      expect(await may(ROLE.staging, action, eni, { "ec2:Subnet": subnetArns("staging", ELSEWHERE)[0] })).not.toBe("Allowed");
    }
  });
});

describe("validation: a project account the VPC guardrail covers needs a network", () => {
  const withoutNetworks = () => {
    const input = referenceInput();
    delete input.accounts["ml-staging"].network;
    delete input.accounts["ml-prod"].network;
    return input;
  };
  const paths = (input: unknown) => problemsOf(input).map((p) => p.split(": ")[0]);

  test("refuses project accounts in a guarded OU, naming the account, the project and the guardrail", () => {
    const problems = problemsOf(withoutNetworks());
    expect(problems).toHaveLength(2);
    expect(problems[0]).toBe(
      'mlProjects[0].accounts.staging: account "ml-staging" hosts ML project "churn" but has no network: the require-sagemaker-vpc guardrail ' +
        "(organization.guardrails[1], target ou:ml-workloads) denies SageMaker jobs and models without VPC subnets, so the project could never run; " +
        "set accounts.ml-staging.network (vpcId, subnetIds) or give the account a SageMaker domain",
    );
  });

  test("sees a guardrail on a parent OU, on the root and on the account itself", () => {
    const nested = withoutNetworks();
    nested.organization.organizationalUnits = [
      { name: "workloads", accounts: [] },
      { name: "ml-workloads", parent: "workloads", accounts: ["ml-dev", "ml-staging", "ml-prod"] },
    ];
    nested.organization.guardrails[1].targets = ["ou:workloads"];
    expect(paths(nested)).toEqual(["mlProjects[0].accounts.staging", "mlProjects[0].accounts.prod"]);
    const root = withoutNetworks();
    root.organization.guardrails[1].targets = ["root"];
    expect(paths(root)).toEqual(["mlProjects[0].accounts.staging", "mlProjects[0].accounts.prod"]);
    const one = withoutNetworks();
    one.organization.guardrails[1].targets = ["account:ml-prod"];
    expect(paths(one)).toEqual(["mlProjects[0].accounts.prod"]);
  });

  test("accepts them when the guardrail covers another OU, and when it is gone", () => {
    const elsewhere = withoutNetworks();
    elsewhere.organization.organizationalUnits.push({ name: "sandbox", accounts: [] });
    elsewhere.organization.guardrails[1].targets = ["ou:sandbox"];
    expect(problemsOf(elsewhere)).toEqual([]);
    const none = withoutNetworks();
    none.organization.guardrails.splice(1, 1);
    expect(problemsOf(none)).toEqual([]);
  });

  test("refuses a network without subnets", () => {
    const input = referenceInput();
    input.accounts["ml-prod"].network.subnetIds = [];
    expect(problemsOf(input)).toContain("accounts.ml-prod.network.subnetIds: must list at least one subnet (value: [])");
  });
});

describe("a project reads a dataset by naming its environment's role", () => {
  const input = referenceInput();
  input.datasets[0].consumers[1].roles = ["batch-scoring", "acme-ml-churn-prod"];
  const s = synthInput(input);
  const { ev } = evaluatorOf(s);
  const bucket = "acme-ml-data-222222222222-us-east-1";
  const reads = async (principalArn: string) => (await ev.s3({ principalArn, action: "s3:GetObject", bucket, key: "churn/part-0.parquet" })).allowed;

  test("the named project role reads the dataset end to end; the other environments' roles do not", async () => {
    expect(await reads(ROLE.prod)).toBe(true);
    expect(await reads(ROLE.staging)).toBe(false);
    expect(await reads(ROLE.dev)).toBe(false);
  });

  test("its grant waits for the role the same stack makes", () => {
    const grants = Object.values<any>((s.stacks["ml-prod"] as any).resource.aws_iam_role_policy).filter((p) => p.name === "acme-ml-data-grants");
    expect(grants.map((g) => g.role)).toContainEqual(expect.stringMatching(/^\$\{aws_iam_role\.MlProjects_Role-churn_[A-F0-9]+\.name\}$/));
  });
});
