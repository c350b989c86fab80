/**
 * What SageMaker execution roles may do at run time (logs, metrics, images, network
 * interfaces), proven both ways with iam-simulate over the synthesized JSON: each user and
 * project reaches its own, and not another's, with names that prefix each other kept apart
 * by validation.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { collectDirectory } from "../review/collect";
import { AccessEvaluator } from "../review/evaluate";
import { synthInput } from "./helpers/synth";
import { problemsOf, referenceInput } from "./helpers/topology";

const DEV = "333333333333";
const ALICE = `arn:aws:iam::${DEV}:role/acme-ml-sm-alice`;
const BOB = `arn:aws:iam::${DEV}:role/acme-ml-sm-bob`;
const CHURN_DEV = `arn:aws:iam::${DEV}:role/acme-ml-churn-dev`;
const PROD = "555555555555";
const CHURN_PROD = `arn:aws:iam::${PROD}:role/acme-ml-churn-prod`;
const logs = (account: string, group: string, stream: string) => `arn:aws:logs:us-east-1:${account}:log-group:${group}:log-stream:${stream}`;

const s = synthInput(referenceInput());
const ev = new AccessEvaluator(collectDirectory(s.outdir), { organization: { id: "o-a1b2c3d4e5", accountIds: s.topology.accounts.map((a) => a.id) } });
const may = async (principal: string, action: string, resource: string, context: Record<string, string | string[]> = {}) =>
  (await ev.evaluate({ principalArn: principal, action, resourceArn: resource, resourceAccountId: resource.split(":")[4] || principal.split(":")[4], context, step: "s3" })).decision;

describe("logs", () => {
  test("a user reads and writes the log streams of her own jobs", async () => {
    for (const action of ["logs:GetLogEvents", "logs:PutLogEvents", "logs:CreateLogStream"]) {
      expect(await may(ALICE, action, logs(DEV, "/aws/sagemaker/TrainingJobs", "alice-xgb-1/algo-1-1700000000"))).toBe("Allowed");
      expect(await may(ALICE, action, logs(DEV, "/aws/sagemaker/ProcessingJobs", "alice-prep-2/algo-1-1700000000"))).toBe("Allowed");
    }
  });

  test("and not another user's, a project's, or an endpoint's", async () => {
    for (const action of ["logs:GetLogEvents", "logs:PutLogEvents"]) {
      expect(await may(ALICE, action, logs(DEV, "/aws/sagemaker/TrainingJobs", "bob-xgb-1/algo-1-1700000000"))).not.toBe("Allowed");
      expect(await may(ALICE, action, logs(DEV, "/aws/sagemaker/TrainingJobs", "churn-train-1/algo-1-1700000000"))).not.toBe("Allowed");
      expect(await may(ALICE, action, logs(DEV, "/aws/sagemaker/Endpoints/churn-live", "AllTraffic/i-0123"))).not.toBe("Allowed");
    }
  });

  test("a user reads her own Studio app logs only", async () => {
    // The policy names the domain by reference; the review stands in d-synthetic-<logical id> for its id.
    const [, logical] = JSON.stringify(s.stacks["ml-dev"]).match(/\$\{aws_sagemaker_domain\.([^.}]+)\.id\}/)!;
    const domain = `d-synthetic-${logical}`;
    expect(await may(ALICE, "logs:GetLogEvents", logs(DEV, "/aws/sagemaker/studio", `${domain}/alice/JupyterLab/default`))).toBe("Allowed");
    expect(await may(ALICE, "logs:GetLogEvents", logs(DEV, "/aws/sagemaker/studio", `${domain}/bob/JupyterLab/default`))).not.toBe("Allowed");
    expect(await may(ALICE, "logs:GetLogEvents", logs(DEV, "/aws/sagemaker/studio", `${domain}/alice-lee/JupyterLab/default`))).not.toBe("Allowed");
  });

  test("a project role writes its jobs' and endpoints' logs, and not a user's", async () => {
    expect(await may(CHURN_DEV, "logs:PutLogEvents", logs(DEV, "/aws/sagemaker/TrainingJobs", "churn-train-1/algo-1-1700000000"))).toBe("Allowed");
    expect(await may(CHURN_DEV, "logs:PutLogEvents", logs(DEV, "/aws/sagemaker/TrainingJobs", "alice-xgb-1/algo-1-1700000000"))).not.toBe("Allowed");
    expect(await may(CHURN_PROD, "logs:PutLogEvents", logs(PROD, "/aws/sagemaker/Endpoints/churn-live", "AllTraffic/i-0123"))).toBe("Allowed");
    expect(await may(CHURN_PROD, "logs:PutLogEvents", logs(PROD, "/aws/sagemaker/Endpoints/fraud-live", "AllTraffic/i-0123"))).not.toBe("Allowed");
  });
});

describe("metrics", () => {
  /** The inline policies of a role in a stack, as synthesized (PutMetricData has no resource: the simulator asks on *). */
  const inlineOf = (stack: string, roleName: string) => {
    const roles = (s.stacks[stack] as any).resource.aws_iam_role;
    const [id] = Object.entries<any>(roles).find(([, r]) => r.name === roleName)!;
    return Object.values<any>((s.stacks[stack] as any).resource.aws_iam_role_policy)
      .filter((p) => p.role === `\${aws_iam_role.${id}.name}`)
      .map((p, i) => ({ name: `${roleName}-${i}`, policy: JSON.parse(p.policy) }));
  };
  const put = async (stack: string, roleName: string, namespace: string) => {
    const account = stack === "ml-dev" ? DEV : PROD;
    const result = await runSimulation(
      {
        request: {
          principal: `arn:aws:iam::${account}:role/${roleName}`,
          action: "cloudwatch:PutMetricData",
          resource: { resource: "*", accountId: account },
          contextVariables: { "cloudwatch:namespace": namespace },
        },
        identityPolicies: inlineOf(stack, roleName),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    // An action without a resource type is asked on every resource (a "wildcard" result, which
    // lists the resources it allowed).
    if (result.resultType !== "single" && result.resultType !== "wildcard") throw new Error(`unexpected simulation result: ${JSON.stringify(result).slice(0, 300)}`);
    const results = result.resultType === "single" ? [result.result] : result.results;
    for (const r of results) expect(r.ignoredContextKeys ?? []).toEqual([]);
    return (result as { overallResult: string }).overallResult;
  };

  test("job metrics may be written; endpoint metrics, which SageMaker writes itself, may not be forged", async () => {
    expect(await put("ml-dev", "acme-ml-sm-alice", "/aws/sagemaker/TrainingJobs")).toBe("Allowed");
    expect(await put("ml-dev", "acme-ml-churn-dev", "/aws/sagemaker/ProcessingJobs")).toBe("Allowed");
    expect(await put("ml-dev", "acme-ml-sm-alice", "/aws/sagemaker/Endpoints")).not.toBe("Allowed");
    expect(await put("ml-dev", "acme-ml-sm-alice", "AWS/SageMaker")).not.toBe("Allowed");
    expect(await put("ml-prod", "acme-ml-churn-prod", "/aws/sagemaker/Endpoints")).not.toBe("Allowed");
  });
});

