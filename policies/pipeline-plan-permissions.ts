/**
 * What the plan role of an account may do (`pipeline`): read configuration (bucket settings
 * and policies, key policies, roles and their policies, descriptions of what the stacks
 * manage), and never data: object reads and KMS decryption are denied outright, so no other
 * policy can grant them. No AWS managed ReadOnlyAccess, which reads every object.
 */
import { dataPlanStatements } from "./pipeline-data-permissions";
import { ACCESS_POINT_READS, arns, BUCKET_READS, KEY_READS, PartStatement, PermissionScope, POLICY_READS, ROLE_READS } from "./pipeline-permissions";

/** What the plan role of an account may read, by part: configuration, never data. */
export function planStatements(s: PermissionScope): PartStatement[] {
  const r = arns(s);
  return [
    { part: "base", statement: { sid: "ReadBuckets", effect: "Allow", actions: [...BUCKET_READS], resources: [r.buckets] } },
    { part: "base", statement: { sid: "ReadAccessPoints", effect: "Allow", actions: [...ACCESS_POINT_READS], resources: [r.accessPoints] } },
    { part: "base", statement: { sid: "ReadKeys", effect: "Allow", actions: [...KEY_READS, "kms:ListAliases"], resources: ["*"] } },
    {
      part: "base",
      statement: { sid: "ReadIam", effect: "Allow", actions: [...ROLE_READS, ...POLICY_READS, "iam:GetOpenIDConnectProvider"], resources: ["*"] },
    },
    {
      part: "base",
      statement: {
        sid: "ReadServices",
        effect: "Allow",
        actions: [
          "sagemaker:DescribeDomain",
          "sagemaker:DescribeUserProfile",
          "sagemaker:DescribeModelPackageGroup",
          "sagemaker:GetModelPackageGroupPolicy",
          "sagemaker:DescribeProject",
          "sagemaker:ListTags",
          "ram:GetResourceShares",
          "ram:GetResourceShareAssociations",
          "ram:ListResourceSharePermissions",
          "ec2:DescribeVpcs",
          "ec2:DescribeSubnets",
          "ec2:DescribeSecurityGroups",
          "ec2:DescribeSecurityGroupRules",
          "servicecatalog:DescribeProvisionedProduct",
        ],
        resources: ["*"],
      },
    },
    {
      part: "management",
      statement: {
        sid: "ReadOrganization",
        effect: "Allow",
        actions: ["organizations:Describe*", "organizations:List*", "cloudformation:DescribeStackSet", "cloudformation:DescribeStackInstance", "cloudformation:ListStackInstances"],
        resources: ["*"],
      },
    },
    {
      // Data stays out of plans: no object of any bucket (datasets and model artifacts
      // included), and no use of any key to decrypt, whatever another policy allows.
      part: "base",
      statement: {
        sid: "NeverReadData",
        effect: "Deny",
        actions: ["s3:GetObject*", "s3:RestoreObject"],
        resources: ["*"],
      },
    },
    {
      part: "base",
      statement: {
        sid: "NeverDecrypt",
        effect: "Deny",
        actions: ["kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
        resources: ["*"],
      },
    },
    ...dataPlanStatements(s.data),
  ];
}
