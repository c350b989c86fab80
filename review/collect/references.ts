/**
 * The value of a `${type.id.attribute}` reference to a resource of the same stack, as AWS
 * will see it. Values known only after apply get deterministic stand-ins: a KMS key's id is
 * its logical id and its ARN {@link syntheticKeyArn}; an OU's id is
 * `ou-synthetic-<logical id>`; a created account's id is `synthetic-account-<logical id>`; a
 * SageMaker domain's id is `d-synthetic-<logical id>`, a security group's
 * `sg-synthetic-<logical id>`, a VPC endpoint's `vpce-synthetic-<logical id>`.
 */
import { accessPointArn, bucketArn } from "../../config/naming";
import { asReference, Reference, StackContext } from "./stack";
import { syntheticKeyArn } from "./types";

/** The value of a reference, or undefined when the review does not model it. */
export function referenceValue(ctx: StackContext, ref: Reference): string | undefined {
  const config = ctx.resources[ref.type]?.[ref.id];
  if (!config) return undefined;
  const w = ctx.where(config);
  const a = (name: string) => ctx.attr(config, ref.type, ref.id, name);
  switch (ref.type) {
    case "aws_s3_bucket": {
      const name = a("bucket");
      if (!name) return undefined;
      if (ref.attribute === "id" || ref.attribute === "bucket") return name;
      if (ref.attribute === "arn") return bucketArn(w.partition, name);
      if (ref.attribute === "region") return w.region;
      if (ref.attribute === "bucket_regional_domain_name") return `${name}.s3.${w.region}.amazonaws.com`;
      return undefined;
    }
    case "aws_kms_key":
      if (ref.attribute === "arn") return syntheticKeyArn(w.partition, w.region, w.accountId, ref.id);
      if (ref.attribute === "key_id" || ref.attribute === "id") return ref.id;
      return undefined;
    case "aws_kms_alias": {
      const name = a("name");
      if (!name) return undefined;
      if (ref.attribute === "name" || ref.attribute === "id") return name;
      if (ref.attribute === "arn") return `arn:${w.partition}:kms:${w.region}:${w.accountId}:${name}`;
      if (ref.attribute === "target_key_arn") {
        const target = asReference(config.target_key_id);
        return target?.type === "aws_kms_key" ? ctx.resolveExpression(`aws_kms_key.${target.id}.arn`) : undefined;
      }
      return undefined;
    }
    case "aws_iam_role": {
      const name = a("name");
      if (!name) return undefined;
      if (ref.attribute === "name" || ref.attribute === "id") return name;
      if (ref.attribute === "arn") return `arn:${w.partition}:iam::${w.accountId}:role${ctx.iamPath(config, ref)}${name}`;
      return undefined;
    }
    case "aws_iam_policy": {
      const name = a("name");
      if (!name) return undefined;
      const arn = `arn:${w.partition}:iam::${w.accountId}:policy${ctx.iamPath(config, ref)}${name}`;
      if (ref.attribute === "name") return name;
      if (ref.attribute === "arn" || ref.attribute === "id") return arn;
      return undefined;
    }
    case "aws_s3_access_point": {
      const name = a("name");
      if (!name) return undefined;
      const account = (config.account_id !== undefined ? a("account_id") : undefined) ?? w.accountId;
      if (ref.attribute === "name") return name;
      if (ref.attribute === "arn") return accessPointArn(w.partition, w.region, account, name);
      if (ref.attribute === "id") return `${account}:${name}`;
      return undefined;
    }
    case "aws_sagemaker_model_package_group": {
      const name = a("model_package_group_name");
      if (!name) return undefined;
      if (ref.attribute === "model_package_group_name" || ref.attribute === "id") return name;
      if (ref.attribute === "arn") return `arn:${w.partition}:sagemaker:${w.region}:${w.accountId}:model-package-group/${name}`;
      return undefined;
    }
    case "aws_sagemaker_domain": {
      const id = `d-synthetic-${ref.id}`;
      if (ref.attribute === "id") return id;
      if (ref.attribute === "arn") return `arn:${w.partition}:sagemaker:${w.region}:${w.accountId}:domain/${id}`;
      if (ref.attribute === "domain_name") return a("domain_name");
      return undefined;
    }
    case "aws_sagemaker_user_profile": {
      const name = a("user_profile_name");
      const domain = ctx.str(config.domain_id, `${ref.type}.${ref.id}`, "domain_id");
      if (!name || !domain) return undefined;
      if (ref.attribute === "user_profile_name") return name;
      if (ref.attribute === "arn" || ref.attribute === "id") return `arn:${w.partition}:sagemaker:${w.region}:${w.accountId}:user-profile/${domain}/${name}`;
      return undefined;
    }
    case "aws_security_group":
      if (ref.attribute === "id") return `sg-synthetic-${ref.id}`;
      if (ref.attribute === "arn") return `arn:${w.partition}:ec2:${w.region}:${w.accountId}:security-group/sg-synthetic-${ref.id}`;
      return undefined;
    case "aws_vpc_endpoint":
      if (ref.attribute === "id") return `vpce-synthetic-${ref.id}`;
      if (ref.attribute === "arn") return `arn:${w.partition}:ec2:${w.region}:${w.accountId}:vpc-endpoint/vpce-synthetic-${ref.id}`;
      return undefined;
    case "aws_organizations_organizational_unit":
      if (ref.attribute === "id") return `ou-synthetic-${ref.id}`;
      if (ref.attribute === "name") return a("name");
      return undefined;
    case "aws_organizations_account":
      if (ref.attribute === "id") return `synthetic-account-${ref.id}`;
      if (ref.attribute === "name") return a("name");
      return undefined;
    case "aws_ram_resource_share":
      if (ref.attribute === "arn" || ref.attribute === "id") return `arn:${w.partition}:ram:${w.region}:${w.accountId}:resource-share/synthetic-${ref.id}`;
      if (ref.attribute === "name") return a("name");
      return undefined;
    case "aws_organizations_policy":
      if (ref.attribute === "id") return `p-synthetic-${ref.id}`;
      if (ref.attribute === "name") return a("name");
      return undefined;
    default:
      return undefined;
  }
}
