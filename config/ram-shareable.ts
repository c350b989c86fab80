/**
 * Which resource types AWS RAM can share, by service and ARN resource type.
 * @see https://docs.aws.amazon.com/ram/latest/userguide/shareable.html (Shareable AWS resources)
 */

/** An ARN split into its parts. */
export interface ParsedArn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  /** The resource type: the part of the resource before the first `/` or `:` (the whole resource when it has neither, as for a Glue catalog). */
  readonly resourceType: string;
  readonly resource: string;
}

/** Splits an ARN, or returns undefined when the text is not one. */
export function parseArn(arn: string): ParsedArn | undefined {
  const m = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$/.exec(arn);
  if (!m) return undefined;
  const resource = m[5];
  const sep = resource.search(/[/:]/);
  return {
    partition: m[1],
    service: m[2],
    region: m[3],
    account: m[4],
    resourceType: sep === -1 ? resource : resource.slice(0, sep),
    resource,
  };
}

/** Shareable resource types per service (the ARN's resource type part). */
export const RAM_SHAREABLE: Readonly<Record<string, readonly string[]>> = {
  ec2: [
    "subnet",
    "capacity-reservation",
    "capacity-reservation-fleet",
    "prefix-list",
    "transit-gateway",
    "transit-gateway-multicast-domain",
    "dedicated-host",
    "ipam-pool",
    "placement-group",
    "traffic-mirror-target",
    "local-gateway-route-table",
    "coip-pool",
  ],
  imagebuilder: ["image", "component", "image-recipe", "container-recipe"],
  sagemaker: ["model-package-group", "pipeline", "feature-group", "hub"],
  glue: ["catalog", "database", "table"],
  "license-manager": ["license-configuration"],
  "resource-groups": ["group"],
  route53resolver: ["resolver-rule", "resolver-query-log-config", "firewall-rule-group"],
  codebuild: ["project", "report-group"],
  "network-firewall": ["firewall-policy", "stateful-rulegroup", "stateless-rulegroup"],
  "ssm-contacts": ["contact"],
  "vpc-lattice": ["service", "servicenetwork"],
  "resource-explorer-2": ["view"],
  outposts: ["outpost", "site"],
  appmesh: ["mesh"],
  "acm-pca": ["certificate-authority"],
  rds: ["cluster"],
};

/** Services whose data this project shares in its own way, with the hint to give instead. */
const SHARE_INSTEAD: Readonly<Record<string, string>> = {
  s3: "RAM cannot share S3 buckets: share data with a `datasets` entry (bucket policy or reader role) and models with a `modelArtifacts` entry",
  kms: "RAM cannot share KMS keys: `datasets` and `modelArtifacts` entries write the key policy grants for you",
  iam: "RAM cannot share IAM resources: cross-account access is written by `datasets` grants (via: assume-role)",
};

/**
 * Checks that RAM can share the resource named by an ARN. Returns the reason it cannot,
 * or undefined when it can.
 */
export function ramShareRefusal(arn: string): string | undefined {
  const parsed = parseArn(arn);
  if (!parsed) return `"${arn}" is not an ARN (arn:<partition>:<service>:<region>:<account>:<resource>)`;
  const instead = SHARE_INSTEAD[parsed.service];
  if (instead) return `"${arn}" is a resource of ${parsed.service.toUpperCase()}. ${instead}`;
  const types = RAM_SHAREABLE[parsed.service] ?? [];
  if (!types.includes(parsed.resourceType)) {
    return (
      `"${arn}" is a ${parsed.service} ${parsed.resourceType}, which AWS RAM cannot share (shareable types: ` +
      "https://docs.aws.amazon.com/ram/latest/userguide/shareable.html); share data with `datasets` and models with `modelArtifacts`"
    );
  }
  return undefined;
}
