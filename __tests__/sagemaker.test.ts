/** SageMaker Studio domains and users (topology `sagemaker.domains`). */
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SagemakerDomain } from "@cdktf/provider-aws/lib/sagemaker-domain";
import { SagemakerUserProfile } from "@cdktf/provider-aws/lib/sagemaker-user-profile";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { referenceInput } from "./helpers/topology";
import { resourcesOf, stackText, synthInput } from "./helpers/synth";

const out = synthInput(referenceInput());
const dev = stackText(out, "ml-dev");
const roles = resourcesOf(out, "ml-dev", "aws_iam_role");
const roleNamed = (name: string) => Object.values(roles).find((r) => r.name === name);
const inlinePolicies = (roleRef: string) =>
  Object.values(resourcesOf(out, "ml-dev", "aws_iam_role_policy"))
    .filter((p) => p.role === roleRef)
    .map((p) => JSON.parse(p.policy));
const refOf = (name: string) => {
  const [id] = Object.entries(roles).find(([, r]) => r.name === name)!;
  return `\${aws_iam_role.${id}.name}`;
};

describe("the domain", () => {
  test("uses IAM auth, VPC-only networking and the topology's VPC and subnets", () => {
    expect(dev).toHaveResourceWithProperties(SagemakerDomain, {
      domain_name: "acme-ml-ml-dev",
      auth_mode: "IAM",
      app_network_access_type: "VpcOnly",
      vpc_id: "vpc-0a1b2c3d4e5f60718",
      subnet_ids: ["subnet-0a1b2c3d4e5f60718", "subnet-1a2b3c4d5e6f70819"],
      retention_policy: { home_efs_file_system: "Retain" },
    });
  });

  test("encrypts its storage with a rotating key of the account", () => {
    const [domain] = Object.values(resourcesOf(out, "ml-dev", "aws_sagemaker_domain"));
    expect(domain.kms_key_id).toMatch(/^\$\{aws_kms_key\.Studio_StorageKey_[A-F0-9]+\.arn\}$/);
    expect(dev).toHaveResourceWithProperties(KmsKey, { description: "mlshare: SageMaker domain storage of ml-dev", enable_key_rotation: true });
  });

  test("its default execution role trusts SageMaker for this account only and has no permissions", () => {
    const role = roleNamed("acme-ml-sm-default-execution");
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      {
        Sid: "SageMakerForThisAccountOnly",
        Effect: "Allow",
        Principal: { Service: "sagemaker.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": "333333333333" } },
      },
    ]);
    expect(inlinePolicies(refOf("acme-ml-sm-default-execution"))).toEqual([]);
    const attached = Object.values(resourcesOf(out, "ml-dev", "aws_iam_role_policy_attachment")).filter((a) => a.role === refOf("acme-ml-sm-default-execution"));
    expect(attached).toEqual([]);
  });

  test("has a security group that admits only itself and lets out only itself and HTTPS", () => {
    expect(dev).toHaveResourceWithProperties(SecurityGroup, { vpc_id: "vpc-0a1b2c3d4e5f60718" });
    const [sgId] = Object.keys(resourcesOf(out, "ml-dev", "aws_security_group"));
    const self = `\${aws_security_group.${sgId}.id}`;
    const ingress = Object.values(resourcesOf(out, "ml-dev", "aws_vpc_security_group_ingress_rule"));
    const egress = Object.values(resourcesOf(out, "ml-dev", "aws_vpc_security_group_egress_rule"));
    expect(ingress).toEqual([expect.objectContaining({ security_group_id: self, referenced_security_group_id: self, ip_protocol: "-1" })]);
    expect(ingress[0].cidr_ipv4).toBeUndefined();
    expect(egress).toHaveLength(2);
    expect(egress).toContainEqual(expect.objectContaining({ referenced_security_group_id: self, ip_protocol: "-1" }));
    expect(egress).toContainEqual(expect.objectContaining({ cidr_ipv4: "0.0.0.0/0", ip_protocol: "tcp", from_port: 443, to_port: 443 }));
    expect(dev).toHaveResource(VpcSecurityGroupIngressRule);
    expect(dev).toHaveResource(VpcSecurityGroupEgressRule);
  });

  test("outputs its id and URL", () => {
    const value = (out.stacks["ml-dev"] as any).output.sagemaker_domain.value;
    expect(value.id).toMatch(/^\$\{aws_sagemaker_domain\..+\.id\}$/);
    expect(value.url).toMatch(/^\$\{aws_sagemaker_domain\..+\.url\}$/);
  });
});

