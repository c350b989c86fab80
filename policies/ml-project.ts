/**
 * What an ML project's role may do in each environment, scoped by ARN patterns that carry
 * the project's name (`<name>-*`): build and train in the first environment, test in the
 * middle ones, deploy in the last. No `sagemaker:*`, no Allow without a resource.
 */
import { ProjectEnvironment } from "../config/grants";
import { Statement } from "./document";

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

/** The ARN prefix of SageMaker resources in the environment's account. */
function sm(env: ProjectEnvironment): string {
  const a = env.account;
  return `arn:${a.partition}:sagemaker:${a.region}:${a.id}`;
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

/** The role's statements in its environment. */
export function projectRoleStatements(env: ProjectEnvironment): Statement[] {
  const base = sm(env);
  const n = env.project.name;
  const group = env.project.modelPackageGroup;
  const a = env.account;
  const own = (kind: string) => `${base}:${kind}/${n}-*`;
  const out: Statement[] = [
    {
      sid: "PassOwnRoleToSageMakerOnly",
      effect: "Allow",
      actions: ["iam:PassRole"],
      resources: [env.role.roleArn],
      conditions: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
    },
    {
      sid: "WriteSageMakerLogs",
      effect: "Allow",
      actions: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
      resources: [`arn:${a.partition}:logs:${a.region}:${a.id}:log-group:/aws/sagemaker/*`],
    },
    {
      sid: "PutSageMakerMetrics",
      effect: "Allow",
      actions: ["cloudwatch:PutMetricData"],
      resources: ["*"],
      conditions: { StringLike: { "cloudwatch:namespace": "/aws/sagemaker/*" } },
    },
    { sid: "DescribeOwnProject", effect: "Allow", actions: ["sagemaker:DescribeProject"], resources: [`${base}:project/${n}`] },
  ];

  if (env.stage === "build") {
    const jobs = ["training-job", "processing-job", "hyper-parameter-tuning-job"].map(own);
    out.push(
      {
        sid: "TrainAndProcess",
        effect: "Allow",
        actions: [
          "sagemaker:CreateTrainingJob",
          "sagemaker:DescribeTrainingJob",
          "sagemaker:StopTrainingJob",
          "sagemaker:CreateProcessingJob",
          "sagemaker:DescribeProcessingJob",
          "sagemaker:StopProcessingJob",
          "sagemaker:CreateHyperParameterTuningJob",
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
          conditions: { StringEquals: { "sagemaker:ModelApprovalStatus": "PendingManualApproval" } },
        },
        {
          sid: "ReadRegistry",
          effect: "Allow",
          actions: ["sagemaker:DescribeModelPackageGroup", "sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"],
          resources: [modelPackageGroupArn(env, group), modelPackagesArn(env, group)],
        },
      );
    }
    return out;
  }

  // Test and deploy: models, endpoint configs and endpoints of this project only.
  const serving = [own("model"), own("endpoint-config"), own("endpoint")];
  out.push({
    sid: env.stage === "test" ? "TestEndpoints" : "DeployEndpoints",
    effect: "Allow",
    actions:
      env.stage === "test"
        ? [
            "sagemaker:CreateModel",
            "sagemaker:DescribeModel",
            "sagemaker:DeleteModel",
            "sagemaker:CreateEndpointConfig",
            "sagemaker:DescribeEndpointConfig",
            "sagemaker:DeleteEndpointConfig",
            "sagemaker:CreateEndpoint",
            "sagemaker:UpdateEndpoint",
            "sagemaker:DescribeEndpoint",
            "sagemaker:DeleteEndpoint",
            "sagemaker:InvokeEndpoint",
            "sagemaker:AddTags",
          ]
        : [
            "sagemaker:CreateModel",
            "sagemaker:DescribeModel",
            "sagemaker:CreateEndpointConfig",
            "sagemaker:DescribeEndpointConfig",
            "sagemaker:CreateEndpoint",
            "sagemaker:UpdateEndpoint",
            "sagemaker:DescribeEndpoint",
            "sagemaker:AddTags",
          ],
    resources: serving,
  });
  if (group) {
    out.push({
      sid: "ReadRegistry",
      effect: "Allow",
      actions: ["sagemaker:DescribeModelPackageGroup", "sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"],
      resources: [modelPackageGroupArn(env, group), modelPackagesArn(env, group)],
    });
    if (env.stage === "test") {
      out.push({
        sid: "ApproveOrRejectModels",
        effect: "Allow",
        actions: ["sagemaker:UpdateModelPackage"],
        resources: [modelPackagesArn(env, group)],
        conditions: { StringEquals: { "sagemaker:ModelApprovalStatus": ["Approved", "Rejected"] } },
      });
    }
  }
  return out;
}
