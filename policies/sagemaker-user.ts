/**
 * What a SageMaker Studio user's execution role may do besides reading its data: run its
 * own Studio apps and spaces, its own jobs (named `<user>-*`, inside the domain's subnets),
 * write their own log streams and job metrics, pull images of the organization, and pass
 * itself, only to SageMaker. Scoped to the domain's
 * and the user's ARNs wherever AWS supports resource scoping; the few actions AWS only
 * authorizes on `*` (List*, ec2:Describe*, ecr:GetAuthorizationToken) are listed as such.
 */
import { Statement } from "./document";
import { inOwnSubnets, jobMetricsStatement, logStreamsArn, networkInterfaceStatements, organizationImagesStatements, ownLogStatements, RuntimeScope } from "./sagemaker-runtime";

/** The log group of Studio apps. */
export const STUDIO_LOG_GROUP = "/aws/sagemaker/studio";

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
  readonly vpcId: string;
  readonly securityGroupId: string;
  /** The organization id: container images come from repositories of its accounts only. */
  readonly organizationId: string;
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
  const runtime: RuntimeScope = { ...s, scopeName: s.userName, securityGroupIds: [s.securityGroupId] };
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
      conditions: inOwnSubnets(s.subnetIds),
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
    // Studio writes each app's log stream as <domain>/<user profile>/<app type>/<app name>.
    ...ownLogStatements(runtime, [STUDIO_LOG_GROUP], [logStreamsArn(s, STUDIO_LOG_GROUP, `${s.domainId}/${s.userName}/`)]),
    jobMetricsStatement(),
    ...networkInterfaceStatements(runtime),
    ...organizationImagesStatements(s),
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