describe("user profiles", () => {
  test("each user has a profile with an execution role of their own", () => {
    expect(dev).toHaveResourceWithProperties(SagemakerUserProfile, { user_profile_name: "alice" });
    expect(dev).toHaveResourceWithProperties(SagemakerUserProfile, { user_profile_name: "bob" });
    const profiles = Object.values(resourcesOf(out, "ml-dev", "aws_sagemaker_user_profile"));
    const executionRoles = profiles.map((p) => p.user_settings.execution_role);
    expect(new Set(executionRoles).size).toBe(2);
    expect(dev).toHaveResourceWithProperties(IamRole, { name: "acme-ml-sm-alice" });
    expect(dev).toHaveResourceWithProperties(IamRole, { name: "acme-ml-sm-bob" });
  });

  test("an execution role trusts SageMaker with an aws:SourceAccount condition", () => {
    const trust = JSON.parse(roleNamed("acme-ml-sm-alice").assume_role_policy);
    expect(trust.Statement[0].Principal).toEqual({ Service: "sagemaker.amazonaws.com" });
    expect(trust.Statement[0].Condition).toEqual({ StringEquals: { "aws:SourceAccount": "333333333333" } });
  });

  test("an execution role may pass only itself, and only to SageMaker", () => {
    for (const user of ["alice", "bob"]) {
      const statements = inlinePolicies(refOf(`acme-ml-sm-${user}`)).flatMap((d) => d.Statement);
      const passing = statements.filter((s) => [s.Action].flat().includes("iam:PassRole"));
      expect(passing).toEqual([
        {
          Sid: "PassOwnRoleToSageMakerOnly",
          Effect: "Allow",
          Action: "iam:PassRole",
          Resource: `arn:aws:iam::333333333333:role/acme-ml-sm-${user}`,
          Condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
        },
      ]);
    }
  });

  test("no execution role is granted sagemaker:* or any service wildcard", () => {
    const statements = Object.values(resourcesOf(out, "ml-dev", "aws_iam_role_policy")).flatMap((p) => JSON.parse(p.policy).Statement);
    for (const s of statements) for (const a of [s.Action].flat()) expect(a).not.toMatch(/^(\*|[a-z0-9-]+:\*)$/);
  });

  test("jobs are limited to the user's own names and the domain's subnets", () => {
    const statements = inlinePolicies(refOf("acme-ml-sm-alice")).flatMap((d) => d.Statement);
    const run = statements.find((s) => s.Sid === "RunOwnJobsInDomainSubnets");
    expect(run.Resource).toEqual([
      "arn:aws:sagemaker:us-east-1:333333333333:hyper-parameter-tuning-job/alice-*",
      "arn:aws:sagemaker:us-east-1:333333333333:processing-job/alice-*",
      "arn:aws:sagemaker:us-east-1:333333333333:training-job/alice-*",
    ]);
    expect(run.Condition).toEqual({
      "ForAllValues:StringEquals": { "sagemaker:VpcSubnets": ["subnet-0a1b2c3d4e5f60718", "subnet-1a2b3c4d5e6f70819"] },
      Null: { "sagemaker:VpcSubnets": "false" },
    });
  });

  test("alice's role gets the churn dataset and churn-model grants; bob's gets none", () => {
    const grantsOf = (user: string) =>
      inlinePolicies(refOf(`acme-ml-sm-${user}`)).filter((d) => d.Statement.some((s: any) => String(s.Sid).startsWith("Data")));
    const [alice] = grantsOf("alice");
    const resources = alice.Statement.flatMap((s: any) => [s.Resource].flat());
    expect(resources).toContain("arn:aws:s3:::acme-ml-data-222222222222-us-east-1/churn/*");
    expect(resources).toContain("arn:aws:s3:::acme-ml-ma-churn-model-333333333333-us-east-1/*");
    expect(grantsOf("bob")).toEqual([]);
  });

  test("the dataset grant waits for the execution role it attaches to", () => {
    const grants = Object.values(resourcesOf(out, "ml-dev", "aws_iam_role_policy")).filter((p) => p.name === "acme-ml-data-grants");
    expect(grants.map((g) => g.role)).toContain(refOf("acme-ml-sm-alice"));
    for (const g of grants) expect(g.role).toMatch(/^\$\{aws_iam_role\..+\.name\}$/);
  });

  test("the provider's bucket policy admits alice's role and not bob's", () => {
    const policies = Object.values(resourcesOf(out, "data-lake", "aws_s3_bucket_policy")).map((p) => p.policy as string);
    const data = policies.find((p) => p.includes("DenyUploadsWithOtherKey") && p.includes("acme-ml-data-"))!;
    expect(data).toContain("arn:aws:iam::333333333333:role/acme-ml-sm-alice");
    expect(data).not.toContain("acme-ml-sm-bob");
  });
});

