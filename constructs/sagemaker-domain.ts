import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SagemakerDomain as SagemakerDomainResource } from "@cdktf/provider-aws/lib/sagemaker-domain";
import { SagemakerUserProfile } from "@cdktf/provider-aws/lib/sagemaker-user-profile";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { Account, SagemakerDomain, Topology } from "../config/model";
import * as naming from "../config/naming";
import { PolicyDocument, Statement } from "../policies/document";
import { KMS_ADMIN } from "../policies/perms";
import { assertWithinQuota, policySize } from "../policies/quotas";
import { sagemakerUserStatements, studioAccessStatements, userProfileArn } from "../policies/sagemaker-user";
import { SharedKey } from "./shared-key";

/** Props of {@link SagemakerStudio}. */
export interface SagemakerStudioProps {
  readonly topology: Topology;
  readonly account: Account;
  readonly domain: SagemakerDomain;
  /** The provider aliased `consumer`. */
  readonly provider: AwsProvider;
}

/** The trust policy of a role SageMaker assumes for this account only. */
export function sagemakerTrust(name: string, accountId: string): PolicyDocument {
  const doc = new PolicyDocument(`trust policy of ${name}`, "trust").add({
    sid: "SageMakerForThisAccountOnly",
    effect: "Allow",
    principals: { Service: ["sagemaker.amazonaws.com"] },
    actions: ["sts:AssumeRole"],
    conditions: { StringEquals: { "aws:SourceAccount": accountId } },
  });
  assertWithinQuota("trust", doc.name, doc.toString());
  return doc;
}

/**
 * A SageMaker Studio domain with one user profile per data scientist: IAM auth, VPC-only
 * networking in the topology's subnets behind a security group of its own, storage encrypted
 * with a key of the account, home storage kept when the domain is deleted. Each user gets an
 * execution role of their own (data access comes from the dataset grants, which name these
 * roles) and a managed policy that opens only their Studio.
 */
export class SagemakerStudio extends Construct {
  /** The execution roles made here, by role name: dataset grants attach to them. */
  readonly executionRoles = new Map<string, IamRole>();
  /** Per execution role name, the characters its Studio inline policy takes of the role's inline quota. */
  readonly inlineUsed = new Map<string, number>();

