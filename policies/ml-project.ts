/**
 * What an ML project's role may do in each environment, scoped by ARN patterns that carry
 * the project's name (`<name>-*`): build and train in the first environment, test in the
 * middle ones, deploy in the last. Jobs and models are created only in the account's network
 * (`accounts.<key>.network`, else its SageMaker domain's) when it has one. No `sagemaker:*`,
 * no Allow without a resource.
 */
import { ProjectEnvironment } from "../config/grants";
import { Statement } from "./document";
import {
  inOwnSubnets,
  jobMetricsStatement,
  logGroupArn,
  networkInterfaceStatements,
  organizationImagesStatements,
  ownLogStatements,
  RuntimeScope,
} from "./sagemaker-runtime";

/** The ARN of the project's model package group (in the registry account). */
export function modelPackageGroupArn(env: ProjectEnvironment, group: string): string {
  const r = env.registry;
  return `arn:${r.partition}:sagemaker:${r.region}:${r.id}:model-package-group/${group}`;
}

/** The ARN pattern of the group's model package versions. */
export function modelPackagesArn(env: ProjectEnvironment, group: string): string {
  const r = env.registry;
  return `arn:${r.partition}:sagemaker:${r.region}:${r.id}:model-package/${group}/*`;
}

/** The approval statuses an approver may set. */
export const APPROVAL_DECISIONS = ["Approved", "Rejected"] as const;

/** The only status a version may be registered with. */
export const PENDING_APPROVAL = "PendingManualApproval";

/** The ARN prefix of SageMaker resources in the environment's account. */
function sm(env: ProjectEnvironment): string {
  const a = env.account;
  return `arn:${a.partition}:sagemaker:${a.region}:${a.id}`;
}

/** The log group of one of the project's endpoints (pattern). */
function endpointLogGroups(env: ProjectEnvironment): string {
  return `/aws/sagemaker/Endpoints/${env.project.name}-*`;
}

/** The SageMaker resources that may assume the role (its trust's aws:SourceArn). */
export function projectSourceArns(env: ProjectEnvironment): string[] {
  const base = sm(env);
  const n = env.project.name;
  const kinds =
    env.stage === "build"
      ? ["training-job", "processing-job", "hyper-parameter-tuning-job", "pipeline"]
      : env.stage === "test"
        ? ["model", "endpoint", "endpoint-config", "processing-job", "pipeline"]
        : ["model", "endpoint", "endpoint-config"];
  return [`${base}:project/${n}`, ...kinds.map((k) => `${base}:${k}/${n}-*`)];
}

/** The run-time scope of the environment's role: its name, its account's network. */
function runtimeOf(env: ProjectEnvironment, organizationId: string): RuntimeScope | undefined {
  const a = env.account;
  const net = a.network;
  if (!net) return undefined;
  return { partition: a.partition, region: a.region, accountId: a.id, organizationId, scopeName: env.project.name, vpcId: net.vpcId, subnetIds: net.subnetIds };
}

/**
 * Statements creating the role's own resources, split so that the ones taking a VPC are held
 * to the account's subnets (required for jobs and models; endpoint configs may name none,
 * their endpoints then run in their models' network).
 */
function createStatements(sid: string, env: ProjectEnvironment, vpcActions: readonly string[], resources: readonly string[], optionalVpcActions: readonly string[] = []): Statement[] {
  const net = env.account.network;
  const out: Statement[] = [];
  if (vpcActions.length) out.push({ sid, effect: "Allow", actions: vpcActions, resources, ...(net ? { conditions: inOwnSubnets(net.subnetIds) } : {}) });
  if (optionalVpcActions.length) {
    out.push({
      sid: `${sid}NetworkOptional`,
      effect: "Allow",
      actions: optionalVpcActions,
      resources,
      ...(net ? { conditions: { "ForAllValues:StringEquals": { "sagemaker:VpcSubnets": [...net.subnetIds] } } } : {}),
    });
  }
  return out;
}