describe("studio access policies", () => {
  const managed = Object.values(resourcesOf(out, "ml-dev", "aws_iam_policy"));
  const accessOf = (user: string) => JSON.parse(managed.find((p) => p.name === `acme-ml-studio-access-${user}`).policy);

  test("open only the user's own profile", () => {
    const open = accessOf("alice").Statement.find((s: any) => [s.Action].flat().includes("sagemaker:CreatePresignedDomainUrl"));
    expect(open.Resource).toMatch(/^arn:aws:sagemaker:us-east-1:333333333333:user-profile\/\$\{aws_sagemaker_domain\..+\.id\}\/alice$/);
  });

  test("are output by ARN for each user, with the profile and execution role", () => {
    const users = (out.stacks["ml-dev"] as any).output.sagemaker_users.value;
    expect(Object.keys(users).sort()).toEqual(["alice", "bob"]);
    expect(users.alice.profileName).toBe("alice");
    expect(users.alice.studioAccessPolicyArn).toMatch(/^\$\{aws_iam_policy\..+\.arn\}$/);
    expect(users.alice.executionRoleArn).toMatch(/^\$\{aws_iam_role\..+\.arn\}$/);
  });
});

describe("what Studio users may do (iam-simulate over the synthesized JSON)", () => {
  const { collectDirectory } = require("../review/collect") as typeof import("../review/collect");
  const { AccessEvaluator } = require("../review/evaluate") as typeof import("../review/evaluate");
  const input = referenceInput();
  // fraud is shared with ml-dev's SageMaker roles, and listed by bob only.
  input.datasets.push({ name: "fraud", account: "data-lake", consumers: [{ account: "ml-dev" }] });
  input.sagemaker.domains[0].users[1].datasets = ["fraud"];
  const s = synthInput(input);
  const ev = new AccessEvaluator(collectDirectory(s.outdir), {
    organization: { id: "o-a1b2c3d4e5", accountIds: s.topology.accounts.map((a) => a.id) },
  });
  const ALICE = "arn:aws:iam::333333333333:role/acme-ml-sm-alice";
  const BOB = "arn:aws:iam::333333333333:role/acme-ml-sm-bob";
  const bucket = "acme-ml-data-222222222222-us-east-1";
  const reads = async (role: string, dataset: string) =>
    (await ev.s3({ principalArn: role, action: "s3:GetObject", bucket, key: `${dataset}/part-0.parquet` })).allowed;

  test("each user reads exactly the datasets listed for them", async () => {
    expect(await reads(ALICE, "churn")).toBe(true);
    expect(await reads(ALICE, "fraud")).toBe(false);
    expect(await reads(BOB, "fraud")).toBe(true);
    expect(await reads(BOB, "churn")).toBe(false);
  });

  test("an execution role may pass itself to SageMaker, and no other role, and to no other service", async () => {
    const pass = async (role: string, target: string, service: string) =>
      (await ev.evaluate({ principalArn: role, action: "iam:PassRole", resourceArn: target, resourceAccountId: "333333333333", context: { "iam:PassedToService": service }, step: "sts" })).decision;
    expect(await pass(ALICE, ALICE, "sagemaker.amazonaws.com")).toBe("Allowed");
    expect(await pass(ALICE, BOB, "sagemaker.amazonaws.com")).not.toBe("Allowed");
    expect(await pass(ALICE, "arn:aws:iam::333333333333:role/acme-ml-churn-dev", "sagemaker.amazonaws.com")).not.toBe("Allowed");
    expect(await pass(ALICE, ALICE, "lambda.amazonaws.com")).not.toBe("Allowed");
  });

  test("alice's studio access policy opens her profile and not bob's", async () => {
    const managed = Object.values(resourcesOf(s, "ml-dev", "aws_iam_policy")).find((p) => p.name === "acme-ml-studio-access-alice");
    // The policy names the domain by reference; the domain's id once it exists stands in for it.
    const [domainRef] = JSON.stringify(JSON.parse(managed.policy)).match(/\$\{aws_sagemaker_domain\.[^}]+\}/)!;
    const document = JSON.parse(managed.policy.split(domainRef).join("d-abcdef123456"));
    const person = "arn:aws:iam::333333333333:role/AWSReservedSSO_DataScientist_alice";
    const open = async (user: string) =>
      (
        await ev.evaluate(
          {
            principalArn: person,
            action: "sagemaker:CreatePresignedDomainUrl",
            resourceArn: `arn:aws:sagemaker:us-east-1:333333333333:user-profile/d-abcdef123456/${user}`,
            resourceAccountId: "333333333333",
            step: "sts",
          },
          [{ name: "studio access of alice", document }],
        )
      ).decision;
    expect(await open("alice")).toBe("Allowed");
    expect(await open("bob")).not.toBe("Allowed");
  });
});
