/** Multi-environment ML projects (topology `mlProjects`): roles, projects, registry, promotion. */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { SagemakerModelPackageGroup } from "@cdktf/provider-aws/lib/sagemaker-model-package-group";
import { SagemakerProject } from "@cdktf/provider-aws/lib/sagemaker-project";
import { collectDirectory } from "../review/collect";
import { AccessEvaluator, NamedPolicy } from "../review/evaluate";
import { resourcesOf, stackText, synthInput } from "./helpers/synth";
import { problemsOf, referenceInput } from "./helpers/topology";

const out = synthInput(referenceInput());
const ROLE = {
  dev: "arn:aws:iam::333333333333:role/acme-ml-churn-dev",
  staging: "arn:aws:iam::444444444444:role/acme-ml-churn-staging",
  prod: "arn:aws:iam::555555555555:role/acme-ml-churn-prod",
};
const ACCOUNT = { dev: "333333333333", staging: "444444444444", prod: "555555555555" } as const;
const sm = (env: keyof typeof ACCOUNT, rest: string) => `arn:aws:sagemaker:us-east-1:${ACCOUNT[env]}:${rest}`;
const GROUP = sm("dev", "model-package-group/churn");
const PACKAGE = sm("dev", "model-package/churn/3");

const roleOf = (stack: string, name: string) => Object.values(resourcesOf(out, stack, "aws_iam_role")).find((r) => r.name === name);

describe("per environment", () => {
  test("each environment's account gets a SageMaker project from the Service Catalog product", () => {
    for (const stack of ["ml-dev", "ml-staging", "ml-prod"]) {
      expect(stackText(out, stack)).toHaveResourceWithProperties(SagemakerProject, {
        project_name: "churn",
        service_catalog_provisioning_details: { product_id: "prod-abcd1234abcd" },
      });
    }
  });

  test("each environment gets a role of its own, named for the project and environment", () => {
    expect(stackText(out, "ml-dev")).toHaveResourceWithProperties(IamRole, { name: "acme-ml-churn-dev" });
    expect(stackText(out, "ml-staging")).toHaveResourceWithProperties(IamRole, { name: "acme-ml-churn-staging" });
    expect(stackText(out, "ml-prod")).toHaveResourceWithProperties(IamRole, { name: "acme-ml-churn-prod" });
  });

  test("a role trusts SageMaker only for its account and this project's resources", () => {
    const trust = JSON.parse(roleOf("ml-prod", "acme-ml-churn-prod").assume_role_policy);
    expect(trust.Statement).toHaveLength(1);
    expect(trust.Statement[0].Principal).toEqual({ Service: "sagemaker.amazonaws.com" });
    expect(trust.Statement[0].Condition.StringEquals).toEqual({ "aws:SourceAccount": ACCOUNT.prod });
    expect(trust.Statement[0].Condition.ArnLike["aws:SourceArn"]).toEqual([
      sm("prod", "endpoint-config/churn-*"),
      sm("prod", "endpoint/churn-*"),
      sm("prod", "model/churn-*"),
      sm("prod", "project/churn"),
    ]);
  });

  test("no project role is granted sagemaker:* or a statement without a resource", () => {
    for (const stack of ["ml-dev", "ml-staging", "ml-prod"]) {
      for (const p of Object.values(resourcesOf(out, stack, "aws_iam_role_policy"))) {
        for (const s of JSON.parse(p.policy).Statement) {
          expect(s.Resource).toBeDefined();
          for (const a of [s.Action].flat()) expect(a).not.toMatch(/^(\*|sagemaker:\*)$/);
        }
      }
    }
  });

  test("outputs the project id and role ARN per environment", () => {
    const prod = (out.stacks["ml-prod"] as any).output.ml_projects.value.churn;
    expect(prod).toEqual(expect.objectContaining({ environment: "prod", stage: "deploy", modelArtifactSet: "churn-project" }));
    expect(prod.projectId).toMatch(/^\$\{aws_sagemaker_project\..+\.project_id\}$/);
    expect(prod.roleArn).toMatch(/^\$\{aws_iam_role\..+\.arn\}$/);
    expect((out.stacks["ml-dev"] as any).output.ml_projects.value.churn.modelPackageGroupArn).toBe(GROUP);
  });
});