describe("container images", () => {
  const repo = (account: string) => `arn:aws:ecr:us-east-1:${account}:repository/team/xgboost`;
  // A repository policy that admits anyone: what decides is then the role's own policy.
  const open = { name: "repository policy admitting anyone", document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "ecr:*", Resource: "*" }] } } as any;
  const pull = async (principal: string, account: string, orgId: string) =>
    (await ev.evaluate({ principalArn: principal, action: "ecr:BatchGetImage", resourceArn: repo(account), resourceAccountId: account, context: { "aws:ResourceOrgID": orgId }, resourcePolicy: open, step: "s3" })).decision;

  test("come from repositories of the organization only", async () => {
    expect(await pull(ALICE, DEV, "o-a1b2c3d4e5")).toBe("Allowed");
    expect(await pull(ALICE, "222222222222", "o-a1b2c3d4e5")).toBe("Allowed");
    expect(await pull(ALICE, "999999999999", "o-zzzzzzzzzz")).not.toBe("Allowed");
    expect(await pull(CHURN_PROD, PROD, "o-a1b2c3d4e5")).toBe("Allowed");
    expect(await pull(CHURN_PROD, "999999999999", "o-zzzzzzzzzz")).not.toBe("Allowed");
  });
});

describe("network interfaces of a user's jobs", () => {
  const ec2 = (rest: string) => `arn:aws:ec2:us-east-1:${DEV}:${rest}`;
  const eni = ec2("network-interface/eni-0123456789abcdef0");
  test("are deleted and shared only in the domain's subnets", async () => {
    for (const action of ["ec2:DeleteNetworkInterface", "ec2:CreateNetworkInterfacePermission"]) {
      expect(await may(BOB, action, eni, { "ec2:Subnet": ec2("subnet/subnet-0a1b2c3d4e5f60718") })).toBe("Allowed");
      expect(await may(BOB, action, eni, { "ec2:Subnet": ec2("subnet/subnet-0fffffffffffffff0") })).not.toBe("Allowed");
    }
  });
});

describe("scope names never overlap", () => {
  test("users and projects whose names prefix each other at a '-' are refused", () => {
    const input = referenceInput();
    input.sagemaker.domains[0].users.push({ name: "alice-lee" });
    expect(problemsOf(input).join("\n")).toMatch(/alice.*alice-lee|alice-lee.*alice/);
    const project = referenceInput();
    project.sagemaker.domains[0].users.push({ name: "churn" });
    expect(problemsOf(project).join("\n")).toMatch(/churn/);
  });
});
