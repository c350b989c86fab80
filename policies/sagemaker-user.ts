/**
 * What a SageMaker Studio user's execution role may do besides reading its data: run its
 * own Studio apps and spaces, its own jobs (named `<user>-*`, inside the domain's subnets),
 * write their logs and metrics, and pass itself, only to SageMaker. Scoped to the domain's
 * and the user's ARNs wherever AWS supports resource scoping; the few actions AWS only
 * authorizes on `*` (List*, ec2:Describe*, ecr:GetAuthorizationToken) are listed as such.
 */
import { Statement } from "./document";

/** Where the user lives. */
export interface SagemakerUserScope {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** The domain id (a reference inside the stack). */
  readonly domainId: string;
  readonly userName: string;
  /** The user's own execution role ARN (for iam:PassRole). */
  readonly roleArn: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupId: string;
}

/** The user's profile ARN. */
export function userProfileArn(s: Pick<SagemakerUserScope, "partition" | "region" | "accountId" | "domainId" | "userName">): string {
  return `arn:${s.partition}:sagemaker:${s.region}:${s.accountId}:user-profile/${s.domainId}/${s.userName}`;
}

/** The domain's ARN. */
export function domainArn(s: Pick<SagemakerUserScope, "partition" | "region" | "accountId" | "domainId">): string {
  return `arn:${s.partition}:sagemaker:${s.region}:${s.accountId}:domain/${s.domainId}`;
}

/** The execution role's statements for Studio and the user's jobs. */
export function sagemakerUserStatements(s: SagemakerUserScope): Statement[] {
  const sm = `arn:${s.partition}:sagemaker:${s.region}:${s.accountId}`;
  const profile = userProfileArn(s);
  const ownJobs = ["training-job", "processing-job", "hyper-parameter-tuning-job"].map((t) => `${sm}:${t}/${s.userName}-*`);
  const ec2 = `arn:${s.partition}:ec2:${s.region}:${s.accountId}`;
  return [
    {
      sid: "DescribeOwnDomainAndProfile",
      effect: "Allow",
      actions: ["sagemaker:DescribeDomain", "sagemaker:DescribeUserProfile"],
      resources: [domainArn(s), profile],
    },
    {
      sid: "OwnStudioApps",
      effect: "Allow",
      actions: ["sagemaker:CreateApp", "sagemaker:DeleteApp", "sagemaker:DescribeApp"],
      resources: [`${sm}:app/${s.domainId}/${s.userName}/*`],
    },
    {
      // Only these actions carry sagemaker:OwnerUserProfileArn: a space and its apps are the user's own.
      sid: "OwnSpaces",
      effect: "Allow",
      actions: ["sagemaker:CreateSpace", "sagemaker:UpdateSpace", "sagemaker:DeleteSpace", "sagemaker:CreateApp", "sagemaker:DeleteApp"],
      resources: [`${sm}:space/${s.domainId}/*`, `${sm}:app/${s.domainId}/*`],
      conditions: { ArnEquals: { "sagemaker:OwnerUserProfileArn": profile } },
    },
    {
      sid: "DescribeDomainSpaces",
      effect: "Allow",
      actions: ["sagemaker:DescribeSpace", "sagemaker:DescribeApp"],
      resources: [`${sm}:space/${s.domainId}/*`, `${sm}:app/${s.domainId}/*`],
    },
    {
      sid: "RunOwnJobsInDomainSubnets",
      effect: "Allow",
      actions: ["sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob", "sagemaker:CreateHyperParameterTuningJob"],
      resources: ownJobs,
      conditions: {
        "ForAllValues:StringEquals": { "sagemaker:VpcSubnets": [...s.subnetIds] },
        Null: { "sagemaker:VpcSubnets": false },
      },
    },
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
        "sagemaker:ListTags",
      ],
      resources: ownJobs,
    },
    {
      sid: "ListStudioResources",
      effect: "Allow",
      actions: ["sagemaker:ListApps", "sagemaker:ListSpaces", "sagemaker:ListTrainingJobs", "sagemaker:ListProcessingJobs", "sagemaker:ListHyperParameterTuningJobs"],
      resources: ["*"],
    },
    {
      sid: "PassOwnRoleToSageMakerOnly",
      effect: "Allow",
      actions: ["iam:PassRole"],
      resources: [s.roleArn],
      conditions: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
    },
    {
      sid: "WriteSageMakerLogs",
      effect: "Allow",
      actions: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:GetLogEvents"],
      resources: [`arn:${s.partition}:logs:${s.region}:${s.accountId}:log-group:/aws/sagemaker/*`],
    },
    {
      sid: "PutSageMakerMetrics",
      effect: "Allow",
      actions: ["cloudwatch:PutMetricData"],
      resources: ["*"],
      conditions: { StringLike: { "cloudwatch:namespace": "/aws/sagemaker/*" } },
    },
    {
      sid: "JobNetworkInterfacesInDomainSubnets",
      effect: "Allow",
      actions: ["ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission"],
      resources: [...s.subnetIds.map((id) => `${ec2}:subnet/${id}`), `${ec2}:security-group/${s.securityGroupId}`, `${ec2}:network-interface/*`],
    },
    {
      sid: "DescribeNetwork",
      effect: "Allow",
      actions: ["ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeDhcpOptions"],
      resources: ["*"],
    },
    {
      sid: "PullContainerImages",
      effect: "Allow",
      actions: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
      resources: [`arn:${s.partition}:ecr:${s.region}:*:repository/*`],
    },
    { sid: "EcrToken", effect: "Allow", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
  ];
}

/** The statements of the managed policy that lets one person open one user's Studio. */
export function studioAccessStatements(s: Pick<SagemakerUserScope, "partition" | "region" | "accountId" | "domainId" | "userName">): Statement[] {
  return [
    {
      sid: "OpenOwnStudio",
      effect: "Allow",
      actions: ["sagemaker:CreatePresignedDomainUrl"],
      resources: [userProfileArn(s)],
    },
    {
      sid: "DescribeDomainAndOwnProfile",
      effect: "Allow",
      actions: ["sagemaker:DescribeDomain", "sagemaker:DescribeUserProfile"],
      resources: [domainArn(s), userProfileArn(s)],
    },
    {
      sid: "ListDomainsAndProfiles",
      effect: "Allow",
      actions: ["sagemaker:ListDomains", "sagemaker:ListUserProfiles", "sagemaker:ListApps", "sagemaker:ListSpaces"],
      resources: ["*"],
    },
  ];
}