describe("model registry", () => {
  test("the model package group lives in the first environment's account", () => {
    expect(stackText(out, "ml-dev")).toHaveResourceWithProperties(SagemakerModelPackageGroup, { model_package_group_name: "churn" });
    expect(Object.keys(resourcesOf(out, "ml-prod", "aws_sagemaker_model_package_group"))).toEqual([]);
  });

  test("its policy lets the later environments' project roles read it and only staging's approve", () => {
    const [policy] = Object.values(resourcesOf(out, "ml-dev", "aws_sagemaker_model_package_group_policy"));
    const statements = JSON.parse(policy.resource_policy).Statement;
    expect(statements.map((s: any) => s.Sid)).toEqual(["LaterEnvironmentsReadRegistry", "ApproversApproveOrReject", "OnlyApproversDecide", "RegisterPendingApprovalOnly"]);
    expect(statements[0].Condition.ArnEquals["aws:PrincipalArn"]).toEqual([ROLE.staging, ROLE.prod]);
    expect(statements[1].Condition.ArnEquals["aws:PrincipalArn"]).toBe(ROLE.staging);
    expect(statements[1].Action).toBe("sagemaker:UpdateModelPackage");
  });

  test("the project's model artifacts are a model artifact set the later environments read", () => {
    const artifacts = (out.stacks["ml-dev"] as any).output.model_artifacts.value["churn-project"];
    expect(artifacts.writers).toEqual([ROLE.dev]);
    expect(artifacts.readers).toEqual([ROLE.staging, ROLE.prod]);
  });
});

describe("validation", () => {
  test("refuses a project artifact set that a later environment cannot read", () => {
    const input = referenceInput();
    input.mlProjects[0].modelArtifacts = "churn-model";
    input.modelArtifacts[0].consumers = [{ account: "ml-staging" }];
    expect(problemsOf(input)).toEqual([
      'mlProjects[0].modelArtifacts: set "churn-model" does not list "ml-prod" among its consumers, but the project promotes models to it; add it',
    ]);
  });

  test("refuses a project artifact set owned by another account than the first environment's", () => {
    const input = referenceInput();
    input.mlProjects[0].modelArtifacts = "churn-model";
    input.modelArtifacts[0].account = "data-lake";
    input.modelArtifacts[0].consumers.push({ account: "ml-dev" });
    input.sagemaker.domains[0].users[0].modelArtifacts = [];
    expect(problemsOf(input)).toEqual([
      'mlProjects[0].modelArtifacts: set "churn-model" is owned by "data-lake", but the project builds models in "ml-dev" (its first environment); the set must be owned there',
    ]);
  });

  test("uses a named artifact set instead of making one", () => {
    const input = referenceInput();
    input.mlProjects[0].modelArtifacts = "churn-model";
    const s = synthInput(input);
    expect((s.stacks["ml-dev"] as any).output.model_artifacts.value["churn-project"]).toBeUndefined();
    expect((s.stacks["ml-dev"] as any).output.model_artifacts.value["churn-model"].readers).toEqual([ROLE.staging, ROLE.prod]);
  });
});

describe("what each environment's role may do (iam-simulate over the synthesized JSON)", () => {
  const collection = collectDirectory(out.outdir);
  const ev = new AccessEvaluator(collection, {
    organization: { id: "o-a1b2c3d4e5", accountIds: out.topology.accounts.map((a) => a.id) },
  });
  const [groupPolicy] = collection.modelPackageGroupPolicies;
  const registry: NamedPolicy = { name: "model package group policy", document: groupPolicy.policy.document! };
  const may = async (principal: string, action: string, resource: string, context: Record<string, string | string[]> = {}, resourcePolicy?: NamedPolicy) => {
    const step = await ev.evaluate({ principalArn: principal, action, resourceArn: resource, resourceAccountId: resource.split(":")[4], context, resourcePolicy, step: "s3" });
    return step.decision;
  };

  test("prod's role may create endpoints of the project", async () => {
    expect(await may(ROLE.prod, "sagemaker:CreateEndpoint", sm("prod", "endpoint/churn-live"))).toBe("Allowed");
    expect(await may(ROLE.prod, "sagemaker:CreateModel", sm("prod", "model/churn-v3"), { "sagemaker:VpcSubnets": ["subnet-0a1b2c3d4e5f60718"] })).toBe("Allowed");
  });

  test("prod's role may describe the group's packages across accounts", async () => {
    expect(await may(ROLE.prod, "sagemaker:DescribeModelPackage", PACKAGE, {}, registry)).toBe("Allowed");
  });

  test("prod's role may not train, nor change the registry", async () => {
    expect(await may(ROLE.prod, "sagemaker:CreateTrainingJob", sm("prod", "training-job/churn-x"))).not.toBe("Allowed");
    expect(await may(ROLE.prod, "sagemaker:UpdateModelPackage", PACKAGE, { "sagemaker:ModelApprovalStatus": "Approved" }, registry)).not.toBe("Allowed");
    expect(await may(ROLE.prod, "sagemaker:CreateModelPackage", PACKAGE, { "sagemaker:ModelApprovalStatus": "Approved" }, registry)).not.toBe("Allowed");
  });

  test("prod's role may not touch another project's endpoints", async () => {
    expect(await may(ROLE.prod, "sagemaker:CreateEndpoint", sm("prod", "endpoint/fraud-live"))).not.toBe("Allowed");
  });

  test("dev's role may train and register models pending approval, but not approve them", async () => {
    expect(await may(ROLE.dev, "sagemaker:CreateTrainingJob", sm("dev", "training-job/churn-42"), { "sagemaker:VpcSubnets": ["subnet-0a1b2c3d4e5f60718"] })).toBe("Allowed");
    expect(await may(ROLE.dev, "sagemaker:CreateModelPackage", PACKAGE, { "sagemaker:ModelApprovalStatus": "PendingManualApproval" })).toBe("Allowed");
    expect(await may(ROLE.dev, "sagemaker:CreateModelPackage", PACKAGE, { "sagemaker:ModelApprovalStatus": "Approved" })).not.toBe("Allowed");
    expect(await may(ROLE.dev, "sagemaker:UpdateModelPackage", PACKAGE, { "sagemaker:ModelApprovalStatus": "Approved" })).not.toBe("Allowed");
  });

  test("dev's role may not touch staging or prod resources", async () => {
    expect(await may(ROLE.dev, "sagemaker:CreateEndpoint", sm("prod", "endpoint/churn-live"))).not.toBe("Allowed");
    expect(await may(ROLE.dev, "sagemaker:CreateTrainingJob", sm("staging", "training-job/churn-1"))).not.toBe("Allowed");
  });

  test("staging's role may describe the dev group across accounts and approve its packages", async () => {
    expect(await may(ROLE.staging, "sagemaker:DescribeModelPackageGroup", GROUP, {}, registry)).toBe("Allowed");
    expect(await may(ROLE.staging, "sagemaker:UpdateModelPackage", PACKAGE, { "sagemaker:ModelApprovalStatus": "Approved" }, registry)).toBe("Allowed");
    expect(await may(ROLE.staging, "sagemaker:UpdateModelPackage", PACKAGE, { "sagemaker:ModelApprovalStatus": "PendingManualApproval" }, registry)).not.toBe("Allowed");
  });

  test("another role of the prod account cannot read the registry", async () => {
    const other = "arn:aws:iam::555555555555:role/someone-else";
    const everything: NamedPolicy = {
      name: "allows itself everything",
      document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sagemaker:DescribeModelPackage", Resource: "*" }] },
    };
    const step = await ev.evaluate(
      { principalArn: other, action: "sagemaker:DescribeModelPackage", resourceArn: PACKAGE, resourceAccountId: ACCOUNT.dev, resourcePolicy: registry, step: "s3" },
      [everything],
    );
    expect(step.decision).not.toBe("Allowed");
  });
});

