/**
 * What a SageMaker execution role needs at run time, whoever it belongs to (a Studio user or
 * an ML project): network interfaces in its own subnets, its own log streams, the metrics
 * namespaces jobs write, and container images of its organization. Every scope names the
 * principal's own resources (`<name>-*`); config/rules refuses two scope names of one account
 * where one is a prefix of the other at a `-` boundary, so `<name>-*` never reaches another
 * principal's resources.
 */
import { Statement } from "./document";

/** Where a role's jobs run and what they are called. */
export interface RuntimeScope {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** The organization id: container images are pulled from repositories of the organization only. */
  readonly organizationId: string;
  /** The scope name: the role's jobs, and so their log streams, are named `<scopeName>-*`. */
  readonly scopeName: string;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  /** Security groups jobs may use: explicit ids, or every group of the VPC when absent. */
  readonly securityGroupIds?: readonly string[];
}

/** The CloudWatch Logs groups SageMaker jobs write, with one stream per job instance named `<job>/...`. */
export const JOB_LOG_GROUPS = ["/aws/sagemaker/TrainingJobs", "/aws/sagemaker/ProcessingJobs", "/aws/sagemaker/TransformJobs"] as const;

/** The metric namespaces training and processing jobs write through the execution role. */
export const JOB_METRIC_NAMESPACES = ["/aws/sagemaker/TrainingJobs", "/aws/sagemaker/ProcessingJobs"] as const;

/** The ARN of a log group (without the `:*` stream suffix). */
export function logGroupArn(s: Pick<RuntimeScope, "partition" | "region" | "accountId">, group: string): string {
  return `arn:${s.partition}:logs:${s.region}:${s.accountId}:log-group:${group}`;
}

/** The ARN pattern of the streams of a log group whose names start with `streamPrefix`. */
export function logStreamsArn(s: Pick<RuntimeScope, "partition" | "region" | "accountId">, group: string, streamPrefix: string): string {
  return `${logGroupArn(s, group)}:log-stream:${streamPrefix}*`;
}

/**
 * Logs of the role's own jobs: streams `<scopeName>-*` of the job log groups, and any
 * `extraStreams` (ARN patterns of other streams the role owns, e.g. a Studio user's app
 * streams). DescribeLogStreams authorizes on the group: it lists stream names, not events.
 */
export function ownLogStatements(s: Pick<RuntimeScope, "partition" | "region" | "accountId" | "scopeName">, extraGroups: readonly string[] = [], extraStreams: readonly string[] = []): Statement[] {
  const groups = [...JOB_LOG_GROUPS, ...extraGroups];
  return [
    {
      sid: "CreateJobLogGroups",
      effect: "Allow",
      actions: ["logs:CreateLogGroup", "logs:DescribeLogStreams"],
      resources: groups.map((g) => logGroupArn(s, g)),
    },
    {
      sid: "OwnLogStreams",
      effect: "Allow",
      actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:GetLogEvents"],
      resources: [...JOB_LOG_GROUPS.map((g) => logStreamsArn(s, g, `${s.scopeName}-`)), ...extraStreams],
    },
  ];
}

/** Metrics of training and processing jobs; endpoint and other namespaces are SageMaker's own. */
export function jobMetricsStatement(): Statement {
  return {
    sid: "PutJobMetrics",
    effect: "Allow",
    actions: ["cloudwatch:PutMetricData"],
    resources: ["*"],
    conditions: { StringEquals: { "cloudwatch:namespace": [...JOB_METRIC_NAMESPACES] } },
  };
}

/** Container images from repositories of the organization's accounts (SageMaker's own images are pulled by the service). */
export function organizationImagesStatements(s: Pick<RuntimeScope, "partition" | "region" | "organizationId">): Statement[] {
  return [
    {
      sid: "PullOrganizationImages",
      effect: "Allow",
      actions: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
      resources: [`arn:${s.partition}:ecr:${s.region}:*:repository/*`],
      conditions: { StringEquals: { "aws:ResourceOrgID": s.organizationId } },
    },
    { sid: "EcrToken", effect: "Allow", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
  ];
}

/**
 * The network interfaces SageMaker makes for the role's jobs: created only in the role's
 * subnets with security groups of its VPC, and managed only where they are in those subnets.
 * (EC2 authorizes CreateNetworkInterface on the new interface, the subnet and the security
 * group separately; the new interface carries no subnet key yet, so the subnet ARNs bound it.)
 */
export function networkInterfaceStatements(s: RuntimeScope): Statement[] {
  const ec2 = `arn:${s.partition}:ec2:${s.region}:${s.accountId}`;
  const subnets = s.subnetIds.map((id) => `${ec2}:subnet/${id}`);
  const groups: Statement = s.securityGroupIds?.length
    ? { sid: "UseOwnSecurityGroups", effect: "Allow", actions: ["ec2:CreateNetworkInterface"], resources: s.securityGroupIds.map((id) => `${ec2}:security-group/${id}`) }
    : {
        sid: "UseSecurityGroupsOfOwnVpc",
        effect: "Allow",
        actions: ["ec2:CreateNetworkInterface"],
        resources: [`${ec2}:security-group/*`],
        conditions: { ArnEquals: { "ec2:Vpc": `${ec2}:vpc/${s.vpcId}` } },
      };
  return [
    {
      sid: "CreateNetworkInterfacesInOwnSubnets",
      effect: "Allow",
      actions: ["ec2:CreateNetworkInterface"],
      resources: [...subnets, `${ec2}:network-interface/*`],
    },
    groups,
    {
      sid: "ManageNetworkInterfacesInOwnSubnets",
      effect: "Allow",
      actions: ["ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission"],
      resources: [`${ec2}:network-interface/*`],
      conditions: { ArnEquals: { "ec2:Subnet": subnets } },
    },
    {
      sid: "DescribeNetwork",
      effect: "Allow",
      actions: ["ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeDhcpOptions"],
      resources: ["*"],
    },
  ];
}

/** The condition that keeps a create request in the role's subnets (`sagemaker:VpcSubnets` present and all of them ours). */
export function inOwnSubnets(subnetIds: readonly string[]): Statement["conditions"] {
  return {
    "ForAllValues:StringEquals": { "sagemaker:VpcSubnets": [...subnetIds] },
    Null: { "sagemaker:VpcSubnets": false },
  };
}