  constructor(scope: Construct, id: string, props: SagemakerStudioProps) {
    super(scope, id);
    const { topology, account, domain, provider } = props;
    const project = topology.project;
    const region = account.region;

    const key = new SharedKey(this, "StorageKey", {
      provider,
      alias: naming.sagemakerDomainKeyAlias(project),
      description: `mlshare: SageMaker domain storage of ${account.key}`,
      statements: domainKeyStatements(account),
    });

    const sg = new SecurityGroup(this, "SecurityGroup", {
      provider,
      name: `${project}-sagemaker-domain`,
      description: "mlshare SageMaker domain: traffic within the domain, HTTPS out",
      vpcId: domain.vpcId,
      revokeRulesOnDelete: true,
    });
    new VpcSecurityGroupIngressRule(this, "IngressFromDomain", {
      provider,
      securityGroupId: sg.id,
      referencedSecurityGroupId: sg.id,
      ipProtocol: "-1",
      description: "Studio apps and jobs talk to each other",
    });
    new VpcSecurityGroupEgressRule(this, "EgressToDomain", {
      provider,
      securityGroupId: sg.id,
      referencedSecurityGroupId: sg.id,
      ipProtocol: "-1",
      description: "Studio apps and jobs talk to each other",
    });
    new VpcSecurityGroupEgressRule(this, "EgressHttps", {
      provider,
      securityGroupId: sg.id,
      cidrIpv4: "0.0.0.0/0",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      description: "HTTPS to AWS APIs (VPC endpoints or NAT)",
    });

    // The fallback role of the domain: no permissions at all, so no data access.
    const defaultRoleName = naming.sagemakerDefaultRoleName(project);
    const defaultRole = new IamRole(this, "DefaultExecutionRole", {
      provider,
      name: defaultRoleName,
      description: "mlshare: SageMaker domain default execution role, without permissions",
      assumeRolePolicy: sagemakerTrust(defaultRoleName, account.id).toString(),
    });

    const studio = new SagemakerDomainResource(this, "Domain", {
      provider,
      domainName: `${project}-${account.key}`,
      authMode: "IAM",
      appNetworkAccessType: "VpcOnly",
      vpcId: domain.vpcId,
      subnetIds: [...domain.subnetIds],
      kmsKeyId: key.arn,
      defaultUserSettings: { executionRole: defaultRole.arn, securityGroups: [sg.id] },
      defaultSpaceSettings: { executionRole: defaultRole.arn, securityGroups: [sg.id] },
      retentionPolicy: { homeEfsFileSystem: "Retain" },
    });

    const users: Record<string, unknown> = {};
    for (const user of domain.users) {
      const roleName = naming.sagemakerUserRoleName(project, user.name);
      const roleArn = naming.roleArn(account.partition, account.id, roleName);
      const role = new IamRole(this, `ExecutionRole-${user.name}`, {
        provider,
        name: roleName,
        description: `mlshare: SageMaker execution role of ${user.name}`,
        assumeRolePolicy: sagemakerTrust(roleName, account.id).toString(),
      });
      this.executionRoles.set(roleName, role);
      const scope = {
        partition: account.partition,
        region,
        accountId: account.id,
        domainId: studio.id,
        userName: user.name,
        roleArn,
        subnetIds: domain.subnetIds,
        vpcId: domain.vpcId,
        securityGroupId: sg.id,
        organizationId: topology.organization.id,
      };
      const studioPolicy = identityDocument(`identity policy of ${roleName}`, sagemakerUserStatements(scope));
      // Sized with ids as long as AWS's (the references in the stack are longer than the values).
      const sized = sagemakerUserStatements({ ...scope, domainId: "d-000000000000", securityGroupId: "sg-00000000000000000" });
      this.inlineUsed.set(roleName, policySize("role-inline", identityDocument(`size of ${roleName}`, sized).toString()));
      new IamRolePolicy(this, `StudioPolicy-${user.name}`, {
        provider,
        name: `${project}-studio`,
        role: role.name,
        policy: studioPolicy.toString(),
      });
      new SagemakerUserProfile(this, `Profile-${user.name}`, {
        provider,
        domainId: studio.id,
        userProfileName: user.name,
        userSettings: { executionRole: role.arn, securityGroups: [sg.id] },
      });
      const accessName = naming.studioAccessPolicyName(project, user.name);
      const access = new IamPolicy(this, `StudioAccess-${user.name}`, {
        provider,
        name: accessName,
        description: `mlshare: opens the SageMaker Studio of ${user.name} and no other; attach to that person's role or permission set`,
        policy: identityDocument(`studio access policy ${accessName}`, studioAccessStatements(scope), "managed").toString(),
      });
      users[user.name] = {
        profileName: user.name,
        profileArn: userProfileArn(scope),
        executionRoleArn: role.arn,
        studioAccessPolicyArn: access.arn,
      };
    }

    new TerraformOutput(this, "sagemaker_domain", {
      staticId: true,
      description: "The SageMaker Studio domain of this account",
      value: { id: studio.id, url: studio.url, securityGroupId: sg.id, kmsKeyAlias: key.alias },
    });
    new TerraformOutput(this, "sagemaker_users", {
      staticId: true,
      description: "Per Studio user: profile, execution role and the policy that opens their Studio",
      value: users,
    });
  }
}

/** A checked identity document within its quota. */
function identityDocument(name: string, statements: readonly Statement[], quota: "role-inline" | "managed" = "role-inline"): PolicyDocument {
  const doc = new PolicyDocument(name, "identity");
  for (const s of statements) doc.add(s);
  assertWithinQuota(quota, name, doc.toString());
  return doc;
}

/** The domain key: the account administers it; SageMaker, EFS and EBS use it for this account. */
function domainKeyStatements(account: Account): Statement[] {
  const root = naming.accountRootArn(account.partition, account.id);
  return [
    { sid: "AccountAdministersKey", effect: "Allow", principals: { AWS: [root] }, actions: [...KMS_ADMIN], resources: ["*"] },
    {
      sid: "AccountUsesKeyThroughStorageServices",
      effect: "Allow",
      principals: { AWS: [root] },
      actions: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:DescribeKey", "kms:CreateGrant"],
      resources: ["*"],
      conditions: {
        StringEquals: {
          "kms:CallerAccount": account.id,
          "kms:ViaService": ["sagemaker", "elasticfilesystem", "ec2"].map((s) => naming.regionalServiceHost(s, account.region)),
        },
      },
    },
  ];
}