describe("trust policies refuse SageMaker acting for another account", () => {
  const trustOf = (stack: string, name: string) => JSON.parse(roleOf(stack, name).assume_role_policy);
  const assume = async (roleArn: string, trust: unknown, sourceAccount: string, sourceArn: string) => {
    const result = await runSimulation(
      {
        request: {
          principal: "sagemaker.amazonaws.com",
          action: "sts:AssumeRole",
          resource: { resource: roleArn, accountId: roleArn.split(":")[4] },
          contextVariables: {
            "aws:SourceAccount": sourceAccount,
            "aws:SourceArn": sourceArn,
            "aws:PrincipalIsAWSService": "true",
            "aws:PrincipalServiceName": "sagemaker.amazonaws.com",
            "aws:SecureTransport": "true",
          },
        },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: trust as any,
      },
      {},
    );
    if (result.resultType !== "single") throw new Error(`unexpected simulation result: ${JSON.stringify(result)}`);
    expect(result.result.ignoredContextKeys ?? []).toEqual([]);
    return result.result.analysis.result;
  };

  test("allows SageMaker for the project's own resources in its account", async () => {
    expect(await assume(ROLE.prod, trustOf("ml-prod", "acme-ml-churn-prod"), ACCOUNT.prod, sm("prod", "endpoint/churn-live"))).toBe("Allowed");
  });

  test("refuses SageMaker acting for another account", async () => {
    expect(await assume(ROLE.prod, trustOf("ml-prod", "acme-ml-churn-prod"), "999999999999", "arn:aws:sagemaker:us-east-1:999999999999:endpoint/churn-live")).not.toBe("Allowed");
  });

  test("refuses SageMaker acting for another project's resources", async () => {
    expect(await assume(ROLE.prod, trustOf("ml-prod", "acme-ml-churn-prod"), ACCOUNT.prod, sm("prod", "endpoint/fraud-live"))).not.toBe("Allowed");
  });

  test("a SageMaker user's execution role refuses SageMaker acting for another account", async () => {
    const alice = "arn:aws:iam::333333333333:role/acme-ml-sm-alice";
    const trust = trustOf("ml-dev", "acme-ml-sm-alice");
    expect(await assume(alice, trust, ACCOUNT.dev, sm("dev", "training-job/alice-1"))).toBe("Allowed");
    expect(await assume(alice, trust, "999999999999", "arn:aws:sagemaker:us-east-1:999999999999:training-job/x")).not.toBe("Allowed");
  });
});