/** The role's statements in its environment. */
export function projectRoleStatements(env: ProjectEnvironment, organizationId: string): Statement[] {
  const base = sm(env);
  const n = env.project.name;
  const group = env.project.modelPackageGroup;
  const a = env.account;
  const own = (kind: string) => `${base}:${kind}/${n}-*`;
  const runtime = runtimeOf(env, organizationId);
  const logScope = { partition: a.partition, region: a.region, accountId: a.id, scopeName: n };
  const serving = env.stage !== "build";
  const out: Statement[] = [
    {
      sid: "PassOwnRoleToSageMakerOnly",
      effect: "Allow",
      actions: ["iam:PassRole"],
      resources: [env.role.roleArn],
      conditions: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
    },
    // Job streams are named after the job (`<name>-*`); an endpoint's group after the endpoint.
    ...ownLogStatements(
      logScope,
      serving ? [endpointLogGroups(env)] : [],
      serving ? [`${logGroupArn(logScope, endpointLogGroups(env))}:log-stream:*`] : [],
    ),
    { sid: "DescribeOwnProject", effect: "Allow", actions: ["sagemaker:DescribeProject"], resources: [`${base}:project/${n}`] },
    ...organizationImagesStatements({ ...logScope, organizationId }),
    ...(runtime ? networkInterfaceStatements(runtime) : []),
  ];
  if (env.stage !== "deploy") out.push(jobMetricsStatement());

  if (env.stage === "build") {
    const jobs = ["training-job", "processing-job", "hyper-parameter-tuning-job"].map(own);
    out.push(
      ...createStatements("RunJobsInOwnNetwork", env, ["sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob", "sagemaker:CreateHyperParameterTuningJob"], jobs),
      {
        sid: "ManageOwnJobs",
        effect: "Allow",
        actions: [
          "sagemaker:DescribeTrainingJob",
          "sagemaker:StopTrainingJob",
          "sagemaker:DescribeProcessingJob",
          "sagemaker:StopProcessingJob",
          "sagemaker:DescribeHyperParameterTuningJob",
          "sagemaker:StopHyperParameterTuningJob",
          "sagemaker:AddTags",
        ],
        resources: jobs,
      },
      {
        sid: "Experiments",
        effect: "Allow",
        actions: [
          "sagemaker:CreateExperiment",
          "sagemaker:DescribeExperiment",
          "sagemaker:CreateTrial",
          "sagemaker:DescribeTrial",
          "sagemaker:CreateTrialComponent",
          "sagemaker:DescribeTrialComponent",
          "sagemaker:UpdateTrialComponent",
          "sagemaker:AssociateTrialComponent",
          "sagemaker:BatchPutMetrics",
        ],
        resources: ["experiment", "experiment-trial", "experiment-trial-component", "training-job"].map(own),
      },
      {
        sid: "Pipelines",
        effect: "Allow",
        actions: [
          "sagemaker:CreatePipeline",
          "sagemaker:UpdatePipeline",
          "sagemaker:DescribePipeline",
          "sagemaker:StartPipelineExecution",
          "sagemaker:DescribePipelineExecution",
          "sagemaker:ListPipelineExecutionSteps",
        ],
        resources: [own("pipeline"), `${base}:pipeline/${n}-*/execution/*`],
      },
    );
    if (group) {
      out.push(
        {
          // Registered versions wait for approval: the build role can never approve its own models.
          sid: "RegisterModelsPendingApproval",
          effect: "Allow",
          actions: ["sagemaker:CreateModelPackage"],
          resources: [modelPackagesArn(env, group), modelPackageGroupArn(env, group)],
          conditions: { StringEquals: { "sagemaker:ModelApprovalStatus": PENDING_APPROVAL } },
        },
        readRegistry(env, group),
      );
    }
    return out;
  }

  // Test and deploy: models, endpoint configs and endpoints of this project only.
  const resources = [own("model"), own("endpoint-config"), own("endpoint")];
  const prefix = env.stage === "test" ? "Test" : "Deploy";
  out.push(
    ...createStatements(`${prefix}ModelsInOwnNetwork`, env, ["sagemaker:CreateModel"], resources, ["sagemaker:CreateEndpointConfig"]),
    {
      sid: `${prefix}Endpoints`,
      effect: "Allow",
      actions:
        env.stage === "test"
          ? [
              "sagemaker:DescribeModel",
              "sagemaker:DeleteModel",
              "sagemaker:DescribeEndpointConfig",
              "sagemaker:DeleteEndpointConfig",
              "sagemaker:CreateEndpoint",
              "sagemaker:UpdateEndpoint",
              "sagemaker:DescribeEndpoint",
              "sagemaker:DeleteEndpoint",
              "sagemaker:InvokeEndpoint",
              "sagemaker:AddTags",
            ]
          : ["sagemaker:DescribeModel", "sagemaker:DescribeEndpointConfig", "sagemaker:CreateEndpoint", "sagemaker:UpdateEndpoint", "sagemaker:DescribeEndpoint", "sagemaker:AddTags"],
      resources,
    },
  );
  if (group) {
    out.push(readRegistry(env, group));
    if (env.approves) {
      out.push({
        sid: "ApproveOrRejectModels",
        effect: "Allow",
        actions: ["sagemaker:UpdateModelPackage"],
        resources: [modelPackagesArn(env, group)],
        conditions: { StringEquals: { "sagemaker:ModelApprovalStatus": [...APPROVAL_DECISIONS] } },
      });
    }
  }
  return out;
}

/** Reading the project's registry. */
function readRegistry(env: ProjectEnvironment, group: string): Statement {
  return {
    sid: "ReadRegistry",
    effect: "Allow",
    actions: ["sagemaker:DescribeModelPackageGroup", "sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"],
    resources: [modelPackageGroupArn(env, group), modelPackagesArn(env, group)],
  };
}
