/**
 * The AWS formats that topology values must have. Each pattern carries the rule in words,
 * so an error can say what was expected, not only that something failed.
 */

/** A pattern and the sentence that explains it in error messages. */
export interface Format {
  /** The regular expression a value must match in full. */
  readonly pattern: RegExp;
  /** What the rule is, in words, for error messages. */
  readonly rule: string;
}

/** The `project` naming prefix. */
export const PROJECT: Format = {
  pattern: /^[a-z][a-z0-9-]{2,19}$/,
  rule: "3-20 characters of [a-z0-9-], starting with a letter",
};

/** An AWS region name (commercial, GovCloud, China, ISO partitions). */
export const REGION: Format = {
  pattern:
    /^(us|eu|ap|sa|ca|me|af|il|mx|cn)(-gov|-iso|-isob|-isoe|-isof)?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-[1-9]$/,
  rule: "an AWS region name such as us-east-1 or eu-central-2",
};

/** A 12-digit AWS account id, written as a string. */
export const ACCOUNT_ID: Format = {
  pattern: /^\d{12}$/,
  rule: 'a 12-digit AWS account id written as a quoted string ("012345678901")',
};

/** A key of `accounts`: it names the account's stack, workspace and state key. */
export const ACCOUNT_KEY: Format = {
  pattern: /^[a-z][a-z0-9-]{0,39}$/,
  rule: "1-40 characters of [a-z0-9-], starting with a letter (it becomes the stack name)",
};

/** An AWS Organizations organization id. */
export const ORG_ID: Format = {
  pattern: /^o-[a-z0-9]{10,32}$/,
  rule: "an AWS Organizations id: o- followed by 10-32 lowercase letters or digits",
};

/** An AWS Organizations root id. */
export const ROOT_ID: Format = {
  pattern: /^r-[0-9a-z]{4,32}$/,
  rule: "an AWS Organizations root id: r- followed by 4-32 lowercase letters or digits",
};

/** An AWS Organizations organizational unit id. */
export const OU_ID: Format = {
  pattern: /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/,
  rule: "an organizational unit id such as ou-ab12-cd34ef56",
};

/** An organizational unit name, as referenced by `ou:<name>`. */
export const OU_NAME: Format = {
  pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
  rule: "1-128 characters of [A-Za-z0-9._-], starting with a letter or digit",
};

/** An IAM role name (no path). */
export const ROLE_NAME: Format = {
  pattern: /^[A-Za-z0-9+=,.@_-]{1,64}$/,
  rule: "an IAM role name: 1-64 characters of [A-Za-z0-9+=,.@_-]",
};

/** A dataset or model artifact set name. */
export const SHARE_NAME: Format = {
  pattern: /^[a-z0-9][a-z0-9-]{1,39}$/,
  rule: "2-40 characters of [a-z0-9-], not starting with a hyphen",
};

/** An environment name. */
export const ENVIRONMENT: Format = {
  pattern: /^[a-z][a-z0-9-]{0,19}$/,
  rule: "1-20 characters of [a-z0-9-], starting with a letter",
};

/** A VPC id. */
export const VPC_ID: Format = {
  pattern: /^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/,
  rule: "a VPC id: vpc- followed by 8 or 17 hexadecimal digits",
};

/** A subnet id. */
export const SUBNET_ID: Format = {
  pattern: /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/,
  rule: "a subnet id: subnet- followed by 8 or 17 hexadecimal digits",
};

/**
 * A SageMaker user name. Narrower than SageMaker's own profile names on purpose: the name
 * scopes the user's jobs and log streams as `<name>-*` and names the IAM role
 * `<project>-sm-<name>`, so it holds nothing a wildcard or a path could read (`*`, `?`, `/`,
 * `.`), no upper case (IAM names are case-insensitive and SageMaker ARNs lower case), and no
 * hyphen at either end or doubled (a scope `<name>-*` must end where the name does).
 */
export const SAGEMAKER_USER: Format = {
  pattern: /^[a-z](-?[a-z0-9]){0,62}$/,
  rule: "a SageMaker user name: 1-63 characters of [a-z0-9-], starting with a letter, not ending with a hyphen, no double hyphen",
};

/** An ML project name: the SageMaker project name and its scope `<name>-*`, under the rules of {@link SAGEMAKER_USER}. */
export const SAGEMAKER_PROJECT: Format = {
  pattern: /^[a-z](-?[a-z0-9]){0,31}$/,
  rule: "an ML project name: 1-32 characters of [a-z0-9-], starting with a letter, not ending with a hyphen, no double hyphen",
};

/** A SageMaker model package group name. */
export const MODEL_PACKAGE_GROUP: Format = {
  pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/,
  rule: "a model package group name: 1-63 letters, digits and inner hyphens",
};

/** A Service Catalog product id. */
export const PRODUCT_ID: Format = {
  pattern: /^prod-[a-z0-9]{12,13}$/,
  rule: "a Service Catalog product id: prod- followed by 12-13 lowercase letters or digits",
};

/** A Service Catalog provisioning artifact id. */
export const PROVISIONING_ARTIFACT_ID: Format = {
  pattern: /^pa-[a-z0-9]{12,13}$/,
  rule: "a provisioning artifact id: pa- followed by 12-13 lowercase letters or digits",
};

/** An S3 bucket name (general purpose bucket rules, no dots so TLS works). */
export const BUCKET_NAME: Format = {
  pattern: /^(?!xn--)(?!sthree-)(?!amzn-s3-demo-)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
  rule: "an S3 bucket name: 3-63 characters of [a-z0-9-], starting and ending with a letter or digit, no dots",
};

/** A state key prefix. */
export const KEY_PREFIX: Format = {
  pattern: /^[A-Za-z0-9][A-Za-z0-9._\/-]{0,199}$/,
  rule: "1-200 characters of [A-Za-z0-9._/-], starting with a letter or digit, no leading slash",
};

/** A DynamoDB table name. */
export const DYNAMODB_TABLE: Format = {
  pattern: /^[A-Za-z0-9_.-]{3,255}$/,
  rule: "a DynamoDB table name: 3-255 characters of [A-Za-z0-9_.-]",
};

/** An IAM role ARN. */
export const ROLE_ARN: Format = {
  pattern: /^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::\d{12}:role\/[A-Za-z0-9+=,.@_\/-]{1,512}$/,
  rule: "an IAM role ARN such as arn:aws:iam::111111111111:role/terraform-state",
};

/** A Terraform Cloud organization or workspace prefix. */
export const TFC_NAME: Format = {
  pattern: /^[A-Za-z0-9_-]{1,90}$/,
  rule: "1-90 characters of [A-Za-z0-9_-]",
};

/** An sts:ExternalId value. */
export const EXTERNAL_ID: Format = {
  pattern: /^[A-Za-z0-9+=,.@:\/-]{2,1224}$/,
  rule: "an external id: 2-1224 characters of [A-Za-z0-9+=,.@:/-]",
};

/** An e-mail address for an AWS account. */
export const EMAIL: Format = {
  pattern: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  rule: "an e-mail address",
};
