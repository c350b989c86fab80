/** Every compliance rule synth enforces. */
import { Rule } from "./rule";
import { CrossAccountTrustCondition } from "./rules/cross-account-trust-condition";
import { IamActionsExist } from "./rules/iam-actions-exist";
import { IamAllowHasResource } from "./rules/iam-allow-has-resource";
import { IamNoWildcardActions } from "./rules/iam-no-wildcard-actions";
import { KmsKeyRotation } from "./rules/kms-key-rotation";
import { LakeformationCrossAccountSelectDescribeOnly } from "./rules/lakeformation-cross-account-select-describe";
import { LakeformationFilteredNotWhole } from "./rules/lakeformation-filtered-not-whole";
import { ProviderAssumesDeployRole } from "./rules/provider-assumes-deploy-role";
import { ProviderDefaultTags } from "./rules/provider-default-tags";
import { S3DenySseC } from "./rules/s3-deny-sse-c";
import { S3KmsEncrypted } from "./rules/s3-kms-encrypted";
import { S3OwnerEnforced } from "./rules/s3-owner-enforced";
import { S3PublicAccessBlocked } from "./rules/s3-public-access-blocked";
import { S3TlsOnly } from "./rules/s3-tls-only";
import { S3Versioned } from "./rules/s3-versioned";

/** The rules, in the order findings are reported. */
export const RULES: readonly Rule[] = [
  ProviderAssumesDeployRole,
  ProviderDefaultTags,
  S3PublicAccessBlocked,
  S3OwnerEnforced,
  S3Versioned,
  S3KmsEncrypted,
  S3TlsOnly,
  S3DenySseC,
  KmsKeyRotation,
  IamNoWildcardActions,
  IamAllowHasResource,
  CrossAccountTrustCondition,
  IamActionsExist,
  LakeformationCrossAccountSelectDescribeOnly,
  LakeformationFilteredNotWhole,
];
